"""Model cards in Hugging Face template sections, filled from catalog data, unknowns said so."""

import pytest

from lifecycle.models.cards import UNKNOWN, model_card
from lifecycle.models.catalog import get_model, list_models
from lifecycle.records.custom_models import preview_custom_model

# huggingface_hub templates/modelcard_template.md table of contents (sections we fill)
HF_SECTIONS = ["Model Details", "Uses", "Bias, Risks, and Limitations", "Training Details", "Evaluation",
               "Environmental Impact", "Technical Specifications", "Citation", "How to Get Started with the Model"]


def _fields(card):
    return {(sec.title, label): value for sec in card.sections for label, value in sec.fields}


@pytest.mark.parametrize("model", list_models(), ids=lambda m: m.id)
def test_every_catalog_model_has_a_card_in_hugging_face_section_order(model):
    card = model_card(model)
    titles = [s.title for s in card.sections]
    assert [t for t in titles if t in HF_SECTIONS] == HF_SECTIONS
    f = _fields(card)
    assert f[("Model Details", "License")] == model.license
    assert f[("Model Details", "Paper")] == model.paper
    assert f[("Training Details", "Training data")] == model.training_tokens
    assert f"{model.params:,}" in f[("Technical Specifications", "Parameters")]
    # nothing we do not hold is invented
    assert f[("Evaluation", "Results")] == UNKNOWN
    assert f[("Model Details", "Developed by")] == UNKNOWN
    assert card.unknown_fields >= 8


def test_card_markdown_has_metadata_and_the_template_title():
    md = model_card(get_model("t5-large")).to_markdown()
    assert md.startswith("---\nlicense: apache-2.0\nbase_model: google-t5/t5-large\n---")
    assert "# Model Card for T5-large" in md and "## Bias, Risks, and Limitations" in md
    assert "AutoModelForSeq2SeqLM" in md


def test_models_not_on_the_hub_say_so_instead_of_a_fake_repository():
    f = _fields(model_card(get_model("llama-7b")))
    assert "not on the Hugging Face Hub" in f[("How to Get Started with the Model", "Code")]
    assert f[("Model Details", "Hub organisation")] == UNKNOWN


def test_a_team_model_with_no_licence_year_or_paper_shows_unknown_not_zero():
    team = preview_custom_model({"model_type": "gpt2", "n_layer": 2, "n_embd": 64, "n_head": 2, "vocab_size": 100},
                                model_id="tiny-team-model").to_catalog_model()
    f = _fields(model_card(team))
    assert f[("Model Details", "Release year")] == UNKNOWN
    assert f[("Model Details", "Paper")] == UNKNOWN
    assert f[("Training Details", "Training data")] == UNKNOWN
