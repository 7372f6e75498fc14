"""Select views (Model catalog, Add a model, Pre-train or adapt): render, filter, add, choose."""

import json
from pathlib import Path

import pytest

from lifecycle.limits import MAX_CONFIG_BYTES
from lifecycle.records.custom_models import list_custom_models
from tests.support.apptest import click as _click
from tests.support.apptest import ok as _ok

CONFIGS = Path(__file__).parents[1] / "data" / "model-configs"



def test_catalog_filters_sort_and_compare(run_page):
    at = _ok(run_page("pages/catalog.py"))
    assert len(at.dataframe[0].value) >= 38
    at.multiselect(key="model_catalog_family").set_value(["decoder"])
    at.select_slider(key="model_catalog_size").set_value((4, 16))
    at.selectbox(key="model_catalog_sort").select("max_context")
    at.checkbox(key="model_catalog_desc").check().run()
    _ok(at)
    table = at.dataframe[0].value
    assert set(table["family"]) == {"decoder"} and all(4e9 <= p <= 16e9 for p in table["params"])
    assert list(table["context"]) == sorted(table["context"], reverse=True)
    at.multiselect(key="model_catalog_compare").set_value(["llama-2-7b", "mistral-7b-v0.1"]).run()
    _ok(at)
    compare = at.dataframe[1].value
    assert list(compare.columns) == ["attribute", "llama-2-7b", "mistral-7b-v0.1"]


def test_filters_that_match_nothing_say_so(run_page):
    at = _ok(run_page("pages/catalog.py"))
    at.multiselect(key="model_catalog_family").set_value(["encoder"])
    at.select_slider(key="model_catalog_context").set_value(131072).run()
    _ok(at)
    assert any("No model matches" in i.value for i in at.info)


def test_adding_a_pasted_config_counts_it_and_puts_it_in_the_catalog(run_page, app_env):
    at = _ok(run_page("pages/add_model.py"))
    at.radio(key="add_model_source").set_value("Paste config.json").run()
    at.text_input(key="add_model_id").input("team-gpt2")
    at.text_area(key="add_model_paste").input((CONFIGS / "gpt2-small.json").read_text()).run()
    _ok(at)
    assert {m.label: m.value for m in at.metric}["Family"] == "decoder"
    _click(at, "Add to the team catalog")
    assert [m.model_id for m in list_custom_models(app_env)] == ["team-gpt2"]
    assert list_custom_models(app_env)[0].params == 125_226_240  # measured on the H200 for this config
    catalog = _ok(run_page("pages/catalog.py"))
    assert "team-gpt2" in set(catalog.dataframe[0].value["id"])
    at = _ok(run_page("pages/add_model.py"))
    _click(at, "Delete")
    assert list_custom_models(app_env) == []


@pytest.mark.parametrize("text, message", [
    ('{"model_type": "gpt2", "n_layer": ', "not valid JSON"),
    ("{" + " " * (MAX_CONFIG_BYTES + 1) + "}", "limit"),
    (json.dumps({"model_type": "vit", "image_size": 224, "patch_size": 16}), "not a supported transformer"),
])
def test_bad_pasted_configs_show_an_error_and_add_nothing(run_page, app_env, text, message):
    at = _ok(run_page("pages/add_model.py"))
    at.radio(key="add_model_source").set_value("Paste config.json").run()
    at.text_input(key="add_model_id").input("bad")
    at.text_area(key="add_model_paste").input(text).run()
    _ok(at)
    assert any(message in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("Add to")]
    assert list_custom_models(app_env) == []


def test_typed_numbers_at_their_extremes_are_checked_not_crashed(run_page):
    at = _ok(run_page("pages/add_model.py"))
    at.radio(key="add_model_source").set_value("Type the numbers").run()
    at.text_input(key="add_model_id").input("typed").run()
    _ok(at)
    assert {m.label: m.value for m in at.metric}["Parameters"] == "6.738B"  # LLaMA-2-7B defaults
    for key in ("add_model_layers", "add_model_hidden", "add_model_heads", "add_model_ffn", "add_model_vocab",
                "add_model_context"):
        w = at.number_input(key=key)
        w.set_value(int(w.max))
    at.run()
    _ok(at)  # 1000 heads do not share 32 KV heads evenly: a message, not a crash
    assert any("KV heads" in e.value for e in at.error)
    for key in ("add_model_layers", "add_model_hidden", "add_model_heads", "add_model_ffn", "add_model_vocab",
                "add_model_context"):
        w = at.number_input(key=key)
        w.set_value(int(w.min))
    at.number_input(key="add_model_kv_heads").set_value(1).run()
    _ok(at)


def test_pretrain_or_adapt_records_the_choice(run_page, app_env):
    project = app_env.create_project("Finance LLM")
    project.scope.domain, project.scope.data_available, project.scope.budget_usd = "finance", "billions", 5e6
    project = app_env.save_project(project, section="scope")
    at = _ok(run_page("pages/pretrain_or_adapt.py", project=project))
    assert any("Pre-train" in s.value for s in at.warning)
    assert any("BloombergGPT" in m.value for m in at.markdown)
    _click(at, "Pre-train my own")
    assert app_env.get_project(project.id).select.pretrain_own is True
    at = _ok(run_page("pages/pretrain_or_adapt.py", project=app_env.get_project(project.id)))
    _click(at, "Adapt an existing model")
    assert app_env.get_project(project.id).select.pretrain_own is False


def test_pretrain_plan_inputs_at_their_extremes(run_page):
    at = _ok(run_page("pages/pretrain_or_adapt.py"))
    for key in ("pretrain_or_adapt_size", "pretrain_or_adapt_tokens", "pretrain_or_adapt_gpus", "pretrain_or_adapt_mfu"):
        w = at.number_input(key=key)
        w.set_value(int(w.max) if key.endswith("gpus") else w.max)
    at.run()
    _ok(at)
    for key in ("pretrain_or_adapt_size", "pretrain_or_adapt_tokens", "pretrain_or_adapt_gpus", "pretrain_or_adapt_mfu"):
        w = at.number_input(key=key)
        w.set_value(int(w.min) if key.endswith("gpus") else w.min)
    at.run()
    _ok(at)
