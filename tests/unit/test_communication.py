"""Communication time per training step (lifecycle/memory/communication.py) against the formulas it cites."""

import pytest

from lifecycle.memory.communication import (
    all_gather_s,
    all_reduce_s,
    communication_estimate,
    interconnects,
)
from lifecycle.memory.plan import training_plan
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef


def _setup(**fields) -> TrainingSetup:
    base = {"model": ModelRef.catalog("llama-2-7b"), "micro_batch": 4, "seq_len": 2048, "grad_checkpointing": True}
    return TrainingSetup(**(base | fields))


def test_ring_collectives_use_nccls_bus_bandwidth_factors():
    """NCCL tests PERFORMANCE.md: all-reduce busBw = algBw x 2(n-1)/n; all-gather and reduce-scatter x (n-1)/n."""
    assert all_reduce_s(8e9, 8, 1e9) == pytest.approx(8 * 2 * 7 / 8)
    assert all_gather_s(8e9, 8, 1e9) == pytest.approx(8 * 7 / 8)
    assert all_reduce_s(8e9, 1, 1e9) == 0


def test_zero3_moves_one_and_a_half_times_what_data_parallel_moves():
    """ZeRO (Rajbhandari et al. 2020) §7.2.2: stage 3 all-gathers the parameters in forward and backward and
    reduce-scatters the gradients, 3Ψ against the 2Ψ of a data-parallel all-reduce (1.5x); stages 1-2 move 2Ψ
    (§7.1)."""
    gpu = get_gpu("h100-80gb")
    ddp = communication_estimate(_setup(precision="bf16", gpus=16), gpu)
    zero2 = communication_estimate(_setup(precision="bf16", gpus=16, strategy="zero2"), gpu)
    fsdp = communication_estimate(_setup(precision="bf16", gpus=16, strategy="fsdp"), gpu)
    assert fsdp.data_parallel_bytes == pytest.approx(1.5 * ddp.data_parallel_bytes, rel=1e-6)
    assert zero2.data_parallel_bytes == pytest.approx(ddp.data_parallel_bytes, rel=1e-6)


def test_tensor_parallel_all_reduces_four_activations_per_layer_and_two_more_when_recomputing():
    """Megatron-LM (Shoeybi et al. 2019) §3, Fig. 4: g and f operators, two all-reduces in forward and two in
    backward per transformer layer, of the b x s x h activations; recomputation repeats the forward's two
    (Korthikanti et al. 2022)."""
    gpu = get_gpu("h100-80gb")
    est = communication_estimate(_setup(gpus=8, tp=8, precision="bf16"), gpu)
    layers, activation = 32, 4 * 2048 * 4096 * 2
    assert est.tensor_parallel_bytes == pytest.approx(6 * layers * 2 * 7 / 8 * activation, rel=1e-9)


def test_the_pipeline_bubble_is_p_minus_1_over_m_plus_p_minus_1():
    """Narayanan et al. 2021 §2.2.1 (GPipe schedule): bubble time fraction (p-1)/(m+p-1) of the step."""
    gpu = get_gpu("h100-80gb")
    est = communication_estimate(_setup(gpus=4, pp=4, micro_batches=4), gpu)
    assert est.bubble_fraction == pytest.approx(3 / 7)
    assert est.bubble_s == pytest.approx(est.compute_s * 3 / 4)


def test_adding_gpus_past_the_communication_bound_point_stops_paying():
    """Inside an 8-GPU node the gradient traffic hides under compute and time halves from 4 to 8 GPUs (a full
    fine-tune of a 7B model first fits on 4 L40S); the 16th GPU puts the data-parallel ring on the network (a
    100 GbE node of L40S: 1.56 GB/s per GPU against 31.5 GB/s of PCIe), the step becomes communication-bound and
    the run takes longer than on 8 GPUs."""
    days = {n: training_plan(_setup(gpu="l40s", gpus=n, strategy="fsdp", training_tokens=1e10)).time_and_cost.days
            for n in (4, 8, 16)}
    assert days[8] == pytest.approx(days[4] / 2, rel=1e-6)
    assert days[16] > days[8]
    plan = training_plan(_setup(gpu="l40s", gpus=16, strategy="fsdp", training_tokens=1e10))
    assert plan.communication.communication_bound and "communication-bound" in plan.communication.note


def test_every_link_and_network_has_a_datasheet_source():
    data = interconnects()
    for gpu in (g for g in data["intra_node"]):
        get_gpu(gpu)
    for row in list(data["intra_node"].values()) + list(data["networks"].values()):
        assert row["source"].strip() and row["bytes_per_s"] > 0
