"""Compare scenarios: two to four saved scenarios side by side."""

from ui import common, compare

common.show_page(None, "Compare scenarios", compare.render)
