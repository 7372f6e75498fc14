"""Vision-language models are sized with their vision tower and projector, or visibly as the language model only.

Primary source: transformers on the meta device (LlavaForConditionalGeneration built from the published LLaVA-1.5-7B
config.json: 7,063,427,072 parameters = 6.74B language model + 303.5M CLIP ViT-L/14-336 + 21.0M projector); LLaVA-1.5
(Liu et al. 2023) feeds 576 visual tokens per 336 px image.
"""

from __future__ import annotations

import pytest

from lifecycle.models.architecture import ModelShape, flop_parameter_count, parameter_count
from lifecycle.models.ref import ModelRef
from tests.support.hf_reference import config, hf_config

pytestmark = [pytest.mark.torch]

pytest.importorskip("transformers")


def _llava_total(cfg: dict) -> int:
    torch = pytest.importorskip("torch")
    import transformers

    with torch.device("meta"):
        model = transformers.LlavaForConditionalGeneration(hf_config(cfg))
    return sum(p.numel() for p in model.parameters())


def test_llava_1_5_7b_counts_its_clip_tower_and_projector():
    """7.06B, not the 6.74B of its language model alone (the old, silent figure); 576 image tokens."""
    cfg = config("vlm-configs/llava-1.5-7b.json")
    shape = ModelShape.from_config(cfg)
    assert parameter_count(shape) == _llava_total(cfg) == 7_063_427_072
    assert (shape.vision, shape.vision_params, shape.image_tokens) == ("counted", 324_487_168, 576)
    assert flop_parameter_count(shape) < parameter_count(shape) - shape.vision_params  # the tower runs per image


def test_a_siglip_tower_with_its_pooling_head_counts_exactly():
    """SiglipVisionModel (patch conv with bias, no class token, attention-pooling head) in a LLaVA model."""
    cfg = config("vlm-configs/llava-1.5-7b.json")
    cfg = {**cfg, "vision_feature_layer": -1, "vision_config": {
        "model_type": "siglip_vision_model", "hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27,
        "num_attention_heads": 16, "patch_size": 14, "image_size": 384}}
    shape = ModelShape.from_config(cfg)
    assert parameter_count(shape) == _llava_total(cfg) and shape.image_tokens == (384 // 14) ** 2


def test_an_unknown_tower_plans_the_language_model_with_a_visible_note():
    """Mistral-Small-3.1 (Pixtral tower, patch-merging projector): not modelled, so the plan is the language model's
    and the model's name and card say so — never silently."""
    from lifecycle.models.cards import build_card

    cfg = config("vlm-configs/mistral-small-3.1-24b.json")
    ref = ModelRef.from_config(cfg)
    assert ref.shape.vision == "language model only" and "language model only" in ref.name
    text_only = ModelShape.from_config(cfg["text_config"])
    assert parameter_count(ref.shape) == parameter_count(text_only)
    card = build_card(model_id="x", name=ref.name, family="decoder", shape=ref.shape, params=ref.params).to_markdown()
    assert "vision tower and projector are not counted" in card
    llava = ModelRef.from_config(config("vlm-configs/llava-1.5-7b.json"))
    card = build_card(model_id="y", name=llava.name, family="decoder", shape=llava.shape, params=llava.params)
    assert "each image adds 576 tokens to the context" in card.to_markdown()
