"""Architecture: which transformer family suits the task, and why."""

from ui import architecture, common

common.show_page("scope", "Architecture", architecture.render)
