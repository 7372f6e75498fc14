"""Integrate page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("integrate")

VIEWS = [
    ("Decisions", stage_form.for_stage("integrate")),
]

common.view_selector("integrate", VIEWS, project)
