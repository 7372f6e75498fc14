"""Catalog: existing models with their model cards; choose one to start from."""

from ui import common, model_catalog

common.show_page("select", "Catalog", model_catalog.render)
