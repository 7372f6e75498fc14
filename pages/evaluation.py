"""Evaluation: metrics and benchmarks for the task, with targets."""

from ui import common, evaluation

common.show_page("adapt", "Evaluation", evaluation.render)
