"""The model catalog: every row's shape reproduces its stated parameter count."""

import pytest

from lifecycle.errors import NotFound
from lifecycle.models.architecture import parameter_count
from lifecycle.models.catalog import get_model, list_models


def test_catalog_holds_every_reference_model_with_a_source():
    models = list_models()
    assert len(models) >= 38
    assert all(m.source for m in models)
    assert len({m.id for m in models}) == len(models)


@pytest.mark.parametrize("model", list_models(), ids=lambda m: m.id)
def test_each_catalog_shape_gives_its_exact_parameter_count(model):
    assert parameter_count(model.shape) == model.params
    assert model.shape.family == model.family


def test_published_counts_of_well_known_models():
    assert get_model("llama-2-70b").params == 68_976_648_192
    assert get_model("gpt2-small").params == 124_439_808
    assert get_model("t5-3b").params == 2_851_598_336
    assert get_model("LLaMA3-8B").id == "llama3-8b"  # ids are matched case-insensitively


def test_unknown_model_names_close_ids():
    with pytest.raises(NotFound, match="llama-2-7b"):
        get_model("llama-2-7")
