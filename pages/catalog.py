"""Catalog: existing models with their model cards; choose one to start from."""

from ui import catalog, common

common.show_page("select", "Catalog", catalog.render)
