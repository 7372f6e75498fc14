"""People and a store for the security tests: one OpenID Connect issuer trusted for e-mail, one that is not."""

from __future__ import annotations

import pytest

from lifecycle.records.store import Store

ISSUER = "https://idp.test"
OTHER_ISSUER = "https://other-idp.test"


@pytest.fixture
def base(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'security.db'}")
    yield store
    store.engine.dispose()
