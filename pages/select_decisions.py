"""Select decisions: the Select decision record and its saved scenarios."""

from ui import common, stage_form

common.show_page("select", "Select decisions", stage_form.for_stage("select"))
