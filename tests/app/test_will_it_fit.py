"""Will it fit (Select) and the Hugging Face id box (Add a model): the numbers shown are the domain's."""

from __future__ import annotations

import json
from pathlib import Path

from lifecycle.display import format_bytes
from lifecycle.models.catalog import get_model
from lifecycle.models.hub import HubModel
from lifecycle.models.ref import ModelRef
from lifecycle.records.custom_models import list_custom_models
from lifecycle.serving.will_it_fit import FitSetup, fit_matrix
from tests.support.apptest import ok

MIXTRAL = json.loads((Path(__file__).parents[1] / "data" / "moe-configs" / "mixtral-8x7b.json").read_text())


def test_the_fit_table_shows_the_fit_matrix_of_its_widgets(run_page):
    at = ok(run_page("pages/will_it_fit.py"))
    at.selectbox(key="will_it_fit_model").set_value("mistral-7b-v0.1")
    at.selectbox(key="will_it_fit_gpu").set_value("l4")
    at.number_input(key="will_it_fit_short").set_value(4096)
    ok(at.run())
    long = int(at.number_input(key="will_it_fit_long").value)
    matrix = fit_matrix(FitSetup(model=ModelRef.of(get_model("mistral-7b-v0.1")), gpu="l4", short_context=4096,
                                 long_context=long))
    table = at.dataframe[0].value
    row = table[table["format"] == matrix.formats["q4_k_m"]].iloc[0]
    cell = matrix.cell("q4_k_m", "infer_short")
    assert row[matrix.workloads["infer_short"]] == f"{format_bytes(cell.per_gpu_bytes)} · fits"
    qlora = matrix.cell("int4", "qlora")
    shown = table[table["format"] == matrix.formats["int4"]].iloc[0][matrix.workloads["qlora"]]
    assert shown.startswith(format_bytes(qlora.per_gpu_bytes))
    assert len(at.get("plotly_chart")) == 1


def test_a_hugging_face_id_becomes_a_team_model_with_its_commit(run_page, monkeypatch):
    import ui.add_model

    fetched = HubModel(repo_id="mistralai/Mixtral-8x7B-v0.1", revision="main", sha="c" * 40, config=MIXTRAL,
                       hub_params=46_702_792_704, hub_params_by_dtype={"BF16": 46_702_792_704})
    monkeypatch.setattr(ui.add_model, "_fetch", lambda ref: fetched)  # the client itself: test_hub_models.py
    at = ok(run_page("pages/add_model.py"))
    at.text_input(key="add_model_hub_id").set_value("mistralai/Mixtral-8x7B-v0.1").run()
    ok(at)
    assert any("agree" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parameters"] == "46.703B" and metrics["Active per token"] == "12.880B"
    at.button(key="add_model_add").click().run()
    ok(at)
    from ui import common

    saved = {m.model_id: m for m in list_custom_models(common.get_store())}["mixtral-8x7b-v0-1"]
    assert saved.name == "mistralai/Mixtral-8x7B-v0.1@ccccccc" and saved.config["_hub"]["sha"] == "c" * 40


def test_every_calculators_model_picker_takes_a_hugging_face_id(run_page, monkeypatch):
    import ui.integrate_inputs
    from lifecycle.records.custom_models import preview_custom_model

    model = preview_custom_model(MIXTRAL, model_id="hub-model", name="mistralai/Mixtral-8x7B-v0.1@ccccccc")
    monkeypatch.setattr(ui.integrate_inputs, "hub_catalog_model", lambda ref: model.to_catalog_model())
    at = ok(run_page("pages/will_it_fit.py"))
    at.text_input(key="will_it_fit_model_hub").set_value("mistralai/Mixtral-8x7B-v0.1").run()
    ok(at)
    long = int(at.number_input(key="will_it_fit_long").value)
    gpu = at.selectbox(key="will_it_fit_gpu").value
    matrix = fit_matrix(FitSetup(model=ModelRef.of(model.to_catalog_model()), gpu=gpu, long_context=long))
    row = at.dataframe[0].value.iloc[1]  # bf16
    assert row[matrix.workloads["infer_short"]].startswith(format_bytes(matrix.cell("bf16", "infer_short").per_gpu_bytes))
    assert any("46,702,792,704 parameters" in c.value for c in at.caption)


def test_the_catalog_lists_todays_families_with_exact_counts(run_page):
    at = ok(run_page("pages/catalog.py"))
    table = at.dataframe[0].value.set_index("id")
    for model_id in ("mixtral-8x7b", "qwen3-30b-a3b", "deepseek-v3", "gpt-oss-20b", "llama3.1-8b", "gemma3-1b"):
        assert table.loc[model_id, "params"] == get_model(model_id).params
    assert table.loc["mixtral-8x7b", "params"] == 46_702_792_704
