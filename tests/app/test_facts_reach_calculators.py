"""Project facts are the defaults of every calculator (issue 24): each page, opened on a project whose facts
are all away from the general defaults, builds a Setup that carries them. The domain function is wrapped
(a spy that records the Setup it is called with), so what is checked is what the page computed, not what it
shows."""

from __future__ import annotations

import pytest

from tests.support.apptest import ok


@pytest.fixture
def spy(monkeypatch):
    """``spy(module, name)`` wraps ``module.name`` and returns the list of Setups it was called with."""
    import importlib

    def install(module: str, name: str) -> list:
        mod = importlib.import_module(module)
        real, calls = getattr(mod, name), []

        def wrapper(setup, *args, **kwargs):
            calls.append(setup)
            return real(setup, *args, **kwargs)

        monkeypatch.setattr(mod, name, wrapper)
        return calls

    return install


def _project(app_env, model_id: str = "llama-2-7b", **scope):
    project = app_env.create_project(f"Facts {model_id} {len(scope)}")
    s = project.scope
    s.gpu_id, s.gpu_count, s.precision = "l4", 4, "amp_fp16"  # defaults: H100, 1, amp_bf16
    s.input_tokens, s.output_tokens = 900, 124  # defaults: 512, 256
    s.training_examples, s.tokens_per_example, s.epochs = 50_000, 3_000, 2.0  # defaults: none, none, 1
    s.latency_ms_p95, s.data_available, s.tasks = 8_000.0, "thousands", ["text-generation"]
    s.head, s.num_labels = scope.pop("head", None), scope.pop("num_labels", None)
    for key, value in scope.items():
        setattr(s, key, value)
    project.select.model_id = model_id
    project.integrate.precision, project.integrate.gpu_count = "int8", 2  # defaults: the project's, 1
    return app_env.save_project(project, author="tester", section="scope")


def test_adaptation_path_sizes_the_teams_examples_gpus_precision_and_lengths(run_page, app_env, spy):
    calls = spy("ui.adaptation_path", "adaptation_advice")
    ok(run_page("pages/adaptation_path.py", project=_project(app_env)))
    x = calls[-1]
    assert (x.gpu, x.gpus, x.precision) == ("l4", 4, "amp_fp16")
    assert (x.training_examples, x.tokens_per_example, x.epochs) == (50_000, 3_000, 2.0)
    assert x.seq_len == 900 + 124 and x.model.id == "llama-2-7b"


def test_memory_and_gpus_trains_on_the_teams_facts_and_labels(run_page, app_env, spy):
    calls = spy("ui.memory_gpus", "training_plan")
    ok(run_page("pages/memory_gpus.py", project=_project(app_env, "bert-base-uncased", head="token-cls",
                                                         num_labels=9)))
    x = calls[-1]
    assert (x.gpu, x.gpus, x.precision, x.seq_len) == ("l4", 4, "amp_fp16", 900)  # an encoder: input only
    assert (x.head, x.num_labels) == ("token-cls", 9)
    assert x.training_tokens == 50_000 * 3_000 * 2.0


def test_serving_memory_takes_integrates_precision_and_gpu_count(run_page, app_env, spy):
    calls = spy("ui.memory_gpus", "inference_plan")
    ok(run_page("pages/serving_memory.py", project=_project(app_env)))
    x = calls[-1]
    assert (x.precision, x.tp, x.gpu, x.prompt_tokens, x.new_tokens) == ("int8", 2, "l4", 900, 124)


def test_serving_takes_the_lengths_gpu_and_targets(run_page, app_env, spy):
    calls = spy("ui.serving", "serving_plan")
    ok(run_page("pages/serving.py", project=_project(app_env, "t5-large")))
    x = calls[-1]
    assert (x.precision, x.gpus, x.gpu) == ("int8", 2, "l4")
    assert (x.prompt_tokens, x.new_tokens) == (512, 124)  # t5-large: its 512-token encoder window caps the 900
    assert x.latency_target_ms == 8_000.0


def test_will_it_fit_takes_the_projects_lengths_and_gpu(run_page, app_env, spy):
    calls = spy("ui.will_it_fit", "fit_matrix")
    ok(run_page("pages/will_it_fit.py", project=_project(app_env)))
    x = calls[-1]
    assert (x.gpu, x.short_context, x.new_tokens) == ("l4", 900 + 124, 124)


def test_will_it_fit_shows_encoder_rows(run_page, app_env):
    at = ok(run_page("pages/will_it_fit.py", project=_project(app_env, "bert-base-uncased")))
    table = at.dataframe[0].value
    bf16 = table[table["format"] == "bf16"].iloc[0]
    assert bf16["inference, short context"] != "—" and "fits" in bf16["inference, short context"]


