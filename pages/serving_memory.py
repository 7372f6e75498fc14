"""Serving memory: weights and KV cache per GPU when serving."""

from ui import common, serving_memory

common.show_page("integrate", "Serving memory", serving_memory.render)
