"""Catalog additions of issue 24: the Flan-T5 sizes and Llama-2-13B with exact counts, merged duplicate ids that
still open saved projects, languages and commercial use per row, and Hub models named by their repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifecycle.models.architecture import ModelShape, parameter_count
from lifecycle.models.cards import model_card
from lifecycle.models.catalog import canonical_model_id, get_model, list_models
from lifecycle.models.hub import HubModel
from lifecycle.models.search import suitability_warnings
from lifecycle.models.tasks import recommend_architecture
from lifecycle.records.custom_models import hub_preview_model
from lifecycle.records.project import Project

CONFIGS = Path(__file__).parents[1] / "data" / "catalog-configs"

# Exact counts: transformers 5.25 T5ForConditionalGeneration / LlamaForCausalLM instantiated on the torch meta
# device from each published config.json, unique parameters summed; T5 v1.1 configs say
# tie_word_embeddings=false but transformers keeps the LM head tied, so vocab × d_model is added (as for the
# existing flan-t5-xl row, research notes §"T5"). The model cards round them to 80M, 250M, 780M, 11B and 13B.
ROWS = [
    ("flan-t5-small", 76_961_152, 60_511_616 + 32_128 * 512),
    ("flan-t5-base", 247_577_856, 222_903_552 + 32_128 * 768),
    ("flan-t5-large", 783_150_080, 750_251_008 + 32_128 * 1024),
    ("flan-t5-xxl", 11_135_332_352, 11_003_736_064 + 32_128 * 4096),
    ("llama-2-13b", 13_015_864_320, 13_015_864_320),  # untied in transformers too
]


@pytest.mark.parametrize("model_id, exact, meta_device", ROWS, ids=[r[0] for r in ROWS])
def test_new_rows_match_their_config_and_the_meta_device_count(model_id, exact, meta_device):
    row = get_model(model_id)
    config = json.loads((CONFIGS / f"{model_id}.json").read_text())
    assert row.params == exact == meta_device == parameter_count(ModelShape.from_config(config))
    assert row.shape == ModelShape.from_config(config) and row.source and row.hub_id.count("/") == 1


def test_the_flan_t5_sizes_share_the_xl_rows_architecture():
    xl = get_model("flan-t5-xl").shape
    for size in ("small", "base", "large", "xxl"):
        s = get_model(f"flan-t5-{size}").shape
        assert (s.family, s.arch, s.gated_mlp, s.vocab, s.max_context) == (xl.family, xl.arch, True, 32_128, 512)


def test_duplicate_ids_are_merged_and_the_old_ids_still_open():
    ids = [m.id for m in list_models()]
    assert "phi-3-mini-4k" not in ids and "gemma-2-9b" not in ids and len(ids) == len(set(ids))
    assert get_model("phi-3-mini-4k").id == "phi3-mini-4k" and get_model("gemma-2-9b").id == "gemma2-9b"
    assert canonical_model_id("gemma-2-9b") == "gemma2-9b" and canonical_model_id("llama-2-7b") == "llama-2-7b"
    saved = Project.model_validate({"name": "Saved before", "select": {"model_id": "phi-3-mini-4k"}})
    assert saved.select.model_id == "phi3-mini-4k"


def test_every_row_states_its_languages_with_a_source_and_its_commercial_use():
    for m in list_models():
        assert m.languages_source, m.id
        assert all(len(code) == 2 and code.islower() for code in m.languages), m.id
    assert not get_model("llama-7b").commercial_use and not get_model("opt-175b").commercial_use
    assert get_model("llama-2-13b").commercial_use and get_model("flan-t5-large").commercial_use


def test_the_advice_warns_about_languages_and_a_non_commercial_licence():
    # English → six languages including Japanese: T5's vocabulary has no Japanese (Raffel et al. 2020 §2.2)
    warnings = suitability_warnings(get_model("flan-t5-large"), languages=["en", "fr", "de", "es", "ja", "pt", "it"])
    assert len(warnings) == 1 and "ja" in warnings[0] and "es" in warnings[0]
    assert not suitability_warnings(get_model("mt5-base"), languages=["en", "ja"])
    assert any("commercial" in w for w in suitability_warnings(get_model("llama-13b"), languages=["en"]))
    assert not suitability_warnings(get_model("llama-13b"), languages=["en"], commercial=False)
    assert any("unknown" in w for w in suitability_warnings(get_model("mistral-7b-v0.1"), languages=["ja"]))
    rec = recommend_architecture(["translation"])
    assert any(suitability_warnings(get_model(m), languages=["en", "ja"]) for m in rec.example_models)


def test_a_hub_model_is_named_by_its_repository_and_its_card_shows_organisation_repository_and_commit():
    config = json.loads((CONFIGS / "llama-2-13b.json").read_text())
    hub = HubModel(repo_id="meta-llama/Llama-2-13b-hf", revision="main", sha="a" * 40, config=config)
    model = hub_preview_model(hub)
    assert model.id == "meta-llama/Llama-2-13b-hf" and model.name == "meta-llama/Llama-2-13b-hf@aaaaaaa"
    assert model.params == get_model("llama-2-13b").params
    fields = dict(field for section in model_card(model).sections for field in section.fields)
    assert fields["Hub organisation"] == "meta-llama"
    assert fields["Repository"] == "https://huggingface.co/meta-llama/Llama-2-13b-hf"
    assert fields["Hub commit"] == "a" * 40
    from lifecycle.records.custom_models import preview_custom_model

    team = preview_custom_model({**config, "_hub": {"repo_id": hub.repo_id, "revision": "main", "sha": "b" * 40}},
                                model_id="our-llama-2-13b").to_catalog_model()
    assert (team.hub_id, team.hub_revision) == ("meta-llama/Llama-2-13b-hf", "b" * 40)  # not "organisation: unknown"
