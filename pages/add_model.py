"""Add a model: a team model from its config.json or typed numbers."""

from ui import add_model, common

common.show_page("select", "Add a model", add_model.render)
