"""Scope page: the lifecycle diagram, then one view at a time."""

from ui import common, stage_form

project = common.page_setup("scope")

VIEWS = [
    ("Decisions", stage_form.for_stage("scope")),
    ("Use case", __import__("ui.use_case").use_case),
    ("Architecture advice", __import__("ui.architecture_advice").architecture_advice),
    ("Prompt budget", __import__("ui.prompt_budget").prompt_budget),
]

common.view_selector("scope", VIEWS, project)
