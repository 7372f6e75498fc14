"""Integrate decisions: the Integrate decision record and its saved scenarios."""

from ui import common, stage_form

common.show_page("integrate", "Integrate decisions", stage_form.for_stage("integrate"))
