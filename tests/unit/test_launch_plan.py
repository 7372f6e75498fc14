"""From plan to run without the tools: the job's numbers, the rent searches against the planner's own
calculators (``training_plan``, ``serving_point`` — the primary source every number here must equal), the
price table with its one access check, and importing measured runs (hostile input refused in one line)."""

from __future__ import annotations

import json
import math

import pytest

from lifecycle.errors import AccessDenied, InvalidInput, NotFound
from lifecycle.launch.choose import job_setup, pick_training_scenario
from lifecycle.launch.from_project import rent_setup, serving_rent_setup
from lifecycle.launch.job import job_plan
from lifecycle.launch.measured import MAX_LOG_BYTES, measured_run
from lifecycle.launch.prices import price_table, shipped_prices
from lifecycle.launch.rent import option_setup, rent_search
from lifecycle.launch.rent_serving import serving_rent_search
from lifecycle.memory.plan import training_plan
from lifecycle.models.gpus import list_gpus
from lifecycle.records.access import Identity
from lifecycle.records.prices import set_team_price
from lifecycle.serving.plan import ServingSetup, serving_point
from tests.support.launch import launch_project


def test_the_job_takes_accumulation_from_the_global_batch_and_nodes_from_the_gpu_count():
    job = job_plan(job_setup(launch_project(), "lora on 4xL4"))
    assert (job.micro_batch, job.gpus, job.grad_accum, job.global_batch, job.num_machines) == (2, 4, 2, 16, 1)
    plan = training_plan(pick_training_scenario(launch_project(), "lora on 4xL4").setup)
    assert job.expected_peak_allocated_bytes == plan.estimate.peak_allocated_bytes
    assert job.expected_cost_usd == pytest.approx(plan.time_and_cost.cost_usd)
    # tokens/s x run time = the plan's training tokens (the same k·N·D time model)
    assert job.expected_tokens_per_s * plan.time_and_cost.seconds == pytest.approx(2e8, rel=1e-9)


def test_no_scenario_named_and_none_chosen_is_one_line_never_the_latest():
    project = launch_project()
    with pytest.raises((InvalidInput, NotFound), match="--scenario"):
        pick_training_scenario(project, None)
    with pytest.raises(NotFound, match="No training scenario"):
        pick_training_scenario(project, "nope")
    with pytest.raises(InvalidInput, match="multiple"):
        job_setup(project, "lora on 4xL4", global_batch=10)


def test_every_fitting_rent_option_is_the_planners_own_answer_for_that_setup():
    setup = rent_setup(launch_project(), deadline_h=24)
    result = rent_search(setup)
    assert result.fitting > 10 and result.configurations_evaluated >= result.fitting
    assert {o.method for o in result.options} <= {"lora", "qlora"}  # the adaptation path is LoRA
    for option in [result.cheapest, result.fastest, *result.pareto[:5], *result.options[::50]]:
        plan = training_plan(option_setup(setup, option))
        assert plan.fits is True, option
        assert plan.time_and_cost.cost_usd == pytest.approx(option.cost_usd, rel=1e-9)
        assert plan.time_and_cost.seconds == pytest.approx(option.time_s, rel=1e-9)
        assert plan.estimate.required_bytes == pytest.approx(option.required_bytes_per_gpu, rel=1e-9, abs=2)
        assert option.gpus * option.micro_batch <= 16  # the global batch caps sequences in flight


@pytest.mark.slow
def test_the_pareto_front_is_undominated_and_the_limits_are_drawn_in():
    result = rent_search(rent_setup(launch_project(), deadline_h=1, budget_usd=5))
    for p in result.pareto:
        assert not any(o.time_s < p.time_s and round(o.cost_usd, 2) < round(p.cost_usd, 2) for o in result.options)
    assert all(o.within_deadline == (o.time_s <= 3600) for o in result.options)
    best = result.best_within_limits
    assert best is None or (best.within_budget and best.within_deadline)


def test_the_search_is_bounded():
    from lifecycle.launch.rent import RentSetup

    with pytest.raises(InvalidInput, match="configurations"):
        RentSetup(model=rent_setup(launch_project()).model, training_tokens=1e9, gpu_counts=tuple(range(1, 4097)),
                  micro_batches=tuple(range(1, 1001)))


def test_serving_options_meet_the_p95_target_and_price_the_requests_they_serve():
    setup = serving_rent_setup(launch_project())
    result = serving_rent_search(setup)
    assert result.best is not None
    prices = dict(setup.prices)
    for o in result.options[:10]:
        point = serving_point(ServingSetup(model=setup.model, precision=o.precision, gpu=o.gpu, gpus=o.gpus_per_replica,
                                           concurrent_sequences=o.batch, prompt_tokens=768, new_tokens=256,
                                           price_usd_per_hour=prices[o.gpu]), o.batch, find_limits=False)
        assert point.fits and point.p95_latency_s * 1000 <= 4000
        assert o.replicas == math.ceil(10 / point.requests_per_s)
        assert o.cost_per_thousand_requests_usd == pytest.approx(prices[o.gpu] * o.gpus_per_replica * o.replicas / 36)
    costs = [o.cost_per_thousand_requests_usd for o in result.options]
    assert costs == sorted(costs)


