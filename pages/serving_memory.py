"""Serving memory: weights and KV cache per GPU when serving."""

from ui import common, memory_planner

common.show_page("integrate", "Serving memory", memory_planner.render_serving)
