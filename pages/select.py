"""Select page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("select")

VIEWS = [
    ("Decisions", stage_form.for_stage("select")),
]

common.view_selector("select", VIEWS, project)
