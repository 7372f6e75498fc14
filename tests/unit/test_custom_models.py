"""Team catalog: add a model from config.json (validated, family detected, counted), list, delete."""

import json
from pathlib import Path

import pytest

from lifecycle.errors import DuplicateName, InvalidInput, NotFound
from lifecycle.limits import MAX_CONFIG_BYTES
from lifecycle.models.catalog import get_model
from lifecycle.records.custom_models import (
    add_custom_model,
    all_models,
    config_from_numbers,
    delete_custom_model,
    find_model,
    get_custom_model,
    list_custom_models,
    preview_custom_model,
)

DATA = Path(__file__).parents[1] / "data"
CONFIGS = DATA / "model-configs"
FAMILY = {"bert": "encoder", "gpt2": "decoder", "llama": "decoder", "bloom": "decoder", "t5": "encoder-decoder",
          "bart": "encoder-decoder"}


def _measured_params() -> dict[str, int]:
    """Exact parameter counts of the models built from these configs on the H200 (tests/data)."""
    out = {}
    for line in (DATA / "h200-measurements.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row.get("kind") != "env" and "params" in row:
            out[row["name"]] = row["params"]
    return out


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.json")), ids=lambda p: p.stem)
def test_each_measured_config_imports_with_its_family_and_measured_parameter_count(store, path):
    config = json.loads(path.read_text())
    added = add_custom_model(store, path.read_bytes(), model_id=f"team-{path.stem}", author="tester")
    assert added.family == FAMILY[config["model_type"]]
    assert added.params == _measured_params()[path.stem]
    assert get_custom_model(store, f"team-{path.stem}").params == added.params


def test_every_catalog_family_imports_from_a_config(store):
    families = set()
    for stem in ("bert-base", "gpt2-small", "t5-small"):
        families.add(add_custom_model(store, (CONFIGS / f"{stem}.json").read_bytes(), model_id=f"t-{stem}").family)
    assert families == {"encoder", "decoder", "encoder-decoder"}


@pytest.mark.parametrize("family, numbers, catalog_id", [
    ("encoder", {"layers": 12, "hidden": 768, "heads": 12, "ffn": 3072, "vocab": 30522, "max_context": 512}, "bert-base-uncased"),
    ("decoder", {"layers": 32, "hidden": 4096, "heads": 32, "ffn": 11008, "vocab": 32000, "max_context": 4096}, "llama-2-7b"),
    ("encoder-decoder", {"layers": 6, "hidden": 512, "heads": 8, "ffn": 2048, "vocab": 32128, "max_context": 512}, "t5-small"),
])
def test_typed_numbers_give_the_catalog_count_of_the_same_shape(family, numbers, catalog_id):
    model = preview_custom_model(config_from_numbers(family=family, **numbers), model_id="typed")
    assert model.family == family
    assert model.params == get_model(catalog_id).params


def _rows(store):
    return [m.model_id for m in list_custom_models(store)]


@pytest.mark.parametrize("raw, message", [
    (b"{" + b" " * (MAX_CONFIG_BYTES + 1) + b"}", "limit"),
    (b'{"model_type": "gpt2", "n_layer": 2,', "not valid JSON"),
    (b"[1, 2, 3]", "JSON object"),
    (b"", "empty"),
    (b'\xff\xfe not text', "not valid JSON"),
    (json.dumps({"model_type": "resnet", "depths": [3, 4, 6, 3], "hidden_sizes": [256]}), "not a supported transformer"),
    (json.dumps({"model_type": "gpt2", "n_layer": 2, "n_embd": 100, "n_head": 3, "vocab_size": 10}), "divide"),
    (json.dumps({"model_type": "llama", "num_hidden_layers": 0, "hidden_size": 64, "num_attention_heads": 2,
                 "intermediate_size": 128, "vocab_size": 100}), "positive"),
])
def test_bad_configs_are_refused_and_change_nothing(store, raw, message):
    add_custom_model(store, (CONFIGS / "gpt2-small.json").read_bytes(), model_id="keep-me")
    with pytest.raises(InvalidInput, match=message):
        add_custom_model(store, raw, model_id="bad-one")
    assert _rows(store) == ["keep-me"]


def test_ids_must_be_new_and_well_formed(store):
    raw = (CONFIGS / "gpt2-small.json").read_bytes()
    add_custom_model(store, raw, model_id="ours")
    with pytest.raises(DuplicateName):
        add_custom_model(store, raw, model_id="ours")
    with pytest.raises(DuplicateName):
        add_custom_model(store, raw, model_id="gpt2-small")  # a shipped catalog id
    with pytest.raises(InvalidInput):
        add_custom_model(store, raw, model_id="Bad Id!")
    assert _rows(store) == ["ours"]


def test_team_models_join_the_catalog_and_can_be_deleted(store):
    add_custom_model(store, (CONFIGS / "llama3.2-1b.json").read_bytes(), model_id="our-1b", name="Our 1B",
                     author="alice")
    ids = [m.id for m in all_models(store)]
    assert ids[-1] == "our-1b" and "gpt2-small" in ids
    found = find_model("our-1b", store)
    assert found.name == "Our 1B" and found.params == 1_235_814_400 and "alice" in found.source
    assert find_model("gpt2-small", store).id == "gpt2-small"
    delete_custom_model(store, "our-1b")
    assert _rows(store) == []
    with pytest.raises(NotFound):
        delete_custom_model(store, "our-1b")
    with pytest.raises(NotFound):
        find_model("our-1b", store)


HUB = json.loads((DATA / "hub_configs.json").read_text())["configs"]


@pytest.mark.parametrize("catalog_id", sorted(HUB))
def test_hub_configs_of_other_catalog_models_import_with_the_catalog_family_and_count(catalog_id):
    model = preview_custom_model(HUB[catalog_id], model_id="imported")
    catalog = get_model(catalog_id)
    assert model.family == catalog.family
    assert abs(model.params - catalog.params) <= 0.005 * catalog.params  # they agree exactly today


def test_every_model_type_in_the_catalog_has_an_import_test():
    from lifecycle.models.catalog import list_models

    covered = {preview_custom_model(c, model_id="x").shape.arch for c in HUB.values()}
    covered |= {preview_custom_model(p.read_bytes(), model_id="x").shape.arch for p in CONFIGS.glob("*.json")}
    for folder in ("catalog-configs", "moe-configs"):  # today's families (test_catalog_additions.py)
        covered |= {preview_custom_model(p.read_bytes(), model_id="x").shape.arch
                    for p in (DATA / folder).glob("*.json")}
    assert {m.shape.arch for m in list_models()} <= covered
