"""Items of the science review (issue 16) that have no better home: each test quotes its primary source."""

from __future__ import annotations

import pytest

from lifecycle.models.tasks import families
from lifecycle.scaling.pretrain_advice import PretrainDecisionSetup, pretrain_decision


@pytest.mark.parametrize("gpu", ["v100-32gb", "t4"])
def test_pretrain_advice_prices_gpus_without_bf16_in_fp16(gpu):
    """NVIDIA V100 and T4 datasheets list FP16 tensor-core peaks and no BF16: a pre-training estimate on them
    runs in fp16 mixed precision rather than failing on a missing bf16 peak."""
    advice = pretrain_decision(PretrainDecisionSetup(gpu=gpu, gpus=64))
    assert advice.cost.days > 0 and advice.cost.gpu_id == gpu


def test_bart_reconstructs_the_original_text_and_t5_generates_the_removed_spans():
    """Lewis et al. 2019 (BART, arXiv:1910.13461, §2.1): "BART is trained by corrupting documents and then
    optimizing a reconstruction loss — the cross-entropy between the decoder's output and the original document."
    Raffel et al. 2020 (T5, §3.1.4): "the target ... consists of the dropped-out spans"."""
    objective = families()["encoder-decoder"].objective
    assert "BART" in objective and "reconstructs the whole original text" in objective
    assert "T5" in objective and "generates only the removed spans" in objective
    assert "generate what was removed" not in objective
