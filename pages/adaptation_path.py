"""Adaptation path: prompting, LoRA, QLoRA, full fine-tuning or alignment, with cost."""

from ui import adaptation_path, common

common.show_page("adapt", "Adaptation path", adaptation_path.render)
