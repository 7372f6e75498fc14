"""Scope views (Use case, Architecture advice, Prompt budget) and the newcomer's full flow."""


from lifecycle.limits import MAX_TOKENS
from tests.support.apptest import click as _click
from tests.support.apptest import ok as _ok


def test_newcomer_goes_from_a_sentence_to_a_chosen_model_and_a_prompt_budget(run_page, app_env):
    project = app_env.create_project("Support tickets")
    # 1. Use case: the sentence suggests text-classification; saving stores the task with the project.
    at = _ok(run_page("pages/use_case.py", project=project))
    at.text_area(key="use_case_text").input("we want to classify support tickets by urgency").run()
    _ok(at)
    assert "text-classification" in at.multiselect(key="use_case_tasks").value
    at.radio(key="use_case_data").set_value("thousands")
    at.number_input(key="use_case_output_tokens").set_value(5)
    _click(at, "Save use case")
    stored = app_env.get_project(project.id)
    assert stored.scope.tasks == ["text-classification"] and stored.scope.data_available == "thousands"
    assert stored.scope.use_case == "we want to classify support tickets by urgency"

    # 2. Architecture advice: encoder recommended with reasons; accepting saves the family.
    at = _ok(run_page("pages/architecture.py", project=stored))
    text = " ".join(m.value for m in at.markdown)
    assert "Encoder-only" in text and "Good at one task" in text
    _click(at, "Accept Encoder-only")
    stored = app_env.get_project(project.id)
    assert stored.scope.family == "encoder" and stored.scope.scenarios[-1].kind == "architecture"

    # 3. Select: the catalog filtered to models that suit the task; read the card and choose.
    at = _ok(run_page("pages/catalog.py", project=stored))
    at.checkbox(key="model_catalog_suits").check().run()
    _ok(at)
    table = at.dataframe[0].value
    assert set(table["family"]) == {"encoder"} and "bert-base-uncased" in set(table["id"])
    at.selectbox(key="model_catalog_card").select("bert-base-uncased").run()
    _ok(at)
    assert any("Model Card for BERT" in m.value for m in at.markdown)
    _click(at, "Choose BERT-base")
    stored = app_env.get_project(project.id)
    assert stored.select.model_id == "bert-base-uncased" and not stored.select.pretrain_own

    # 4. Prompt budget for the chosen model: counts, what fits in 512 tokens, saved as a scenario.
    at = _ok(run_page("pages/prompt_budget.py", project=stored))
    assert at.selectbox(key="prompt_budget_model").value == "bert-base-uncased"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Context window"] == "512 tokens"
    assert any("estimate" in w.value.lower() for w in at.warning)  # BERT's WordPiece is not the shipped BPE
    _click(at, "Save this check")
    scenario = app_env.get_project(project.id).scope.scenarios[-1]
    assert scenario.kind == "prompt_budget" and scenario.result.context_tokens == 512


def test_use_case_without_tasks_or_project_does_not_save(run_page, app_env):
    at = _ok(run_page("pages/use_case.py"))
    _click(at, "Save use case")
    assert any("at least one task" in e.value for e in at.error)
    at.multiselect(key="use_case_tasks").set_value(["summarization"])
    _click(at, "Save use case")
    assert any("Open a project" in i.value for i in at.info)


def test_use_case_number_inputs_accept_their_extremes(run_page, app_env):
    project = app_env.create_project("Extremes")
    at = _ok(run_page("pages/use_case.py", project=project))
    at.multiselect(key="use_case_tasks").set_value(["chat"])
    for key in ("use_case_input_tokens", "use_case_output_tokens", "use_case_latency", "use_case_throughput",
                "use_case_budget"):
        widget = at.number_input(key=key)
        widget.set_value(int(widget.max) if key.endswith("_tokens") else widget.max)
    _click(at, "Save use case")
    stored = app_env.get_project(project.id)
    assert stored.scope.input_tokens == MAX_TOKENS and stored.scope.budget_usd == 1e12  # lifecycle/limits.py
    _ok(run_page("pages/architecture.py", project=stored))
    _ok(run_page("pages/prompt_budget.py", project=stored))


def test_architecture_advice_for_several_tasks_names_the_covering_family_and_cost(run_page):
    at = _ok(run_page("pages/architecture.py"))
    at.multiselect(key="architecture_advice_tasks").set_value(["ner", "summarization", "chat"]).run()
    _ok(at)
    text = " ".join(m.value for m in at.markdown)
    assert "Decoder-only" in text and "less compute per input token" in text


def test_prompt_budget_extremes_and_bad_examples(run_page):
    at = _ok(run_page("pages/prompt_budget.py"))
    at.selectbox(key="prompt_budget_model").select("gpt2-small").run()
    out = at.number_input(key="prompt_budget_output")
    out.set_value(int(out.max)).run()
    _ok(at)
    assert at.metric[1].value.startswith("0 of")  # nothing fits when the output takes the whole window
    at.number_input(key="prompt_budget_output").set_value(0).run()
    at.text_area(key="prompt_budget_examples").input("no separator here").run()
    _ok(at)
    assert any("no '|'" in e.value.replace("\\", "") for e in at.error)  # shown escaped, as typed
    at.text_input(key="prompt_budget_instruction").input("").run()
    _ok(at)


def test_opening_another_project_redraws_the_form_from_its_answers(run_page, app_env):
    first, second = app_env.create_project("First"), app_env.create_project("Second")
    first.scope.tasks, second.scope.tasks, second.scope.domain = ["chat"], ["ner"], "legal"
    first, second = app_env.save_project(first, section="scope"), app_env.save_project(second, section="scope")
    at = _ok(run_page("pages/use_case.py", project=first))
    assert at.multiselect(key="use_case_tasks").value == ["chat"]
    at.query_params["project"] = str(second.id)
    at.session_state["project_id"] = second.id
    _ok(at.run())
    assert at.multiselect(key="use_case_tasks").value == ["ner"]
    assert at.selectbox(key="use_case_domain").value == "legal"
