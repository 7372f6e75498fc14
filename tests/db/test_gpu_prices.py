"""The team's GPU price table on SQLite and PostgreSQL: set, replace, read back over the defaults, remove;
writes need a team admin (``records.prices.check_price_write``), reads do not."""

import pytest

from lifecycle.errors import AccessDenied, NotFound
from lifecycle.launch.prices import price_table, shipped_prices
from lifecycle.records.access import Identity
from lifecycle.records.prices import delete_team_price, set_team_price, team_prices


def test_team_prices_round_trip_and_override_the_defaults(any_store):
    set_team_price(any_store, "h100-80gb", 2.1, source="reserved, 1 year", date="2026-12")
    set_team_price(any_store, "h100-80gb", 1.9, source="reserved, 3 years", date="2026-12")  # replaces
    assert [(p.gpu_id, p.price_usd_per_hour, p.source) for p in team_prices(any_store)] == \
        [("h100-80gb", 1.9, "reserved, 3 years")]
    table = price_table(any_store)
    assert table["h100-80gb"].team and len(table) == len(shipped_prices())
    ann = any_store.acting_as(Identity(issuer="cli", subject="ann@example.com", email="ann@example.com"))
    assert price_table(ann)["h100-80gb"].price_usd_per_hour == 1.9  # anyone reads
    with pytest.raises(AccessDenied):
        delete_team_price(ann, "h100-80gb")
    delete_team_price(any_store, "h100-80gb")
    assert team_prices(any_store) == []
    with pytest.raises(NotFound):
        delete_team_price(any_store, "h100-80gb")
