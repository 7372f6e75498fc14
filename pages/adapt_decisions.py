"""Adapt & Align decisions: the Adapt & Align decision record and its saved scenarios."""

from ui import common, stage_form

common.show_page("adapt", "Adapt & Align decisions", stage_form.for_stage("adapt"))
