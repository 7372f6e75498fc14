"""Integrate page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("integrate")

VIEWS = [
    ("Decisions", stage_form.for_stage("integrate")),
    ("Serving plan", __import__("ui.serving_plan").serving_plan),
    ("Quantization", __import__("ui.quantization_demo").quantization_demo),
    ("Generation playground", __import__("ui.generation_playground").generation_playground),
    ("Optimize & augment", __import__("ui.optimize_augment").optimize_augment),
]

common.view_selector("integrate", VIEWS, project)
