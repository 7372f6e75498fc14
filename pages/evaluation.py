"""Evaluation: metrics and benchmarks for the task, with targets."""

from ui import common, evaluation_plan

common.show_page("adapt", "Evaluation", evaluation_plan.render)
