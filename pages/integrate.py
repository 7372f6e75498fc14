"""Integrate page: serving plan, quantization, generation settings, optimize and augment."""

from ui import (
                common,
                generation_playground,
                memory_planner,
                optimize_augment,
                quantization_demo,
                scenario_compare,
                serving_plan,
                stage_form,
)

project = common.page_setup("integrate")

VIEWS = [
    ("Serving plan", serving_plan),
    ("Serving memory", memory_planner.render_serving),
    ("Quantization", quantization_demo),
    ("Generation playground", generation_playground),
    ("Optimize & augment", optimize_augment),
    ("Compare scenarios", scenario_compare),
    ("Decisions", stage_form.for_stage("integrate")),
]

common.view_selector("integrate", VIEWS, project)
