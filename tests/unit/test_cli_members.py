"""The CLI acts as ``LIFECYCLE_USER`` under the project roles; unset, as the local administrator."""

from __future__ import annotations

import json

import pytest

from lifecycle.cli import main
from lifecycle.records.store import Store


def _as(monkeypatch, user: str | None) -> None:
    if user is None:
        monkeypatch.delenv("LIFECYCLE_USER", raising=False)
    else:
        monkeypatch.setenv("LIFECYCLE_USER", user)


@pytest.mark.slow
def test_members_share_transfer_and_refusals_in_one_line(app_env, monkeypatch, capsys):
    _as(monkeypatch, "alice@example.test")
    Store().create_project("Alice's plan")

    _as(monkeypatch, "bob@example.test")
    assert main(["projects", "show", "Alice's plan"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No access to project \"Alice's plan\"" in err
    assert main(["projects", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    _as(monkeypatch, "alice@example.test")
    assert main(["projects", "share", "Alice's plan", "bob@example.test", "--role", "viewer"]) == 0
    capsys.readouterr()
    assert main(["projects", "members", "Alice's plan", "--json"]) == 0
    roles = {m["principal"]: m["role"] for m in json.loads(capsys.readouterr().out)}
    assert roles == {"alice@example.test": 3, "bob@example.test": 1}

    _as(monkeypatch, "bob@example.test")
    assert main(["projects", "show", "Alice's plan"]) == 0
    capsys.readouterr()
    assert main(["projects", "share", "Alice's plan", "carol@example.test"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "You are a viewer" in err and "needs the owner role" in err
    assert main(["projects", "whoami"]) == 0
    assert "bob@example.test — user under the project roles" in capsys.readouterr().out

    _as(monkeypatch, "alice@example.test")
    assert main(["projects", "transfer", "Alice's plan", "bob@example.test"]) == 0
    assert "bob@example.test now owns" in capsys.readouterr().out
    assert main(["projects", "visibility", "Alice's plan", "team"]) == 2  # an editor now, not the owner
    capsys.readouterr()

    _as(monkeypatch, None)  # whoever holds the database credentials administers it
    assert main(["projects", "list", "--json"]) == 0
    assert [p["name"] for p in json.loads(capsys.readouterr().out)] == ["Alice's plan"]
    assert main(["projects", "whoami"]) == 0
    assert "local administrator" in capsys.readouterr().out
