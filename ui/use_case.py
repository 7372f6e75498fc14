"""Scope: the use-case form (tasks, domain, languages, lengths, quality, latency, data, constraints)."""

from __future__ import annotations

import streamlit as st

from lifecycle.choices import TrainPrecision, options, title
from lifecycle.errors import LifecycleError
from lifecycle.models.gpus import list_gpus
from lifecycle.models.tasks import get_task, list_tasks, suggest_tasks
from lifecycle.records.project import LIMITS, Project
from lifecycle.records.project_facts import RESEARCH_ONLY
from ui import common
from ui.common import reset_on_project_change

DOMAINS = ["general", "legal", "medical", "finance", "code", "scientific", "other"]
DATA_LABELS = {
    "none": "None yet",
    "few": "A few examples (prompting)",
    "thousands": "Thousands of labelled examples",
    "billions": "Billions of tokens of in-domain text",
}
CONSTRAINTS = ["on-premise", "open licence", "data must stay in-house", "full control of training data", "budget cap",
               RESEARCH_ONLY]
DRAFT_KEY = "use_case_draft"
TASKS_KEY = "use_case_tasks"
LAST_TEXT_KEY = "use_case_last_text"


def _task_label(tag: str) -> str:
    task = get_task(tag)
    return f"{task.name} ({task.id})"


def _limits(field: str, kind: type) -> tuple:
    """(min_value, max_value) of a widget: the document's own bounds (``project.LIMITS``)."""
    low, high = LIMITS[field]
    return kind(low), kind(high)


def _team_facts(scope) -> dict:
    """The facts every calculator starts from (lifecycle.records.project_facts): stated once, here."""
    st.markdown("**Team facts** — every calculator starts from these; a scenario can still change them.")
    gpus = {g.id: g for g in list_gpus()}
    ids = list(gpus)
    c = st.columns(3)
    gpu_id = c[0].selectbox("GPU type available", ids, index=ids.index(scope.gpu_id) if scope and scope.gpu_id in gpus
                            else None, placeholder="Not decided", key="use_case_gpu",
                            format_func=lambda i: f"{gpus[i].name} ({gpus[i].memory_bytes / 1e9:.0f} GB)")
    gpu_count = c[1].number_input("GPUs available", *_limits("gpu_count", int), step=1,
                                  value=scope.gpu_count if scope else None, key="use_case_gpu_count")
    precisions = options(TrainPrecision)[:5]
    precision = c[2].selectbox("Precision preference", precisions, format_func=title, placeholder="No preference",
                               index=precisions.index(scope.precision) if scope and scope.precision in precisions
                               else None, key="use_case_precision")
    c = st.columns(3)
    examples = c[0].number_input("Training examples", *_limits("training_examples", int), step=1000,
                                 value=scope.training_examples if scope else None, key="use_case_examples")
    per_example = c[1].number_input("Tokens per example", *_limits("tokens_per_example", int), step=64,
                                    value=scope.tokens_per_example if scope else None, key="use_case_tokens_per_example")
    epochs = c[2].number_input("Epochs", *_limits("epochs", float), step=1.0,
                               value=scope.epochs if scope else None, key="use_case_epochs")
    c = st.columns(3)
    heads = ["seq-cls", "token-cls"]
    head = c[0].selectbox("Classifier head (encoders)", heads, format_func=title, placeholder="None (language model)",
                          index=heads.index(scope.head) if scope and scope.head in heads else None,
                          key="use_case_head", help="Sequence classification (one label per text) or token "
                                                     "classification (a label per token, e.g. NER).")
    labels = c[1].number_input("Number of labels", *_limits("num_labels", int), step=1,
                               value=scope.num_labels if scope else None, key="use_case_labels")
    return {"head": head, "num_labels": None if labels is None else int(labels),
            "gpu_id": gpu_id, "gpu_count": None if gpu_count is None else int(gpu_count),
            "precision": precision, "training_examples": None if examples is None else int(examples),
            "tokens_per_example": None if per_example is None else int(per_example),
            "epochs": None if epochs is None else float(epochs)}


