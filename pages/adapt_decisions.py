"""Adapt & Align decisions: the decision record and its saved scenarios, how to run the plan, what to rent."""

from ui import common, launch_view, rent_view, stage_form


def _render(project):
    stage_form.for_stage("adapt")(project)
    launch_view.render(project)
    rent_view.render(project)


common.show_page("adapt", "Adapt & Align decisions", _render)
