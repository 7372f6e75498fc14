"""Serving: latency, throughput and cost of serving on the chosen GPUs."""

from ui import common, serving_plan

common.show_page("integrate", "Serving", serving_plan.render)
