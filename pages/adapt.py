"""Adapt & Align page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("adapt")

VIEWS = [
    ("Decisions", stage_form.for_stage("adapt")),
    ("Evaluation plan", __import__("ui.evaluation_plan").evaluation_plan),
]

common.view_selector("adapt", VIEWS, project)
