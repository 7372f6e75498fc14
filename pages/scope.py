"""Scope page: define the use case, get architecture advice, check the prompt budget."""

from ui import architecture_advice, common, prompt_budget, scenario_compare, stage_form, use_case

project = common.page_setup("scope")

VIEWS = [
    ("Use case", use_case),
    ("Architecture advice", architecture_advice),
    ("Prompt budget", prompt_budget),
    ("Compare scenarios", scenario_compare),
    ("Decisions", stage_form.for_stage("scope")),
]

common.view_selector("scope", VIEWS, project)
