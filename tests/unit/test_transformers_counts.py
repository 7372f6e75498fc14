"""Parameter counts equal transformers' own, on the meta device (configs in tests/data, nothing downloaded).

Primary source: ``sum(p.numel() for p in model.parameters())`` of the model ``transformers`` builds from the
published ``config.json`` under ``torch.device("meta")``; buffers (DeepSeek-V3's ``e_score_correction_bias``) are not
parameters.
"""

from __future__ import annotations

import pytest

from lifecycle.models.architecture import ModelShape, parameter_count
from tests.support.hf_reference import config, meta_model, parameter_total

pytest.importorskip("transformers")


def test_deepseek_v3_router_score_bias_is_a_buffer_not_a_parameter():
    """transformers DeepseekV3TopkRouter: ``self.register_buffer("e_score_correction_bias", ...)`` — 58 MoE layers ×
    256 experts = 14,848 values that ``parameters()`` does not return (671,026,404,352 parameters, was +14,848)."""
    cfg = config("moe-configs/deepseek-v3.json")
    model = meta_model(cfg)
    assert parameter_count(ModelShape.from_config(cfg)) == parameter_total(model) == 671_026_404_352
    buffers = sum(b.numel() for name, b in model.named_buffers() if "e_score_correction_bias" in name)
    assert buffers == 58 * 256 == 14_848
