"""Integrate: generation settings made tangible — a next-token distribution before/after temperature,
top-k and top-p, seeded samples, and a small real n-gram language model generating with the same settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lifecycle.charts.sampling import distribution_figure, frequency_figure
from lifecycle.errors import LifecycleError
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from lifecycle.serving.ngram import GenerationSetup, generation_comparison
from lifecycle.serving.sampling import (
    DEFAULT_DISTRIBUTION,
    DEFAULT_DISTRIBUTION_SOURCE,
    SamplingSetup,
    sampling_demo,
)
from ui import common, plan_choice
from ui.bounds import bounds

DEFAULT_TEXT = ", ".join(f"{t} {p:.2f}" for t, p in DEFAULT_DISTRIBUTION.items())
SETTINGS_KEY = "generation_settings"  # project.integrate.decisions[...]


def _settings(project: Project | None) -> dict:
    saved = project.integrate.decisions.get(SETTINGS_KEY, {}) if project is not None else {}
    st.markdown("**Generation settings**")
    do_sample = st.toggle("Random sampling (off: greedy, always the most probable token)",
                          value=bool(saved.get("do_sample", True)), key="generation_playground_do_sample")
    c1, c2, c3, c4 = st.columns(4)
    temperature = c1.number_input("Temperature (0 = greedy)", *bounds(SamplingSetup, "temperature", float), step=0.1,
                                  value=float(saved.get("temperature", 1.0)), key="generation_playground_temperature")
    top_k = c2.number_input("Top-k (0 = off)", *bounds(SamplingSetup, "top_k", low=0), step=1,
                            value=int(saved.get("top_k") or 0), key="generation_playground_top_k")
    top_p = c3.number_input("Top-p", *bounds(SamplingSetup, "top_p", float, low=0.01), step=0.05, value=float(saved.get("top_p", 1.0)),
                            key="generation_playground_top_p")
    max_new = c4.number_input("Max new tokens", *bounds(GenerationSetup, "max_new_tokens"), step=1,
                              value=int(saved.get("max_new_tokens", 40)), key="generation_playground_max_new")
    stops = st.text_input("Stop sequences (comma separated; generation ends when the text ends with one)",
                          value=", ".join(saved.get("stop_sequences", [])), max_chars=200,
                          key="generation_playground_stops")
    return {"temperature": float(temperature), "top_k": int(top_k) or None, "top_p": float(top_p),
            "max_new_tokens": int(max_new), "do_sample": bool(do_sample),
            "stop_sequences": [x.strip() for x in stops.split(",") if x.strip()][:8]}


def render(project: Project | None) -> None:
    st.subheader("Generation settings playground")
    st.caption("Order as in Hugging Face generate: temperature rescales log-probabilities, top-k keeps every token "
               "at least as likely as the k-th (tokens tied with it stay, so more than k can be kept), top-p keeps "
               "the smallest set reaching p; what is kept is renormalised. Random sampling off is greedy decoding: "
               "the settings then change nothing.")
    s = _settings(project)
    if project is not None and st.button("Save these settings to the project", key="generation_playground_save",
                                                disabled=common.read_only(project)):
        project.integrate.decisions[SETTINGS_KEY] = s
        common.save_project(project, "integrate", summary="Saved generation settings")
    _distribution(project, s)
    _ngram(s)


def _distribution(project: Project | None, s: dict) -> None:
    st.markdown("**1 · A next-token distribution**")
    text = st.text_area("Tokens and probabilities ('token probability', comma or line separated; renormalised if "
                        "they do not sum to 1)", value=DEFAULT_TEXT, height=90, key="generation_playground_dist")
    st.caption(f"Default: {DEFAULT_DISTRIBUTION_SOURCE}")
    c1, c2 = st.columns(2)
    seed = c1.number_input("Seed", *bounds(SamplingSetup, "seed"), value=0, step=1, key="generation_playground_seed")
    samples = c2.number_input("Draws", *bounds(SamplingSetup, "samples"), value=1_000, step=100,
                              key="generation_playground_samples")
    try:
        setup = SamplingSetup.from_text(text, temperature=s["temperature"], top_k=s["top_k"], top_p=s["top_p"],
                                        do_sample=s["do_sample"], seed=int(seed), samples=int(samples))
        demo = sampling_demo(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    dist, t = demo.distribution, demo.transformed
    if dist.renormalised:
        st.info(f"Your probabilities summed to {dist.input_sum:.4g}; they were renormalised to 1.")
    common.plotly_chart(distribution_figure(t), width="stretch", key="generation_playground_dist_chart")
    common.plotly_chart(frequency_figure(t.tokens, t.final, demo.frequencies, int(samples), int(seed)), width="stretch",
                    key="generation_playground_freq_chart")
    kept = [{"token": tok, "before": round(b, 4), "after": round(a, 4), "sampled": round(float(f), 4)}
            for tok, b, a, k, f in zip(t.tokens, t.original, t.final, t.kept, demo.frequencies) if k]
    st.dataframe(pd.DataFrame(sorted(kept, key=lambda r: -r["after"])), hide_index=True, width="stretch", height=220)
    if project is not None and st.button("Save as scenario", key="generation_playground_scenario",
                                                disabled=common.read_only(project)):
        name = (f"T={t.temperature:g}, top-k={t.top_k or 'off'}, top-p={t.top_p:g}" if t.do_sample
                else "greedy (sampling off)")
        common.save_scenario(project, "integrate", make_scenario(setup, result=demo, name=name, author=common.author()))
    if project is not None:
        plan_choice.picker(project, [s for s in project.integrate.scenarios if s.kind == "sampling"],
                           "generation_playground_plan_")


def _ngram(s: dict) -> None:
    st.markdown("**2 · A small real language model**")
    c1, c2, c3 = st.columns([3, 1, 1])
    prompt = c1.text_input("Prompt", value="And God said", max_chars=500, key="generation_playground_prompt")
    order = c2.selectbox("n-gram order", [2, 3, 4], index=1, key="generation_playground_order",
                         help="Words of context + 1: higher orders copy the text more faithfully.")
    seed = c3.number_input("Seed ", *bounds(GenerationSetup, "seed"), value=0, step=1, key="generation_playground_gen_seed")
    try:
        out = generation_comparison(GenerationSetup(prompt=prompt, max_new_tokens=s["max_new_tokens"],
                                                    temperature=s["temperature"], top_k=s["top_k"], top_p=s["top_p"],
                                                    do_sample=s["do_sample"], stop_sequences=tuple(s["stop_sequences"]),
                                                    seed=int(seed), order=order))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    src = out.source
    st.caption(f"Word-level {order}-gram model trained at first use on {src['title']} ({out.tokens_trained:,} "
               f"tokens, {out.vocabulary:,} distinct). {src['licence']} Source: {src['source']}")
    mine, greedy = out.sampled, out.greedy
    left, right = st.columns(2)
    left.markdown("Your settings")
    left.info(mine.text)
    right.markdown("Greedy (sampling off), for comparison")
    right.info(greedy.text)
    steps = mine.steps
    a, b, c = st.columns(3)
    a.metric("Distinct words / new words", f"{mine.distinct_ratio():.0%}",
             help="Low when decoding loops, high when it wanders.")
    b.metric("Mean candidates kept per step", f"{np.mean([x.kept for x in steps]):.1f}",
             help="Of the mean candidates the model offered: " + f"{np.mean([x.candidates for x in steps]):.1f}")
    c.metric("Off the greedy path", f"{np.mean([x.rank > 0 for x in steps]):.0%}",
             help="Share of steps whose token was not a most probable one.")
    why = (f"the text reached the stop sequence {mine.stop_sequence!r}" if mine.stop_sequence
           else "max new tokens (this model has no end-of-text token)")
    st.caption(f"Stopped after {len(mine.new_tokens)} new tokens: {why}.")
    with st.expander("Step by step"):
        st.dataframe(pd.DataFrame([{"context": " ".join(x.context) or "(none: unigram)", "candidates": x.candidates,
                                    "kept": x.kept, "token": x.token, "p (model)": round(x.prob_model, 4),
                                    "p (sampled from)": round(x.prob_sampled, 4)} for x in steps]),
                     hide_index=True, width="stretch")
