"""Fixtures for the reliability suite: fresh databases on both backends and the CI/full switch.

The suite runs a reduced version by default so CI stays within a few minutes; set
``LIFECYCLE_RELIABILITY_FULL=1`` for the heavier version (more kills, more fuzz examples,
every widget one at a time)."""

from __future__ import annotations

import itertools
import os

import pytest

FULL = os.environ.get("LIFECYCLE_RELIABILITY_FULL", "") not in ("", "0")
_counter = itertools.count()


def scaled(ci: int, full: int) -> int:
    """A count for this run: ``ci`` by default, ``full`` with LIFECYCLE_RELIABILITY_FULL=1."""
    return full if FULL else ci


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request, tmp_path) -> str:
    """The URL of a fresh, empty (not yet migrated) database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/reliability-{next(_counter)}.db"
    url, server = request.getfixturevalue("postgres_server")
    if server is None:  # an external server: share its database
        return url
    return server.create_database(f"rel{os.getpid()}_{next(_counter)}")
