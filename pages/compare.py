"""Compare scenarios: two to four saved scenarios side by side."""

from ui import common, scenario_compare

common.show_page(None, "Compare scenarios", scenario_compare.render)
