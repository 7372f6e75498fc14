"""GenAI Lifecycle Planner — the domain package (no UI).

The public API is what this module exports; everything else is an implementation detail.
The web app (``app.py``), the ``lifecycle`` command line and Python callers all go through it.
"""

from lifecycle.errors import (
    ConflictError,
    DuplicateName,
    InvalidInput,
    LifecycleError,
    NotFound,
    StoreUnavailable,
)
from lifecycle.project import (
    SCHEMA_VERSION,
    STAGE_TITLES,
    STAGES,
    AdaptStage,
    EvalTarget,
    IntegrateStage,
    Project,
    Scenario,
    ScopeStage,
    SelectStage,
)
from lifecycle.store import ProjectSummary, RevisionSummary, Store, database_url
from lifecycle.transfer import export_json, import_json, parse_export

__all__ = [
    "AdaptStage",
    "ConflictError",
    "database_url",
    "DuplicateName",
    "EvalTarget",
    "export_json",
    "import_json",
    "IntegrateStage",
    "InvalidInput",
    "LifecycleError",
    "NotFound",
    "parse_export",
    "Project",
    "ProjectSummary",
    "RevisionSummary",
    "Scenario",
    "SCHEMA_VERSION",
    "ScopeStage",
    "SelectStage",
    "STAGE_TITLES",
    "STAGES",
    "Store",
    "StoreUnavailable",
]
