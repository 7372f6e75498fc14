"""Scope page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("scope")

VIEWS = [
    ("Decisions", stage_form.for_stage("scope")),
]

common.view_selector("scope", VIEWS, project)
