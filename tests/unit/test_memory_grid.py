"""The vectorised grid gives the same numbers as training_memory, point by point, and is fast."""

import numpy as np
import pytest

from lifecycle.errors import InvalidInput
from lifecycle.memory.grid import training_memory_grid
from lifecycle.models.catalog import get_model
from tests.support.memory import train, train_setup

CASES = [
    ("llama-2-7b", {"precision": "amp_bf16"}),
    ("llama-2-7b", {"precision": "bf16", "grad_checkpointing": True}),
    ("gpt2-medium", {"precision": "amp_bf16", "attention": "eager"}),
    ("t5-large", {"precision": "amp_bf16", "method": "lora"}),
    ("bert-base-uncased", {"precision": "fp32"}),
    ("llama3-8b", {"precision": "amp_bf16", "method": "qlora", "grad_checkpointing": True}),
    # issue 28: the grid once fitted a quadratic in the length, which an encoder-decoder's recomputed block (the
    # larger of the encoder's and the decoder's) is not, and left out DTensor's tensor-parallel extras
    ("t5-large", {"precision": "amp_bf16", "grad_checkpointing": True}),
    ("llama-2-7b", {"precision": "amp_bf16", "tp": 2, "gpus": 2}),
    ("llama-2-7b", {"precision": "bf16", "tp": 2, "gpus": 2, "grad_checkpointing": True}),
    ("llama-2-7b", {"precision": "fp8", "gpu": "h100-80gb"}),
]


@pytest.mark.parametrize("model,kwargs", CASES)
def test_grid_matches_the_scalar_estimator(model, kwargs):
    shape = get_model(model).shape
    """Equal to the byte: both run the same component functions (grid.py)."""
    strategies, gpus, batches, seqs = ("ddp", "zero2", "fsdp"), (1, 8, 64), (1, 3, 8), (128, 512, 2048)
    tp = kwargs.get("tp", 1)
    gpus = tuple(n * tp for n in gpus)
    grid = training_memory_grid(train_setup(shape, **kwargs), batches=batches, seqs=seqs, gpu_counts=gpus,
                                strategies=strategies)
    for i, strategy in enumerate(strategies):
        for j, n in enumerate(gpus):
            for k, b in enumerate(batches):
                for m, s in enumerate(seqs):
                    est = train(shape, batch=b, seq=s, **{**kwargs, "gpus": n, "strategy": strategy})
                    assert grid["peak_allocated_bytes"][i, j, k, m] == est.peak_allocated_bytes
                    assert grid["peak_reserved_bytes"][i, j, k, m] == est.peak_reserved_bytes
                    assert grid["required_bytes"][i, j, k, m] == est.required_bytes


def test_impossible_layouts_are_nan_not_errors():
    grid = training_memory_grid(train_setup(get_model("llama-2-7b").shape, tp=4, gpus=4), batches=[1], seqs=[1024],
                                gpu_counts=[4, 6], strategies=["zero3"])
    assert np.isfinite(grid["peak_allocated_bytes"][0, 0]).all()
    assert np.isnan(grid["peak_allocated_bytes"][0, 1]).all()


def test_an_offload_ddp_cannot_take_is_nan_and_the_others_are_the_scalar_estimate():
    """One rule (distributed.offload_problem): DDP keeps everything on the GPU, so offloading is refused there."""
    shape = get_model("llama-2-7b").shape
    grid = training_memory_grid(train_setup(shape, strategy="zero3", offload="optimizer", gpus=8), batches=[2],
                                seqs=[512], gpu_counts=[8], strategies=["ddp", "zero2", "zero3"])
    assert np.isnan(grid["peak_allocated_bytes"][0]).all()
    for i, strategy in ((1, "zero2"), (2, "zero3")):
        est = train(shape, batch=2, seq=512, gpus=8, strategy=strategy, offload="optimizer")
        assert grid["peak_allocated_bytes"][i, 0, 0, 0] == est.peak_allocated_bytes


def test_a_ten_thousand_point_sweep_fills_every_point():
    """Its speed is measured by benchmarks/sweep.py, not here: a busy CI machine must not fail a test on time."""
    shape = get_model("llama-13b").shape
    grid = training_memory_grid(train_setup(shape, grad_checkpointing=True), batches=range(1, 17),
                                seqs=range(256, 8193, 256), gpu_counts=(1, 2, 4, 8, 16, 32),
                                strategies=("ddp", "zero1", "zero2", "zero3", "fsdp"))
    assert grid["peak_allocated_bytes"].size == 5 * 6 * 16 * 32
    assert np.isfinite(grid["peak_allocated_bytes"]).all()


def test_a_grid_too_large_to_hold_is_refused():
    with pytest.raises(InvalidInput, match="more than"):
        training_memory_grid(train_setup(get_model("llama-2-7b").shape), batches=range(1, 1001),
                             seqs=range(1, 1001), gpu_counts=range(1, 101))
