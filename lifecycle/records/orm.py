"""SQLAlchemy 2.0 tables. The schema is owned by the Alembic migrations in ``migrations/``;
``tests/db/test_migrations.py`` checks that these classes and the migrated schema agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints let Alembic's batch mode (SQLite) drop and recreate them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Lower-cased name: duplicate names are refused regardless of case, on every backend.
    name_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Which stages have saved decisions, as "scope,select": listable without parsing the document.
    stages_done: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    document: Mapped[str] = mapped_column(Text, nullable=False)  # Project JSON
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Readable by every signed-in person (as a viewer) when its owner says so; else members only.
    team_visible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Bumped by every member, visibility and ownership change: those actions carry the one they were made
    # against and are refused as stale otherwise (a document save does not touch it, nor it a document save).
    access_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    # Optimistic lock: UPDATE … WHERE version = :old, StaleDataError when another save came first.
    __mapper_args__ = {"version_id_col": version}


class RevisionRow(Base):
    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_project_version", "project_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Who saved, as the identity provider names them: "<issuer> <subject>" ("" before sign-in existed).
    author_key: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    section: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    document: Mapped[str] = mapped_column(Text, nullable=False)


class MembershipRow(Base):
    """One person's role on one project. ``principal`` is the lower-cased e-mail an owner typed (or, for
    projects from before sign-in, the owner name they had); ``issuer``/``subject`` are filled in when
    the member is known by identity (the creator), so a changed e-mail does not lock them out."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("project_id", "principal", name="uq_memberships_project_principal"),
                      Index("ix_memberships_principal", "principal"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    principal: Mapped[str] = mapped_column(String(254), nullable=False)
    issuer: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    subject: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    role: Mapped[int] = mapped_column(Integer, nullable=False)  # access.Role
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    added_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class AccessEventRow(Base):
    """The append-only audit trail (triggers refuse UPDATE and DELETE): who created, archived, restored,
    duplicated, imported, deleted a project or changed its access, and who changed the team tables. No
    foreign key: a deleted project's trail stays, with its name; team-table events have no project."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_project", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    project_name: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    actor_key: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    action: Mapped[str] = mapped_column(Text, nullable=False)


class ScalingLawRow(Base):
    __tablename__ = "scaling_laws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(50), nullable=False)
    params: Mapped[str] = mapped_column(Text, nullable=False)  # JSON
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_by_key: Mapped[str] = mapped_column(String(1000), nullable=False, default="", server_default="")


class CustomModelRow(Base):
    __tablename__ = "custom_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    config: Mapped[str] = mapped_column(Text, nullable=False)  # JSON (Hugging Face config.json)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_by_key: Mapped[str] = mapped_column(String(1000), nullable=False, default="", server_default="")


class GpuPriceRow(Base):
    """A team's own price per GPU-hour (overrides the shipped default for that GPU in the rent search)."""

    __tablename__ = "gpu_prices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gpu_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    price_usd_per_hour: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    date: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