def test_every_shipped_price_has_a_source_and_a_date_and_a_known_gpu():
    ids = {g.id for g in list_gpus()}
    for price in shipped_prices():
        assert price.gpu_id in ids and price.source and price.date and price.price_usd_per_hour > 0
    assert {p.gpu_id for p in shipped_prices()} == ids


def test_a_team_price_overrides_the_default_and_only_an_admin_may_set_it(store):
    set_team_price(store, "l4", 0.7, source="our contract", date="2026-12")  # the embedded mode administers
    assert price_table(store)["l4"].price_usd_per_hour == 0.7 and price_table(store)["l4"].team
    ann = store.acting_as(Identity(issuer="cli", subject="ann@example.com", email="ann@example.com"))
    with pytest.raises(AccessDenied, match="admin"):
        set_team_price(ann, "l4", 0.1, source="x", date="2026")
    with pytest.raises(InvalidInput):
        set_team_price(store, "l4", float("nan"), source="x", date="2026")
    with pytest.raises(NotFound):
        set_team_price(store, "no-such-gpu", 1.0, source="x", date="2026")


def _log(project, **actual):
    job = job_plan(job_setup(project, "lora on 4xL4"))
    plan = {"scenario_id": pick_training_scenario(project, "lora on 4xL4").id, "global_batch": 16}
    ranks = [{"rank": r, "peak_allocated_bytes": 14 * 2**30 + r, "peak_reserved_bytes": 16 * 2**30, "device": "L4"}
             for r in range(4)]
    body = {"ranks": ranks, "optimizer_steps": 10, "step_s": job.expected_step_s * 1.25,
            "tokens_per_s": job.expected_tokens_per_s * 0.8, **actual}
    return job, json.dumps({"format": "lifecycle-run-log", "version": 1, "plan": plan, "actual": body})


def test_a_gpu_log_gives_plan_vs_actual_errors_and_a_calibrated_mfu():
    project = launch_project()
    job, text = _log(project)
    run = measured_run(project, text)
    assert run.peak_allocated_bytes.actual == 14 * 2**30 + 3  # the largest rank
    assert run.tokens_per_s.error == pytest.approx(-0.2) and run.step_s.error == pytest.approx(0.25)
    assert run.calibrated_mfu == pytest.approx(job.mfu * 0.8)  # time is linear in MFU
    assert len(run.ranks) == 4 and run.device == "L4"


def test_a_trainer_state_needs_its_scenario_and_gives_tokens_per_second():
    project = launch_project()
    state = {"global_step": 50, "log_history": [{"loss": 1.0, "step": 1},
                                                {"train_runtime": 100.0, "train_samples_per_second": 8.0,
                                                 "num_input_tokens_seen": 400_000}]}
    with pytest.raises(InvalidInput, match="--scenario"):
        measured_run(project, json.dumps(state))
    run = measured_run(project, json.dumps(state), scenario="lora on 4xL4")
    assert run.tokens_per_s.actual == 4000.0 and run.step_s.actual == 2.0 and run.source == "trainer_state"


@pytest.mark.parametrize("data, message", [
    (b"{", "not JSON"), (b"[1, 2]", "Not a run log"), (b'{"log_history": 3}', "Not a run log"),
    (b"\xff\xfe", "not JSON"), (b"x" * (MAX_LOG_BYTES + 1), "limit"),
    (b'{"format": "lifecycle-run-log", "plan": {}, "actual": {"tokens_per_s": NaN}}', "finite"),
    (b'{"format": "lifecycle-run-log", "plan": {}, "actual": {"tokens_per_s": -5}}', "non-negative"),
    (b'{"format": "lifecycle-run-log", "plan": {}, "actual": {"ranks": [{"rank": -1}]}}', "out of range"),
    (b'[' * 100_000 + b']' * 100_000, "not JSON"),
])
def test_a_hostile_log_is_refused_in_one_line(data, message):
    with pytest.raises((InvalidInput, NotFound), match=message) as info:
        measured_run(launch_project(), data, scenario="lora on 4xL4")
    assert "\n" not in str(info.value)


def test_without_a_name_the_job_is_the_projects_chosen_training_scenario():
    from lifecycle.records.plan import choose_scenario

    project = choose_scenario(launch_project(), "full on 4xL4")
    assert job_setup(project).scenario.name == "full on 4xL4"
    assert job_setup(project, "lora on 4xL4").scenario.name == "lora on 4xL4"  # a named one still wins


def test_the_shipped_prices_are_one_basis_the_one_every_other_cost_uses():
    """data/gpu_prices.json prices every GPU on data/gpus.json's basis (GPU-focused clouds), so the search ranks
    like for like and a rented plan costs what Memory & GPUs says; hyperscaler list prices are references."""
    gpus = {g.id: g for g in list_gpus()}
    for price in shipped_prices():
        assert price.price_usd_per_hour == gpus[price.gpu_id].price_usd_per_hour
    assert any(p.reference.startswith("AWS EC2") for p in shipped_prices())


def test_a_log_is_measured_against_the_scenario_it_was_exported_from_not_the_one_on_screen():
    project = launch_project()
    _, text = _log(project)  # exported from "lora on 4xL4"
    run = measured_run(project, text, scenario="full on 4xL4")
    assert run.scenario_name == "lora on 4xL4"
