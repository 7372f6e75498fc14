"""Catalog: existing models with their model cards; choose one to start from."""

from ui import common, catalog

common.show_page("select", "Catalog", catalog.render)
