"""A team's own scaling laws (fits to its pilot runs) as database rows, beside the built-in laws.

Built-in laws have one source, the packaged ``data/scaling_laws.json`` (``lifecycle.scaling.laws``); the
database holds only what teams add. A row's ``params`` column is JSON {"constants": {...}, "title": ...,
"extra": {...}}.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from lifecycle.errors import DuplicateName, InvalidInput, NotFound
from lifecycle.records.access import TeamOperation
from lifecycle.records.orm import ScalingLawRow
from lifecycle.records.project import utc_now
from lifecycle.scaling.laws import ScalingLaw, builtin_law, builtin_laws, make_law

LAW_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,99}$")


def law_to_row_params(law: ScalingLaw) -> str:
    return json.dumps({"constants": law.params, "title": law.title, "extra": law.extra})


def law_from_row(row: ScalingLawRow) -> ScalingLaw:
    data = json.loads(row.params)
    constants = data.get("constants", data)  # tolerate a bare constants dict
    return ScalingLaw(name=row.name, kind=row.kind, params=constants, title=data.get("title", ""),
                      extra=data.get("extra", {}), source=row.source, builtin=bool(row.builtin),
                      created_by=row.created_by)


def validate_law_name(name: str) -> str:
    name = (name or "").strip()
    if not LAW_NAME_PATTERN.match(name):
        raise InvalidInput("A law name is 1-100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.")
    return name


def list_laws(store=None) -> list[ScalingLaw]:
    """Every law: built-ins first, then saved fits. Without a store, the built-ins only."""
    if store is None:
        return builtin_laws()
    with store.session() as s:
        rows = s.scalars(select(ScalingLawRow).where(ScalingLawRow.builtin.is_(False)).order_by(ScalingLawRow.id)).all()
        return builtin_laws() + [law_from_row(r) for r in rows]


def get_law(name: str, store=None) -> ScalingLaw:
    """A law by name: built-in names need no database; other names are looked up in ``store``."""
    try:
        return builtin_law(name)
    except NotFound:
        pass
    if store is not None:
        with store.session() as s:
            row = s.scalar(select(ScalingLawRow).where(ScalingLawRow.name == name, ScalingLawRow.builtin.is_(False)))
            if row is not None:
                return law_from_row(row)
    known = ", ".join(law.name for law in list_laws(store))
    raise NotFound(f"No scaling law named {name!r}; known laws: {known}.")


def add_law(store, law: ScalingLaw, *, author: str = "") -> ScalingLaw:
    """Save a team law as the store's identity (``author`` only in the embedded single-person mode)."""
    name = validate_law_name(law.name)
    store.check_team_table(TeamOperation.add)
    author = store._author(author)[:200]
    if name in {b.name for b in builtin_laws()}:
        raise DuplicateName(f"{name!r} is a built-in law; choose another name.")
    law = make_law(name, law.kind, law.params, title=law.title or name, source=law.source, extra=law.extra)
    with store.session() as s:
        if s.scalar(select(ScalingLawRow.id).where(ScalingLawRow.name == name)) is not None:
            raise DuplicateName(f"A scaling law named {name!r} already exists; choose another name or delete it.")
        s.add(ScalingLawRow(name=name, kind=law.kind, params=law_to_row_params(law), source=law.source,
                            builtin=False, created_at=utc_now(), created_by=author,
                            created_by_key=store.actor.key[:1000]))
        store.record(s, f"added team scaling law {name}")
    return law.model_copy(update={"created_by": author})


def delete_law(store, name: str) -> None:
    if name in {b.name for b in builtin_laws()}:
        raise InvalidInput(f"{name!r} is a built-in law (from the packaged data) and cannot be deleted.")
    with store.session() as s:
        row = s.scalar(select(ScalingLawRow).where(ScalingLawRow.name == name, ScalingLawRow.builtin.is_(False)))
        if row is None:
            raise NotFound(f"No saved scaling law named {str(name)[:100]!r}.")
        store.check_team_table(TeamOperation.delete, added_by_key=row.created_by_key)
        s.delete(row)
        store.record(s, f"deleted team scaling law {row.name}")
