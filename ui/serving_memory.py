"""Integrate: the Memory & GPUs planner for serving, on its own page (its widgets keep their own keys)."""

from __future__ import annotations

from lifecycle.records.project import Project
from ui import memory_gpus


def render(project: Project | None) -> None:
    memory_gpus.render_for_stage(project, stage="integrate", k="memory_serving_")
