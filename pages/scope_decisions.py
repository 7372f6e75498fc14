"""Scope decisions: the Scope decision record and its saved scenarios."""

from ui import common, stage_form

common.show_page("scope", "Scope decisions", stage_form.for_stage("scope"))
