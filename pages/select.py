"""Select page: choose a model from the catalog, or decide to pre-train and size it."""

from ui import (
    add_model,
    common,
    model_catalog,
    pretrain_or_adapt,
    pretrain_planner,
    scenario_compare,
    stage_form,
)

project = common.page_setup("select")

VIEWS = [
    ("Model catalog", model_catalog),
    ("Pre-train or adapt", pretrain_or_adapt),
    ("Pre-train your own", pretrain_planner),
    ("Add a model", add_model),
    ("Compare scenarios", scenario_compare),
    ("Decisions", stage_form.for_stage("select")),
]

common.view_selector("select", VIEWS, project)
