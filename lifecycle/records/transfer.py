"""Export projects to JSON and import them back, schema-validated and all-or-nothing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from lifecycle._files import user_json
from lifecycle.errors import InvalidInput
from lifecycle.records.project import SCHEMA_VERSION, Project, upgrade_document, utc_now
from lifecycle.records.store import Store

EXPORT_FORMAT = "genai-lifecycle-planner/projects"
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def export_document(projects: list[Project], *, exported_at: datetime | None = None) -> dict[str, Any]:
    """The export file's content: a format tag, the schema version and each project's document."""
    return {
        "format": EXPORT_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": (exported_at or utc_now()).isoformat(),
        "projects": [p.content() for p in projects],
    }


def export_json(store: Store, names: list[str] | None = None) -> str:
    """All projects (archived included), or the named ones, as pretty JSON text."""
    refs = names or [s.id for s in store.list_projects(archived=None, sort="name")]
    # allow_nan=False: an export is standard JSON, never "Infinity" (documents cannot hold it either).
    return json.dumps(export_document([store.get_project(r) for r in refs]), indent=2, ensure_ascii=False,
                      allow_nan=False)


def parse_export(data: bytes | str) -> list[dict[str, Any]]:
    """Validate an export file and return its project documents; InvalidInput says what is wrong."""
    if isinstance(data, bytes):
        if len(data) > MAX_IMPORT_BYTES:
            raise InvalidInput(f"Import file is {len(data) / 1e6:.1f} MB; the limit is {MAX_IMPORT_BYTES / 1e6:.0f} MB.")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("Import file is not UTF-8 text; expected a JSON export of this app.") from None
    doc = user_json(data, "The import file")
    # A single project document (not wrapped) is accepted too.
    if isinstance(doc, dict) and "projects" not in doc and "name" in doc:
        doc = {"format": EXPORT_FORMAT, "projects": [doc]}
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT or not isinstance(doc.get("projects"), list):
        raise InvalidInput(f"Not a project export of this app (expected a JSON object with format {EXPORT_FORMAT!r}).")
    docs = []
    names: set[str] = set()
    for i, item in enumerate(doc["projects"], start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"Project #{i} in the file is not a JSON object.")
        try:
            project = Project.model_validate({**upgrade_document(item), "id": None, "version": 0})
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"]) or "document"
            raise InvalidInput(f"Project #{i} is not valid: {where}: {err['msg']}.") from None
        if project.name.lower() in names:
            raise InvalidInput(f"The file holds two projects named {project.name!r}.")
        names.add(project.name.lower())
        docs.append(project.content())
    if not docs:
        raise InvalidInput("The file holds no projects.")
    return docs


def import_json(store: Store, data: bytes | str, *, author: str = "") -> list[Project]:
    """Import every project in the file, or none of them (duplicate names are refused)."""
    return store.import_documents(parse_export(data), author=author)
