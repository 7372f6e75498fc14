"""Warm the server once, in the background, so no visitor pays for first imports.

A page's first run in a fresh server spends about a second importing the view, the domain, Plotly and
pandas and building its first figure (Plotly creates its trace validators lazily); Prompt budget loads the
GPT-2 tokenizer and Generation trains its n-gram model on first use. ``start()`` runs that
once per process on a daemon thread: ``app.py`` calls it on every run (a no-op after the first), and
``lifecycle app`` triggers the first run as soon as the server is up, through Streamlit's script health
check, so even the first visitor finds a warm server (``benchmarks/browser.py --cold`` measures it).
"""

from __future__ import annotations

import importlib
import threading

_lock = threading.Lock()
_started = False
VIEWS = ("ui.architecture", "ui.prompt_budget", "ui.use_case", "ui.catalog", "ui.pretrain_or_adapt",
         "ui.pretrain_own", "ui.add_model", "ui.adaptation_path", "ui.memory_gpus", "ui.evaluation",
         "ui.serving", "ui.quantization", "ui.generation", "ui.optimize",
         "ui.compare", "ui.stage_form", "ui.project_admin")
DOMAIN = ("lifecycle.charts.memory", "lifecycle.charts.scaling", "lifecycle.charts.serving",
          "lifecycle.charts.sampling", "lifecycle.charts.prompting", "lifecycle.charts.architecture",
          "lifecycle.reports")


def start() -> None:
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_warm, name="lifecycle-warmup", daemon=True).start()


def _warm() -> None:
    try:
        for name in (*VIEWS, *DOMAIN):
            importlib.import_module(name)
        import plotly.graph_objects as go

        from lifecycle.models.prompting import count_tokens
        from lifecycle.serving.ngram import load_model

        count_tokens("warm up", "gpt2-small")  # loads the GPT-2 tokenizer (Prompt budget)
        load_model()  # trains the default n-gram model (Generation)

        # The first figure of each trace type builds Plotly's validators; serialising builds the JSON encoder.
        go.Figure([go.Bar(x=[1], y=[1]), go.Scatter(x=[1], y=[1])]).update_layout(barmode="stack").to_json()
    except Exception:  # noqa: BLE001 — warming is an optimisation; a failure here shows up on the page itself
        return
