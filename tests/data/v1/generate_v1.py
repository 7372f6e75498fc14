"""How ``lifecycle-v1.db`` and ``projects-v1.json`` were made (kept as provenance; it runs only at
commit 715de86, the last release that wrote schema-version-1 documents).

The projects are made the way a team made them: scenarios saved by clicking the app's own "Save"
buttons (AppTest), so the v1 ``inputs``/``results`` dicts are exactly what that release's views wrote.

    LIFECYCLE_DATABASE_URL=sqlite:////tmp/v1/lifecycle-v1.db python tests/data/v1/generate_v1.py
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from lifecycle.reports.example import example_project
from lifecycle.store import Store
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[3]
store = Store(os.environ["LIFECYCLE_DATABASE_URL"])


def page(path, project, view, state=None):
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    at.session_state["project_id"] = project.id
    at.session_state["user_name"] = "ann"
    at.query_params["view"] = view
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, at.exception


p = store.create_project("Contract summarizer", description="Summarise supplier contracts for legal.", owner="ann")
p.scope.use_case = "Summarise long supplier contracts into the clauses legal must review."
p.scope.tasks = ["summarization"]
p.scope.input_tokens, p.scope.output_tokens = 3000, 300
p.scope.latency_ms_p95, p.scope.throughput_rps, p.scope.budget_usd = 4000.0, 2.0, 50_000.0
p.scope.data_available = "thousands"
p.select.model_id = "llama-2-7b"
p.integrate.gpu_id, p.integrate.gpu_count, p.integrate.precision = "a100-80gb", 1, "bf16"
p = store.save_project(p, author="ann", section="scope")

at = page("pages/scope.py", p, "Architecture advice")
click(at, "architecture_advice_accept")
at = page("pages/scope.py", p, "Prompt budget")
click(at, "prompt_budget_save")
at = page("pages/select.py", p, "Pre-train your own")
at.text_input(key="pretrain_planner_scenario_name").set_value("Domain model from scratch").run()
click(at, "pretrain_planner_save")

k = "memory_planner_"
at = page("pages/adapt.py", p, "Memory & GPUs")
at.selectbox(key=k + "method").set_value("lora").run()
at.number_input(key=k + "rank").set_value(32).run()
at.number_input(key=k + "gpus").set_value(2).run()
at.selectbox(key=k + "strategy").set_value("zero2").run()
at.selectbox(key=k + "gpu").set_value("a100-80gb").run()
at.number_input(key=k + "tokens").set_value(2.5e8).run()
at.text_input(key=k + "scenario_name").set_value("LoRA r32 on 2xA100, ZeRO-2").run()
click(at, k + "save")
at = page("pages/adapt.py", p, "Memory & GPUs")
at.number_input(key=k + "batch").set_value(1).run()
at.checkbox(key=k + "ckpt").check().run()
at.text_input(key=k + "scenario_name").set_value("Full fine-tune, 1 GPU").run()
click(at, k + "save")
at = page("pages/adapt.py", p, "Memory & GPUs")
at.radio(key=k + "source").set_value("config.json (paste or upload)").run()
at.text_area(key=k + "paste").input((ROOT / "tests/data/model-configs/tinyllama-1.1b.json").read_text()).run()
at.text_input(key=k + "scenario_name").set_value("TinyLlama from its config.json").run()
click(at, k + "save")

k = "memory_serving_"
at = page("pages/integrate.py", p, "Serving memory")
at.text_input(key=k + "scenario_name").set_value("Serve bf16, 8 sequences").run()
click(at, k + "save")
at = page("pages/integrate.py", p, "Serving plan")
click(at, "serving_plan_scenario")
at = page("pages/integrate.py", p, "Generation playground")
at.number_input(key="generation_playground_temperature").set_value(0.7).run()
at.number_input(key="generation_playground_top_k").set_value(50).run()
click(at, "generation_playground_save")
click(at, "generation_playground_scenario")
at = page("pages/adapt.py", p, "Adaptation path")
click(at, "adaptation_path_save")
at = page("pages/adapt.py", p, "Evaluation plan")
click(at, "evaluation_plan_save")

ex = example_project()
store.import_documents([ex.content()], author="example")

odd = store.create_project("Odd legacy record", owner="bob")
odd.integrate.scenarios.append({"kind": "whiteboard", "name": "Numbers from a meeting", "author": "bob",
                                "inputs": {"gpus": 3}, "results": {"cost_usd": 1234.5}, "extra_field": "kept"})
odd.scope.scenarios.append({"kind": "memory", "name": "Half-filled memory scenario", "author": "bob",
                            "inputs": {"model": "Some private model", "workload": "train"},
                            "results": {"peak_allocated_bytes": 12_000_000_000, "fits": False}})
odd.select.model_id = "no-such-model"
store.save_project(odd, author="bob", section="integrate")

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("projects-v1.json")
subprocess.run([sys.executable, "-m", "lifecycle", "projects", "export", "-o", str(out)], check=True)
print(json.dumps([s.name for s in store.list_projects(archived=None)]))
