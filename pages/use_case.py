"""Use case: the task, domain, lengths and targets, and the team's facts every calculator starts from."""

from ui import common, use_case

common.show_page("scope", "Use case", use_case.render)
