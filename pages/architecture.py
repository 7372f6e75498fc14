"""Architecture: which transformer family suits the task, and why."""

from ui import architecture_advice, common

common.show_page("scope", "Architecture", architecture_advice.render)