def test_prompt_budget_keeps_room_for_the_projects_input(run_page, app_env, spy):
    calls = spy("ui.prompt_budget", "prompt_budget")
    ok(run_page("pages/prompt_budget.py", project=_project(app_env)))
    assert (calls[-1].input_tokens, calls[-1].output_tokens) == (900, 124)


def test_architecture_checks_latency_on_the_teams_gpu_and_precision(run_page, app_env, spy):
    calls = spy("ui.architecture", "architecture_advice")
    at = ok(run_page("pages/architecture.py", project=_project(app_env)))
    x = calls[-1]
    assert (x.gpu, x.precision, x.latency_ms_p95, x.output_tokens) == ("l4", "fp16", 8_000.0, 124)
    assert any("NVIDIA L4" in m.value for m in at.markdown)


def test_defaults_never_raise_on_a_gpu_without_bf16(run_page, app_env):
    project = app_env.create_project("T4 team")
    project.scope.gpu_id, project.select.model_id = "t4", "bert-base-uncased"
    project = app_env.save_project(project, author="tester", section="scope")
    for page in ("pages/serving.py", "pages/memory_gpus.py", "pages/serving_memory.py", "pages/adaptation_path.py"):
        at = ok(run_page(page, project=project))
        assert not at.error, page


def test_pretraining_is_sized_on_the_teams_gpus(run_page, app_env, spy):
    calls = spy("ui.pretrain_own", "pretraining_plan")
    ok(run_page("pages/pretrain_own.py", project=_project(app_env)))
    assert (calls[-1].gpu, calls[-1].gpus) == ("l4", 4)


def test_pretrain_or_adapt_reads_the_teams_gpus_budget_domain_and_data(run_page, app_env, spy):
    calls = spy("ui.pretrain_or_adapt", "pretrain_decision")
    ok(run_page("pages/pretrain_or_adapt.py", project=_project(app_env, budget_usd=250_000.0, domain="medical")))
    x = calls[-1]
    assert (x.gpu, x.gpus, x.budget_usd, x.domain, x.data_available) == ("l4", 4, 250_000.0, "medical", "thousands")


def test_the_model_card_warns_about_the_teams_languages_and_a_non_commercial_licence(run_page, app_env):
    project = app_env.create_project("Translation")
    project.scope.languages = ["en", "fr", "de", "es", "ja", "pt", "it"]
    project.select.model_id = "flan-t5-large"
    project = app_env.save_project(project, author="tester", section="scope")
    at = ok(run_page("pages/catalog.py", project=project))
    assert any("not trained for" in w.value and "ja" in w.value for w in at.warning)
    project.select.model_id = "llama-13b"
    project = app_env.save_project(project, author="tester", section="select")
    at = ok(run_page("pages/catalog.py", project=project))
    assert any("does not allow commercial use" in w.value for w in at.warning)


def test_the_use_case_page_saves_a_classifiers_head_and_labels_as_team_facts(run_page, app_env):
    from tests.support.apptest import click

    project = app_env.create_project("Clinical NER")
    at = ok(run_page("pages/use_case.py", project=project))
    at.text_area(key="use_case_text").input("De-identify clinical notes: detect patient names (PHI)").run()
    assert ok(at).multiselect(key="use_case_tasks").value == ["ner"]
    at.selectbox(key="use_case_head").set_value("token-cls")
    at.number_input(key="use_case_labels").set_value(9)
    click(at, "Save use case")
    stored = app_env.get_project(project.id)
    assert (stored.scope.head, stored.scope.num_labels) == ("token-cls", 9)


def test_the_new_widgets_reach_their_setups(run_page, app_env, spy):
    project = _project(app_env)
    advice = spy("ui.adaptation_path", "adaptation_advice")
    at = ok(run_page("pages/adaptation_path.py", project=project))
    at.number_input(key="adaptation_path_gpus").set_value(2)
    at.number_input(key="adaptation_path_examples").set_value(1234)
    at.number_input(key="adaptation_path_tokens_per_example").set_value(777).run()
    ok(at)
    assert (advice[-1].gpus, advice[-1].training_examples, advice[-1].tokens_per_example) == (2, 1234, 777)
    at.number_input(key="adaptation_path_gpus").set_value(0).run()
    assert ok(at) and advice[-1].gpus is None  # 0: the fewest GPUs that fit

    fit = spy("ui.will_it_fit", "fit_matrix")
    at = ok(run_page("pages/will_it_fit.py", project=project))
    at.number_input(key="will_it_fit_new").set_value(64)
    at.number_input(key="will_it_fit_short").set_value(3000).run()
    assert ok(at) and (fit[-1].new_tokens, fit[-1].short_context) == (64, 3000)

    budget = spy("ui.prompt_budget", "prompt_budget")
    at = ok(run_page("pages/prompt_budget.py", project=project))
    at.number_input(key="prompt_budget_input").set_value(2000).run()
    assert ok(at) and budget[-1].input_tokens == 2000
    assert any("kept for inputs longer than the sample" in c.value for c in at.caption)
