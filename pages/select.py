"""Select page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("select")

VIEWS = [
    ("Decisions", stage_form.for_stage("select")),
    ("Model catalog", __import__("ui.model_catalog").model_catalog),
    ("Add a model", __import__("ui.add_model").add_model),
    ("Pre-train or adapt", __import__("ui.pretrain_or_adapt").pretrain_or_adapt),
    ("Pre-train your own", __import__("ui.pretrain_planner").pretrain_planner),
]

common.view_selector("select", VIEWS, project)
