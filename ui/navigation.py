"""The app's pages, once: ``app.py`` registers them with ``st.navigation``, the sidebar and the
lifecycle strip link to them, and tests and benchmarks enumerate them from here.

A page's ``url_path`` is its file's stem, so the URL a colleague opens (``/memory_gpus?project=3``)
names the same file Streamlit's legacy ``pages/`` discovery would pick for it on a fresh server
(see ``ui.common.ensure_app_navigation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the app root: "pages/use_case.py"
    title: str
    icon: str
    section: str  # the navigation section (a stage title, or "Projects" / "Share")
    stage: str | None = None  # the lifecycle stage the page belongs to, when it belongs to one
    calculator: bool = False  # reads a Setup from widgets and shows a Result

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


def _p(stem: str, title: str, icon: str, section: str, stage: str | None = None, calculator: bool = False) -> PageSpec:
    return PageSpec(f"pages/{stem}.py", title, f":material/{icon}:", section, stage, calculator)


PAGES: tuple[PageSpec, ...] = (
    _p("projects", "Projects", "folder_open", "Projects"),
    _p("use_case", "Use case", "target", "Scope", "scope"),
    _p("architecture", "Architecture", "account_tree", "Scope", "scope", True),
    _p("prompt_budget", "Prompt budget", "short_text", "Scope", "scope", True),
    _p("scope_decisions", "Scope decisions", "gavel", "Scope", "scope"),
    _p("catalog", "Catalog", "menu_book", "Select", "select"),
    _p("pretrain_or_adapt", "Pre-train or adapt", "call_split", "Select", "select", True),
    _p("pretrain_own", "Pre-train your own", "model_training", "Select", "select", True),
    _p("will_it_fit", "Will it fit", "memory", "Select", "select", True),
    _p("add_model", "Add a model", "add_box", "Select", "select"),
    _p("select_decisions", "Select decisions", "gavel", "Select", "select"),
    _p("adaptation_path", "Adaptation path", "alt_route", "Adapt & Align", "adapt", True),
    _p("memory_gpus", "Memory & GPUs", "memory", "Adapt & Align", "adapt", True),
    _p("evaluation", "Evaluation", "fact_check", "Adapt & Align", "adapt", True),
    _p("adapt_decisions", "Adapt & Align decisions", "gavel", "Adapt & Align", "adapt"),
    _p("serving", "Serving", "dns", "Integrate", "integrate", True),
    _p("serving_memory", "Serving memory", "memory_alt", "Integrate", "integrate", True),
    _p("quantization", "Quantization", "compress", "Integrate", "integrate", True),
    _p("generation", "Generation", "auto_awesome", "Integrate", "integrate", True),
    _p("optimize", "Optimize & augment", "bolt", "Integrate", "integrate"),
    _p("integrate_decisions", "Integrate decisions", "gavel", "Integrate", "integrate"),
    _p("compare", "Compare scenarios", "compare_arrows", "Share"),
    _p("report", "Report", "description", "Share"),
)
BY_FILE: dict[str, PageSpec] = {p.file: p for p in PAGES}
HOME = PAGES[0]

# The stage pages of the first version (``/scope?view=…``): an old link lands on the page that view became.
LEGACY_VIEWS: dict[str, dict[str, str]] = {
    "scope": {"Use case": "use_case", "Architecture advice": "architecture", "Prompt budget": "prompt_budget",
              "Compare scenarios": "compare", "Decisions": "scope_decisions"},
    "select": {"Model catalog": "catalog", "Pre-train or adapt": "pretrain_or_adapt",
               "Pre-train your own": "pretrain_own", "Add a model": "add_model", "Compare scenarios": "compare",
               "Decisions": "select_decisions"},
    "adapt": {"Adaptation path": "adaptation_path", "Memory & GPUs": "memory_gpus", "Evaluation plan": "evaluation",
              "Compare scenarios": "compare", "Decisions": "adapt_decisions"},
    "integrate": {"Serving plan": "serving", "Serving memory": "serving_memory", "Quantization": "quantization",
                  "Generation playground": "generation", "Optimize & augment": "optimize",
                  "Compare scenarios": "compare", "Decisions": "integrate_decisions"},
}


def stage_pages(stage: str) -> list[PageSpec]:
    return [p for p in PAGES if p.stage == stage]


def sections() -> dict[str, list[PageSpec]]:
    out: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        out.setdefault(spec.section, []).append(spec)
    return out


def legacy_target(stage: str, view: str | None) -> PageSpec:
    """Where an old ``/<stage>?view=<title>`` link goes: that view's page, else the stage's first page."""
    stem = LEGACY_VIEWS.get(stage, {}).get(view or "")
    return BY_FILE[f"pages/{stem}.py"] if stem else stage_pages(stage)[0]
