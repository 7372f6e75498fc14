import pytest

from lifecycle.errors import InvalidInput, NotFound
from lifecycle.models.gpus import get_gpu, list_gpus

CONTRACT_IDS = {"v100-16gb", "v100-32gb", "t4", "a10g", "l4", "l40s", "a100-40gb", "a100-80gb",
                "h100-80gb", "h200", "b200", "mi300x", "rtx-4090"}


def test_catalog_has_every_contract_id_with_a_source_and_a_price():
    gpus = {g.id: g for g in list_gpus()}
    assert CONTRACT_IDS <= set(gpus)
    for g in gpus.values():
        assert g.source.strip() and g.price_usd_per_hour > 0 and g.memory_bytes > 0
        assert g.memory_bandwidth_bytes_per_s > 0 and g.peak_fp16_dense_flops > g.peak_fp32_flops


def test_dense_peaks_match_the_reference_datasheet_figures():
    # /work/shared reference §7: A100 312, H100 SXM 989 (1,979 is with sparsity), V100 125 TFLOP/s.
    assert get_gpu("a100-80gb").peak_flops("bf16") == 312e12
    assert get_gpu("h100-80gb").peak_flops("bf16") == 989e12
    assert get_gpu("h200").peak_flops("bf16") == 989e12
    assert get_gpu("v100-32gb").peak_flops("fp16") == 125e12


def test_h200_memory_is_the_measured_device_total():
    # ground-truth env line: torch total_memory on an H200 = 150,109,880,320 bytes (139.8 GiB)
    assert get_gpu("h200").memory_bytes == 150_109_880_320
    # PyTorch OOM messages on A100-80GB: "(GPU 0; 79.15 GiB total capacity; ...)"; nvidia-smi says 80.00 GiB
    assert get_gpu("a100-80gb").memory_gib == pytest.approx(79.15, abs=0.005)


def test_a_precision_the_chip_lacks_is_a_clear_error():
    with pytest.raises(InvalidInput, match="no bf16"):
        get_gpu("v100-16gb").peak_flops("bf16")
    with pytest.raises(InvalidInput, match="Unknown precision"):
        get_gpu("h100-80gb").peak_flops("fp4")


def test_unknown_gpu_lists_close_and_valid_ids():
    with pytest.raises(NotFound, match="h100-80gb"):
        get_gpu("h100")
    assert get_gpu(" H100-80GB ").id == "h100-80gb"


def test_half_precision_is_bf16_or_fp16_where_bf16_is_missing():
    assert get_gpu("v100-16gb").peak_flops("half") == 125e12
    assert get_gpu("t4").peak_flops("half") == 65e12
    assert get_gpu("h100-80gb").peak_flops("half") == 989e12
