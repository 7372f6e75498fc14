"""Today's model families in the catalog: each row's count is the exact sum of its published config's modules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifecycle.models.architecture import ModelShape, active_parameter_count, parameter_count
from lifecycle.models.catalog import get_model

DATA = Path(__file__).parents[1] / "data"

# (catalog id, config folder, exact count): the published figure each count rounds to is on its model card.
ROWS = [
    ("llama3.1-8b", "catalog-configs", 8_030_261_248),  # "8B"
    ("llama3.3-70b", "catalog-configs", 70_553_706_496),  # "70B"
    ("qwen2.5-7b-instruct", "catalog-configs", 7_615_616_512),  # "7.61B"
    ("qwen3-8b", "catalog-configs", 8_190_735_360),  # "8.2B"
    ("gemma2-9b", "catalog-configs", 9_241_705_984),  # "9B"
    ("phi3-mini-4k", "catalog-configs", 3_821_079_552),  # "3.8B"
    ("phi4", "catalog-configs", 14_659_507_200),  # "14B"
    ("mistral-nemo-12b", "catalog-configs", 12_247_782_400),  # "12B"
    ("mixtral-8x7b", "moe-configs", 46_702_792_704),
    ("mixtral-8x22b", "moe-configs", 140_630_071_296),
    ("qwen1.5-moe-a2.7b", "moe-configs", 14_315_784_192),
    ("qwen3-30b-a3b", "moe-configs", 30_532_122_624),
    ("olmoe-1b-7b", "moe-configs", 6_919_161_856),
    ("deepseek-v3", "moe-configs", 671_026_404_352),
    ("gpt-oss-20b", "moe-configs", 20_914_757_184),
    ("gpt-oss-120b", "moe-configs", 116_829_156_672),  # "116.83B" (model card)
    ("gemma3-1b", "catalog-configs", 999_885_952),  # "1B"; Gemma 3 adds q/k norms per head
    ("olmo2-7b", "catalog-configs", 7_298_617_344),  # "7B"
    ("mistral-small-24b", "catalog-configs", 23_572_403_200),  # "24B"
    ("deepseek-r1", "moe-configs", 671_026_404_352),  # the DeepSeek-V3 architecture
]


@pytest.mark.parametrize("model_id, folder, exact", ROWS, ids=[r[0] for r in ROWS])
def test_catalog_row_matches_its_config_to_the_parameter(model_id, folder, exact):
    row = get_model(model_id)
    config = json.loads((DATA / folder / f"{model_id}.json").read_text())
    assert row.params == exact == parameter_count(ModelShape.from_config(config)) == parameter_count(row.shape)
    assert row.shape == ModelShape.from_config(config)
    assert row.license and row.year >= 2023 and row.source and row.hub_id.count("/") == 1


def test_moe_rows_carry_their_active_counts():
    assert active_parameter_count(get_model("mixtral-8x7b").shape) == 12_879_925_248
    assert active_parameter_count(get_model("llama3.1-8b").shape) == get_model("llama3.1-8b").params
