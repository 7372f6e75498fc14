"""Prompt budget: zero-, one- and few-shot prompts against the context window."""

from ui import common, prompt_budget

common.show_page("scope", "Prompt budget", prompt_budget.render)
