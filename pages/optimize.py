"""Optimize & augment: distillation, quantization, pruning; RAG, tools, guardrails."""

from ui import common, optimize_augment

common.show_page("integrate", "Optimize & augment", optimize_augment.render)
