"""Serving: latency, throughput and cost of serving on the chosen GPUs."""

from ui import common, serving

common.show_page("integrate", "Serving", serving.render)