def render(project: Project | None) -> None:
    reset_on_project_change("use_case_", project)
    scope = project.scope if project is not None else None
    draft = st.session_state.get(DRAFT_KEY, {})
    use_case = st.text_area("What do you want to build?", value=scope.use_case if scope else draft.get("use_case", ""),
                            placeholder="e.g. we want to classify support tickets by urgency", key="use_case_text")
    suggested = suggest_tasks(use_case) if use_case.strip() else []
    if suggested:
        st.caption("Suggested task tags from your description: " + ", ".join(_task_label(t) for t in suggested))
    all_tags = [t.id for t in list_tasks()]
    saved_tasks = (scope.tasks if scope and scope.tasks else draft.get("tasks")) or suggested
    # The task widget's state is set here, never through `default`: saved tasks on first draw, then the
    # suggestions whenever the description changes while no task is picked yet.
    if TASKS_KEY not in st.session_state:
        st.session_state[TASKS_KEY] = [t for t in saved_tasks if t in all_tags]
    elif use_case != st.session_state.get(LAST_TEXT_KEY) and suggested and not st.session_state[TASKS_KEY]:
        st.session_state[TASKS_KEY] = suggested
    st.session_state[LAST_TEXT_KEY] = use_case
    with st.form("use_case_form"):
        tasks = st.multiselect("Task(s) — Hugging Face task tags", all_tags, format_func=_task_label, key=TASKS_KEY)
        left, right = st.columns(2)
        domain_value = scope.domain if scope and scope.domain in DOMAINS else "general"
        domain = left.selectbox("Domain", DOMAINS, index=DOMAINS.index(domain_value), key="use_case_domain")
        languages = right.text_input("Languages (comma-separated codes)",
                                     value=", ".join(scope.languages) if scope else "en", key="use_case_languages")
        input_tokens = left.number_input("Typical input length (tokens)", *_limits("input_tokens", int), step=64,
                                         value=scope.input_tokens if scope else None, key="use_case_input_tokens")
        output_tokens = right.number_input("Typical output length (tokens)", *_limits("output_tokens", int), step=16,
                                           value=scope.output_tokens if scope else None, key="use_case_output_tokens")
        quality_bar = st.text_input("Quality bar", value=scope.quality_bar if scope else "",
                                    placeholder="e.g. macro-F1 >= 0.85 on last quarter's tickets", key="use_case_quality")
        latency = left.number_input("Latency target, p95 (ms)", *_limits("latency_ms_p95", float), step=50.0,
                                    value=scope.latency_ms_p95 if scope else None, key="use_case_latency")
        throughput = right.number_input("Throughput target (requests/s)", *_limits("throughput_rps", float),
                                        step=1.0, value=scope.throughput_rps if scope else None, key="use_case_throughput")
        data_opts = list(DATA_LABELS)
        data_index = data_opts.index(scope.data_available) if scope and scope.data_available in data_opts else None
        data_available = st.radio("Data available", data_opts, index=data_index, format_func=DATA_LABELS.get,
                                  horizontal=True, key="use_case_data")
        constraints = st.multiselect("Constraints", CONSTRAINTS,
                                     default=[c for c in (scope.constraints if scope else []) if c in CONSTRAINTS],
                                     key="use_case_constraints")
        budget = st.number_input("Budget (USD)", *_limits("budget_usd", float), step=1000.0,
                                 value=scope.budget_usd if scope else None, key="use_case_budget")
        facts = _team_facts(scope)
        submitted = st.form_submit_button("Save use case", type="primary", disabled=common.read_only(project))
    if not submitted:
        return
    if not tasks:
        st.error("Choose at least one task tag.")
        return
    values = {"use_case": use_case.strip(), "tasks": tasks, "domain": domain,
                  "languages": [x.strip() for x in languages.split(",") if x.strip()] or ["en"],
                  "input_tokens": None if input_tokens is None else int(input_tokens),
                  "output_tokens": None if output_tokens is None else int(output_tokens), "quality_bar": quality_bar.strip(),
                  "latency_ms_p95": latency, "throughput_rps": throughput, "data_available": data_available,
                  "constraints": constraints, "budget_usd": budget, **facts}
    if project is None:
        st.session_state[DRAFT_KEY] = values
        st.info("Kept for this session. Open a project to save the use case with it.")
        return
    try:
        for key, value in values.items():
            setattr(project.scope, key, value)
    except (LifecycleError, ValueError) as exc:
        st.error(f"Could not use these values: {exc}")
        return
    if common.save_project(project, "scope", summary=f"Use case: {', '.join(tasks)}"):
        st.success(f"Saved: {', '.join(_task_label(t) for t in tasks)}. Next: **Architecture advice**.")
