"""Class 3: team models and team scaling laws under roles. Every signed-in person may add; only whoever added a
row (same issuer + subject) or a team admin may delete it; an expired login changes nothing; the author is
the Store's identity, never a caller-chosen name; a team model a project chose is not deleted from under it."""

from __future__ import annotations

import pytest

from lifecycle.errors import AccessDenied, InUse
from lifecycle.records.access import AccessSettings, signed_in_identity
from lifecycle.records.custom_models import add_custom_model, delete_custom_model, get_custom_model
from lifecycle.records.laws import add_law, delete_law, get_law
from lifecycle.scaling.laws import builtin_law

ISSUER = "https://idp.test"
SETTINGS = AccessSettings(admins=frozenset({"erin@example.test"}), trusted_email_issuers=frozenset({ISSUER}))
CONFIG = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "num_hidden_layers": 2, "hidden_size": 64,
          "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 1000,
          "max_position_embeddings": 512}


def _person(base, who: str, **extra):
    claims = {"iss": ISSUER, "sub": f"sub-{who}", "email": f"{who}@example.test", "email_verified": True,
              "name": who.title(), **extra}
    return base.acting_as(signed_in_identity(claims, SETTINGS))


def _law(name: str):
    return builtin_law("chinchilla3").model_copy(update={"name": name, "builtin": False})


def test_only_the_adder_or_an_admin_deletes_a_team_model_and_the_author_is_the_identity(base):
    alice, dave, erin = _person(base, "alice"), _person(base, "dave"), _person(base, "erin")
    added = add_custom_model(alice, CONFIG, model_id="team-llama", author="Somebody Else")
    assert added.created_by == "Alice <alice@example.test>" and added.created_by_key == f"{ISSUER} sub-alice"
    with pytest.raises(AccessDenied):
        delete_custom_model(dave, "team-llama")
    assert get_custom_model(base, "team-llama")
    delete_custom_model(alice, "team-llama")
    add_custom_model(alice, CONFIG, model_id="team-llama-2")
    delete_custom_model(erin, "team-llama-2")  # a team admin


def test_an_expired_login_neither_adds_nor_deletes(base):
    alice = _person(base, "alice")
    add_custom_model(alice, CONFIG, model_id="kept")
    expired = _person(base, "alice", iat=1_000_000_000)
    with pytest.raises(AccessDenied):
        add_custom_model(expired, CONFIG, model_id="late")
    with pytest.raises(AccessDenied):
        delete_custom_model(expired, "kept")
    with pytest.raises(AccessDenied):
        add_law(expired, _law("late law"))


def test_team_laws_under_the_same_rule(base):
    alice, dave = _person(base, "alice"), _person(base, "dave")
    saved = add_law(alice, _law("pilot fit"), author="Forged")
    assert saved.created_by == "Alice <alice@example.test>"
    with pytest.raises(AccessDenied):
        delete_law(dave, "pilot fit")
    assert get_law("pilot fit", base)
    delete_law(alice, "pilot fit")


def test_a_chosen_team_model_is_not_deleted_from_under_a_project(base):
    alice, bob = _person(base, "alice"), _person(base, "bob")
    add_custom_model(bob, CONFIG, model_id="mixtral-team")
    project = alice.create_project("Uses the team model")
    chosen = project.model_copy(deep=True)
    chosen.select.model_id = "mixtral-team"
    alice.save_project(chosen, section="select")
    with pytest.raises(InUse) as refused:
        delete_custom_model(bob, "mixtral-team")
    assert "1 project(s) you cannot see" in str(refused.value) and "Uses the team model" not in str(refused.value)
    with pytest.raises(InUse, match="Uses the team model"):
        delete_custom_model(_person(base, "erin"), "mixtral-team")  # the admin sees which one
    assert alice.get_project(project.id).select.model_id == "mixtral-team"
    assert get_custom_model(base, "mixtral-team").params > 0
