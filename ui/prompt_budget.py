"""Scope: in-context learning budget — zero/one/few-shot prompt, tokens, examples that fit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.prompting import prompt_budget_result_figure
from lifecycle.display import plural
from lifecycle.errors import LifecycleError
from lifecycle.models.prompting import PromptBudgetSetup, parse_examples, prompt_budget
from lifecycle.models.ref import ModelRef
from lifecycle.records.custom_models import all_models
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from ui import common
from ui.bounds import bounds
from ui.common import reset_on_project_change

DEFAULT_EXAMPLES = ("The checkout page returns a 500 error for every customer | critical\n"
                    "How do I change the email on my invoice? | low\n"
                    "Reports export is slow since this morning | medium")
DEFAULT_MODEL = "llama-2-7b"


def render(project: Project | None) -> None:
    st.subheader("In-context learning budget")
    reset_on_project_change("prompt_budget_", project)
    st.caption("Zero-shot: the instruction and the input only. One-shot and few-shot: solved examples first. "
               "Examples use room in the context window, which must also hold the output.")
    try:
        models = all_models(common.get_store())
    except LifecycleError:
        from lifecycle.models.catalog import list_models
        models = list_models()
    by_id = {m.id: m for m in models}
    chosen = project.select.model_id if project is not None and project.select.model_id in by_id else DEFAULT_MODEL
    ids = list(by_id)
    model_id = st.selectbox("Model", ids, index=ids.index(chosen) if chosen in ids else 0,
                            format_func=lambda i: f"{by_id[i].name} ({i}, {by_id[i].max_context:,} tokens)",
                            key="prompt_budget_model")
    model = by_id[model_id]
    left, right = st.columns(2)
    instruction = left.text_input("Instruction", value="Classify this support ticket by urgency:",
                                  key="prompt_budget_instruction")
    label = right.text_input("Output label", value="Urgency", key="prompt_budget_label")
    query = st.text_input("Input to answer", value="I was charged twice for my subscription", key="prompt_budget_query")
    examples_text = st.text_area("Examples (one per line: input | output)", value=DEFAULT_EXAMPLES, height=120,
                                 key="prompt_budget_examples")
    scope_out = project.scope.output_tokens if project is not None else None
    output_tokens = st.number_input("Tokens to leave for the output", min_value=0, max_value=model.max_context - 1,
                                    value=min(scope_out if scope_out is not None else 5, model.max_context - 1),
                                    key="prompt_budget_output")
    scope_in = project.scope.input_tokens if project is not None else None
    input_tokens = st.number_input("Typical input length (tokens, 0 = the sample input above)",
                                   *bounds(PromptBudgetSetup, "input_tokens"), value=int(scope_in or 0),
                                   key="prompt_budget_input",
                                   help="Default: the project's input length (Scope). Real inputs longer than the "
                                        "sample keep that much room free.")
    try:
        setup = PromptBudgetSetup(model=ModelRef.of(model), instruction=instruction, query=query,
                                  examples=tuple(parse_examples(examples_text)), output_label=label,
                                  output_tokens=int(output_tokens), input_tokens=int(input_tokens) or None)
        budget = prompt_budget(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    (st.success if budget.exact else st.warning)(budget.note[0].upper() + budget.note[1:])
    if model.family != "decoder":
        st.info(f"{common.escape_md(model.name)} is an {model.family} model: in-context learning from examples is a decoder "
                "ability (and of instruction-tuned seq2seq models such as Flan-T5); encoders are fine-tuned instead.")
    a, b, c = st.columns(3)
    a.metric("Context window", f"{budget.context_tokens:,} tokens")
    b.metric("Your examples that fit", f"{budget.max_examples_given_fit} of {len(budget.example_tokens)}")
    c.metric("Examples of this length that would fit", f"{budget.max_examples_typical_fit:,}")
    st.dataframe(pd.DataFrame([{"prompt": f"{r.shots}-shot", "tokens": r.tokens, "planned tokens": r.planned_tokens,
                                "fits with output": "yes" if r.fits else "no"} for r in budget.rows]),
                 hide_index=True, width="stretch")
    common.plotly_chart(prompt_budget_result_figure(budget, shares_window=setup.shares_window), width="stretch",
                    key="prompt_budget_chart")
    kept = (f", {budget.input_reserve_tokens:,} tokens kept for inputs longer than the sample"
            if budget.input_reserve_tokens else "")
    st.caption(f"Room left after the largest fitting prompt and {plural(budget.output_tokens, 'output token')}{kept}: "
               f"{budget.room_left_tokens:,} tokens.")
    st.code(budget.rows[-1].prompt, language=None)
    if project is not None and st.button("Save this check as a scenario", key="prompt_budget_save",
                                                disabled=common.read_only(project)):
        scenario = make_scenario(setup, result=budget, name=f"Prompt budget on {model_id}", author=common.author())
        if common.save_scenario(project, "scope", scenario):
            st.success("Saved.")
