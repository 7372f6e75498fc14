"""Class 4: the Python API must not let the caller pick the check. ``save_project(..., operation=create)``
let a stranger overwrite, rename and archive a private project; no public Store method takes the operation."""

from __future__ import annotations

import inspect

import pytest

from lifecycle.errors import AccessDenied
from lifecycle.records.access import Identity, Operation
from lifecycle.records.store import Store


def _person(who: str) -> Identity:
    return Identity(issuer="https://idp.test", subject=f"sub-{who}", email=f"{who}@example.test", name=who)


def test_no_public_store_method_takes_an_operation():
    # check_team_table only answers "may I?" (it raises or returns; it writes nothing): the one exception.
    takers = [name for name, fn in inspect.getmembers(Store, inspect.isfunction)
              if not name.startswith("_") and name != "check_team_table" and any(p.name == "operation" or p.annotation in (Operation, "Operation")
                                                  for p in inspect.signature(fn).parameters.values())]
    assert takers == []


def test_a_stranger_cannot_overwrite_rename_or_archive_by_naming_a_lighter_check(base):
    alice, mallory = base.acting_as(_person("alice")), base.acting_as(_person("mallory"))
    project = alice.create_project("Private plans")
    hijacked = project.model_copy(update={"name": "Mallory's now", "archived": True})
    for kwargs in ({"operation": Operation.create}, {"operation": Operation.view}, {}):
        with pytest.raises((AccessDenied, TypeError)):
            mallory.save_project(hijacked, **kwargs)
    stored = alice.get_project(project.id)
    assert (stored.name, stored.archived, stored.version) == ("Private plans", False, project.version)
