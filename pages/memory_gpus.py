"""Memory & GPUs: will training fit, on how many GPUs of which kind, with which strategy."""

from ui import common, memory_gpus

common.show_page("adapt", "Memory & GPUs", memory_gpus.render)
