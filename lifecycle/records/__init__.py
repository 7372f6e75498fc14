"""Records: the project document (pydantic), the SQL store with revisions and optimistic locking,
Alembic migrations, JSON import/export, and what teams add (scaling laws, models)."""
