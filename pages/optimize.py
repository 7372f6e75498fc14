"""Optimize & augment: distillation, quantization, pruning; RAG, tools, guardrails."""

from ui import common, optimize

common.show_page("integrate", "Optimize & augment", optimize.render)
