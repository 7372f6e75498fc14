"""The estimator against real peak GPU memory measured on an H200 (tests/data/h200-measurements.jsonl).

Tolerances are what the estimator achieves (issue 28: tightened from 10 % / 30 %): median absolute error of
peak_allocated <= 3 % (achieved 1.6 % on the tuning rows, 1.5 % held out), no row worse than 12 % (achieved 9.8 %
and 8.9 %), and the run that ran out of memory predicted not to fit on an H200.
"""

import statistics

import pytest

from lifecycle.models.gpus import get_gpu
from tests.support.measurements import MEASUREMENTS, estimate_row, load_measurements, row_label

ROWS = load_measurements()
MEASURED = [r for r in ROWS if r.get("ok")]
HOLDOUT = [r for r in load_measurements(MEASUREMENTS.parent / "h200-holdout.jsonl") if r.get("ok")]


def relative_error(row) -> float:
    measured = row["steady"]["peak_allocated"]
    return (estimate_row(row).peak_allocated_bytes - measured) / measured


def test_every_measured_model_and_run_is_used():
    assert len(MEASURED) >= 40
    assert any(not r.get("ok") and r.get("oom") for r in ROWS)


MEDIAN_BOUND, WORST_BOUND = 0.03, 0.12


def test_median_error_of_peak_allocated_is_at_most_three_percent():
    errors = [abs(relative_error(r)) for r in MEASURED]
    assert statistics.median(errors) <= MEDIAN_BOUND


@pytest.mark.parametrize("row", MEASURED, ids=row_label)
def test_no_row_is_worse_than_twelve_percent(row):
    assert abs(relative_error(row)) <= WORST_BOUND


def test_trainable_parameter_counts_match_the_measured_runs():
    for row in (r for r in MEASURED if r["kind"] == "train"):
        assert estimate_row(row).trainable_params == row["trainable_params"], row_label(row)


def test_the_run_that_ran_out_of_memory_is_predicted_not_to_fit_on_an_h200():
    oom = [r for r in ROWS if r.get("oom")]
    h200 = get_gpu("h200")
    for row in oom:
        assert not estimate_row(row).fits(h200), row_label(row)


def test_measured_runs_are_predicted_to_fit_on_the_h200_they_ran_on():
    h200 = get_gpu("h200")
    assert all(estimate_row(r).fits(h200) for r in MEASURED)


def test_predicted_reserved_memory_is_within_four_percent_at_the_median_and_eighteen_percent_on_every_row():
    """Achieved: median 2.6 %, worst 15.1 % (held out: 2.5 %, 14.7 %); it was median <= 10 %, 90 % of rows <= 20 %."""
    for rows in (MEASURED, HOLDOUT):
        errors = []
        for row in rows:
            measured = row["steady"]["peak_reserved"]
            errors.append(abs(estimate_row(row).peak_reserved_bytes - measured) / measured)
        assert statistics.median(errors) <= 0.04
        assert max(errors) <= 0.18



def test_held_out_runs_the_estimator_was_never_tuned_on_meet_the_same_bar():
    # tests/data/h200-holdout.jsonl: other batch sizes, sequence lengths, ranks and optimizers, measured on an
    # H200 after the estimator was written (benchmarks/ground_truth/measure_holdout.py); nothing was fit to them
    errors = [abs(relative_error(r)) for r in HOLDOUT]
    assert len(errors) >= 20
    assert statistics.median(errors) <= MEDIAN_BOUND
    assert max(errors) <= WORST_BOUND


def test_allocator_slack_is_a_fraction_of_what_churns_not_of_static_weights():
    """Only memory freed and re-allocated within a step fragments the caching allocator; the slack fractions in
    lifecycle/memory/overheads.py are the medians of (peak_reserved - peak_allocated) / (peak_allocated -
    steady.allocated) over the measured H200 rows, so a 4-bit base that is loaded once (QLoRA-65B: 34.5 GB of
    36.4 GB) adds almost none (it used to add 22 % of the whole peak, 8.0 GB)."""
    from lifecycle.memory import overheads as o
    from lifecycle.memory.estimate import training_memory
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    def median_churn_slack(rows):
        return statistics.median((r["steady"]["peak_reserved"] - r["steady"]["peak_allocated"])
                                 / (r["steady"]["peak_allocated"] - r["steady"]["allocated"]) for r in rows)

    train_rows = [r for r in MEASURED if r["kind"] == "train"]
    assert o.SLACK_FRACTION == pytest.approx(median_churn_slack([r for r in train_rows if not r.get("ckpt")]), abs=0.002)
    assert o.SLACK_FRACTION_CHECKPOINTING == pytest.approx(median_churn_slack([r for r in train_rows if r.get("ckpt")]),
                                                           abs=0.005)
    assert o.SLACK_FRACTION_INFERENCE == pytest.approx(median_churn_slack([r for r in MEASURED if r["kind"] == "infer"]),
                                                       abs=0.01)
    est = training_memory(TrainingSetup(model=ModelRef.catalog("llama-65b"), method="qlora"))
    static = sum(est.components[k] for k in ("quantised base weights", "LoRA adapters", "cuBLAS workspaces"))
    slack = est.peak_reserved_bytes - est.peak_allocated_bytes
    assert slack == pytest.approx(o.SLACK_FRACTION_CHECKPOINTING * (est.peak_allocated_bytes - static), rel=0.01)
    assert slack < 0.05 * est.peak_allocated_bytes
