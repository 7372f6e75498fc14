"""Errors the domain raises on purpose. Pages show their message; the CLI prints it and exits 2."""


class LifecycleError(Exception):
    """Base class: ``str(exc)`` is a one-line message fit for a user."""


class InvalidInput(LifecycleError, ValueError):
    """Input a user typed or uploaded is not valid (sizes, names, files)."""


class NotFound(LifecycleError, LookupError):
    """A project, revision, model, GPU or law that does not exist."""


class DuplicateName(LifecycleError):
    """Another project already has this name."""


class ConflictError(LifecycleError):
    """A save was based on an older version of the record than the one stored."""

    def __init__(self, message: str, *, changed_by: str = "", changed_at: str = "", current_version: int = 0):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version


class StoreUnavailable(LifecycleError):
    """The database could not be reached or stayed locked past the busy timeout."""


class AccessDenied(LifecycleError, PermissionError):
    """The acting identity may not do this. For a project it may not see, the message names only the id
    it asked for: nothing of the project (not even whether it exists) is revealed."""


class InUse(LifecycleError):
    """A shared row something else depends on (a team model a project has chosen) cannot be deleted."""
