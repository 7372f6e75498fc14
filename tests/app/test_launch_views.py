"""Adapt & Align decisions: the launch files of a training scenario (download), a measured run (upload), and
what to rent (Pareto chart, table, "use as plan"). The files and numbers shown are the domain's for the same
inputs (``run_config``, ``rent_search``)."""

from __future__ import annotations

import io
import json
import zipfile

from lifecycle.launch.choose import job_setup
from lifecycle.launch.files import run_config
from lifecycle.launch.from_project import rent_setup
from lifecycle.launch.rent import rent_search
from lifecycle.records.plan import chosen_scenario
from tests.support.apptest import ok
from tests.support.launch import launch_project

PAGE = "pages/adapt_decisions.py"


def _table(at, column: str):
    """The shown table that has ``column`` (AppTest finds data frames by position, not by key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _project(app_env):
    project = launch_project(project=app_env.create_project("Launch page"))
    return app_env.save_project(project, section="adapt")


def test_the_download_is_the_run_config_of_the_chosen_scenario_batch_and_format(run_page, app_env):
    project = _project(app_env)
    at = ok(run_page(PAGE, project=project))
    lora = next(s for s in project.adapt.scenarios if s.name == "lora on 4xL4")
    at.selectbox(key="launch_scenario").set_value(lora.id).run()
    at.number_input(key="launch_global_batch").set_value(32).run()
    at.selectbox(key="launch_format").set_value("deepspeed").run()
    ok(at)
    picked, batch, fmt, files = at.session_state["launch_files"]
    assert (picked, batch, fmt) == (lora.id, 32, "deepspeed")
    assert files == run_config(job_setup(project, lora.id, global_batch=32), "deepspeed")
    assert json.loads(files["ds_config.json"])["gradient_accumulation_steps"] == 4  # 32 / (2 x 4)
    at.selectbox(key="launch_format").set_value("skypilot").run()
    ok(at)
    assert "sky_task.yaml" in at.session_state["launch_files"][3]


def test_a_global_batch_that_does_not_divide_is_one_error_line(run_page, app_env):
    project = _project(app_env)
    at = ok(run_page(PAGE, project=project))
    at.selectbox(key="launch_scenario").set_value(project.adapt.scenarios[0].id).run()
    at.number_input(key="launch_global_batch").set_value(10).run()
    assert not at.exception and any("not a multiple" in e.value for e in at.error)


def test_an_uploaded_log_is_kept_beside_its_scenario(run_page, app_env):
    project = _project(app_env)
    lora = next(s for s in project.adapt.scenarios if s.name == "lora on 4xL4")
    log = {"format": "lifecycle-run-log", "version": 1, "plan": {"scenario_id": lora.id, "global_batch": 16},
           "actual": {"ranks": [{"rank": 0, "peak_allocated_bytes": 12 * 2**30, "peak_reserved_bytes": 13 * 2**30,
                                 "device": "NVIDIA L4"}], "optimizer_steps": 5, "step_s": 0.3, "tokens_per_s": 4000.0}}
    at = ok(run_page(PAGE, project=project))
    at.file_uploader(key="launch_upload").set_value(("plan_vs_actual.json", json.dumps(log).encode(),
                                                     "application/json")).run()
    next(b for b in at.button if b.label == "Add measured run").click().run()
    ok(at)
    stored = app_env.get_project(project.id).adapt.measured
    assert len(stored) == 1 and stored[0].scenario_id == lora.id and stored[0].tokens_per_s.actual == 4000.0
    table = _table(at, "number")
    assert list(table["actual"])[:1] == [12.0] and any("Calibrated MFU" in m.label for m in at.metric)


def test_what_to_rent_shows_the_domains_search_and_a_row_becomes_the_plan(run_page, app_env):
    project = _project(app_env)
    at = ok(run_page(PAGE, project=project))
    at.number_input(key="rent_deadline").set_value(5.0).run()
    ok(at)
    expected = rent_search(rent_setup(project, deadline_h=5.0, store=app_env))
    table = _table(at, "Pareto")
    assert len(table) == min(50, len(expected.options))
    assert list(table["cost (USD)"])[:5] == [o.cost_usd for o in expected.options[:5]]
    assert any("What to rent" in str(c.proto.spec) for c in at.get("plotly_chart"))
    at.selectbox(key="rent_row").set_value(1).run()
    at.button(key="rent_use").click().run()  # the rent table's own (scenario lists have theirs)
    ok(at)
    stored = app_env.get_project(project.id)
    chosen = chosen_scenario(stored, "adapt")
    option = expected.options[1]
    assert chosen.name.startswith("Rent:") and (chosen.setup.gpu, chosen.setup.gpus) == (option.gpu, option.gpus)
    assert chosen.setup.micro_batch == option.micro_batch and chosen.result.fits


def test_the_serving_search_lists_options_cheapest_per_thousand_requests_first(run_page, app_env):
    at = ok(run_page(PAGE, project=_project(app_env)))
    costs = list(_table(at, "USD / 1,000 requests")["USD / 1,000 requests"])
    assert costs and costs == sorted(costs)


def test_the_zip_holds_every_accelerate_file():
    from lifecycle.launch.files import zip_bytes

    files = run_config(job_setup(launch_project(), "lora on 4xL4"), "accelerate")
    assert sorted(zipfile.ZipFile(io.BytesIO(zip_bytes(files))).namelist()) == sorted(files)


def test_a_team_price_set_on_the_page_is_what_the_search_uses(run_page, app_env, monkeypatch):
    monkeypatch.delenv("LIFECYCLE_USER")  # the embedded mode: its user administers the database
    at = ok(run_page(PAGE, project=_project(app_env)))
    at.selectbox(key="rent_price_gpu").set_value("l4")
    at.number_input(key="rent_price_usd").set_value(0.5)
    at.text_input(key="rent_price_source").set_value("our contract")
    at.text_input(key="rent_price_date").set_value("2026-12")
    next(b for b in at.button if b.label == "Set the team's price").click().run()
    ok(at)
    from lifecycle.launch.prices import price_table

    assert price_table(app_env)["l4"].price_usd_per_hour == 0.5
    project = app_env.get_project("Launch page")
    expected = rent_search(rent_setup(project, store=app_env))
    assert {o.price_usd_per_hour for o in expected.options if o.gpu == "l4"} == {0.5}
    assert list(_table(at, "Pareto")["cost (USD)"]) == [o.cost_usd for o in expected.options[:50]]


def test_a_serving_row_becomes_the_serving_plan(run_page, app_env):
    from lifecycle.launch.from_project import serving_rent_setup
    from lifecycle.launch.rent_serving import serving_rent_search

    project = _project(app_env)
    at = ok(run_page(PAGE, project=project))
    at.selectbox(key="rent_serving_row").set_value(2).run()
    next(b for b in at.button if b.label == "Use as serving plan").click().run()
    ok(at)
    option = serving_rent_search(serving_rent_setup(project, store=app_env)).options[2]
    chosen = chosen_scenario(app_env.get_project(project.id), "integrate")
    assert (chosen.setup.gpu, chosen.setup.gpus, chosen.setup.precision, chosen.setup.concurrent_sequences) == \
        (option.gpu, option.gpus_per_replica, option.precision, option.batch)
    assert chosen.result.p95_latency_s == option.p95_latency_s and chosen.result.fits
