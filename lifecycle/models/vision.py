"""Vision-language models: the vision tower and projector read from a multimodal config, and the image tokens.

LLaVA (Liu et al. 2023, "Improved Baselines with Visual Instruction Tuning"): a CLIP ViT-L/14-336 tower, a two-layer
MLP projector (vision width → text width, GELU, text width → text width, with biases) and 576 image tokens per
336×336 image ((336 / 14)² patches; the "default" feature strategy drops the class token). The counts equal
transformers' CLIPVisionModel / SiglipVisionModel / LlavaMultiModalProjector. A tower or projector this module does
not know is not counted: the plan is the language model's, and its name says so.
"""

from __future__ import annotations

from lifecycle.errors import InvalidInput


def _whole(vc: dict, key: str, default: int | None = None) -> int:
    value = vc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value > 10**7:
        raise InvalidInput(f"config.json vision_config.{key} must be a positive whole number (got {value!r}).")
    return value


def _vit_layers(h: int, i: int, layers: int) -> int:
    """Pre-norm ViT blocks: q, k, v, o with biases, two LayerNorms, an MLP with biases."""
    return layers * (4 * (h * h + h) + 2 * 2 * h + (h * i + i) + (i * h + h))


def _patches(vc: dict) -> int:
    return (_whole(vc, "image_size", 224) // _whole(vc, "patch_size", 32)) ** 2


def clip_tower(vc: dict) -> tuple[int, int]:
    """CLIPVisionModel: class token, patch conv (no bias), positions for patches + class, pre- and post-LayerNorm.
    Returns (parameters, patches)."""
    h, p, n = _whole(vc, "hidden_size", 768), _whole(vc, "patch_size", 32), _patches(vc)
    channels = _whole(vc, "num_channels", 3)
    embeddings = h + channels * p * p * h + (n + 1) * h
    return embeddings + 2 * h + _vit_layers(h, _whole(vc, "intermediate_size", 3072),
                                            _whole(vc, "num_hidden_layers", 12)) + 2 * h, n


def siglip_tower(vc: dict) -> tuple[int, int]:
    """SiglipVisionModel: patch conv with bias, positions for the patches, post-LayerNorm, and (vision_use_head) the
    attention-pooling head: probe, multi-head attention, LayerNorm, MLP."""
    h, p, n = _whole(vc, "hidden_size", 768), _whole(vc, "patch_size", 16), _patches(vc)
    i = _whole(vc, "intermediate_size", 3072)
    embeddings = _whole(vc, "num_channels", 3) * p * p * h + h + n * h
    head = (h + 3 * h * h + 3 * h + h * h + h + 2 * h + h * i + i + i * h + h) if vc.get("vision_use_head", True) else 0
    return embeddings + _vit_layers(h, i, _whole(vc, "num_hidden_layers", 12)) + 2 * h + head, n


TOWERS = {"clip_vision_model": clip_tower, "siglip_vision_model": siglip_tower}
LLAVA_TYPES = ("llava",)


def vision_kwargs(config: dict, text_hidden: int) -> dict:
    """ModelShape fields for a multimodal config's vision side: counted when both tower and projector are known,
    otherwise the language model only (with the tower's size when the tower is known)."""
    vc = config.get("vision_config")
    if not isinstance(vc, dict):
        return {}
    tower = TOWERS.get(vc.get("model_type"))
    if tower is None:
        return {"vision": "language model only"}
    params, patches = tower(vc)
    if config.get("model_type") not in LLAVA_TYPES:
        return {"vision": "language model only", "vision_params": params, "image_tokens": patches}
    v = _whole(vc, "hidden_size")
    bias = config.get("multimodal_projector_bias", True) is not False
    projector = v * text_hidden + text_hidden * text_hidden + (2 * text_hidden if bias else 0)
    full = config.get("vision_feature_select_strategy", "default") == "full" and vc.get("model_type") == "clip_vision_model"
    return {"vision": "counted", "vision_params": params + projector, "image_tokens": patches + (1 if full else 0)}


def vision_note(vision: str, vision_params: int, image_tokens: int) -> str:
    """One line a page, card or CLI shows: what the plan counts of the vision side."""
    if vision == "counted":
        return (f"vision tower and projector counted ({vision_params:,} parameters); each image adds "
                f"{image_tokens:,} tokens to the context")
    if vision == "language model only":
        size = f" (tower alone ~{vision_params / 1e9:.2f}B parameters, {image_tokens:,} tokens per image)" \
            if vision_params else ""
        return f"language model only: the vision tower and projector are not counted{size}"
    return ""
