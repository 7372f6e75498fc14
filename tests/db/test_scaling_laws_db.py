"""Scaling laws: built-ins from the packaged data only, team fits as database rows added and deleted."""

import pytest
from sqlalchemy import select

from lifecycle.errors import DuplicateName, InvalidInput, NotFound
from lifecycle.records.laws import add_law, delete_law, get_law, list_laws
from lifecycle.records.orm import ScalingLawRow
from lifecycle.scaling.laws import builtin_laws, make_law, parametric_allocation


def test_the_database_holds_no_builtin_law_and_every_builtin_is_listed_from_the_data(any_store):
    with any_store.session() as s:
        assert s.scalars(select(ScalingLawRow)).all() == []  # migration 0003 removed 0002's seeded copies
    builtins = {law.name: law for law in builtin_laws()}
    listed = {law.name: law for law in list_laws(any_store)}
    assert set(builtins) <= set(listed)
    for name, law in builtins.items():
        assert listed[name].builtin and listed[name].params == law.params and listed[name].source


def test_a_team_fit_is_saved_listed_used_and_deleted(any_store):
    law = make_law("our-pilot-2026", "parametric", {"E": 1.7, "A": 400.0, "B": 400.0, "alpha": 0.3, "beta": 0.3},
                   source="10 pilot runs", extra={"ci95": {"E": [1.6, 1.8]}})
    add_law(any_store, law, author="alice")
    got = get_law("our-pilot-2026", any_store)
    assert got.params == law.params and got.extra["ci95"]["E"] == [1.6, 1.8] and not got.builtin
    assert got.created_by == "alice"
    assert "our-pilot-2026" in [x.name for x in list_laws(any_store)]
    n, d = parametric_allocation(got, 1e21)
    assert 6 * n * d == pytest.approx(1e21)
    with pytest.raises(DuplicateName):
        add_law(any_store, law)
    delete_law(any_store, "our-pilot-2026")
    with pytest.raises(NotFound, match="known laws"):
        get_law("our-pilot-2026", any_store)


def test_builtin_laws_cannot_be_replaced_or_deleted(any_store):
    with pytest.raises(DuplicateName):
        add_law(any_store, make_law("epoch", "parametric", {"E": 1, "A": 1, "B": 1, "alpha": 1, "beta": 1}))
    with pytest.raises(InvalidInput):
        delete_law(any_store, "chinchilla3")
    with pytest.raises(InvalidInput):
        add_law(any_store, make_law("../bad", "parametric", {"E": 1, "A": 1, "B": 1, "alpha": 1, "beta": 1}))


def test_builtin_laws_need_no_database():
    assert get_law("kaplan").kind == "kaplan"
    assert {x.name for x in list_laws()} >= {"kaplan", "chinchilla1", "chinchilla2", "chinchilla3", "epoch"}
