"""Adapt & Align page: adaptation path, GPU memory and count, evaluation plan."""

from ui import adaptation_path, common, evaluation_plan, memory_planner, scenario_compare, stage_form

project = common.page_setup("adapt")

VIEWS = [
    ("Adaptation path", adaptation_path),
    ("Memory & GPUs", memory_planner),
    ("Evaluation plan", evaluation_plan),
    ("Compare scenarios", scenario_compare),
    ("Decisions", stage_form.for_stage("adapt")),
]

common.view_selector("adapt", VIEWS, project)
