"""Which training scenario a launch is written from: the one the team named, or the project's chosen one
(``records.plan.chosen_scenario``) — never silently "the latest"."""

from __future__ import annotations

from lifecycle.errors import InvalidInput, NotFound
from lifecycle.launch.job import JobSetup
from lifecycle.records.plan import chosen_scenario
from lifecycle.records.project_facts import project_facts
from lifecycle.records.scenarios import TrainingScenario


def training_scenarios(project) -> list[TrainingScenario]:
    return [s for s in project.adapt.scenarios if isinstance(s, TrainingScenario)]


def chosen_training_scenario(project) -> TrainingScenario | None:
    """The project's chosen Adapt & Align scenario, where the project document records one."""
    chosen = chosen_scenario(project, "adapt")
    return chosen if isinstance(chosen, TrainingScenario) else None


def pick_training_scenario(project, name_or_id: str | None) -> TrainingScenario:
    """The training scenario ``name_or_id`` (its id, or its exact name), else the chosen one; one clear line
    when there is none."""
    found = training_scenarios(project)
    if name_or_id is None:
        chosen = chosen_training_scenario(project)
        if chosen is not None:
            return chosen
        if not found:
            raise NotFound(f"Project {project.name!r} has no saved training scenario; save one on Memory & GPUs.")
        names = ", ".join(repr(s.name) for s in found[:10])
        raise InvalidInput(f"Name the training scenario to launch with --scenario (the project has no chosen one): {names}.")
    key = name_or_id.strip()
    for s in found:
        if s.id == key:
            return s
    by_name = [s for s in found if s.name == key]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise InvalidInput(f"{len(by_name)} training scenarios are named {key!r}; name one by its id "
                           f"({', '.join(s.id for s in by_name)}).")
    names = ", ".join(repr(s.name) for s in found[:10]) or "none"
    raise NotFound(f"No training scenario {key!r} in {project.name!r}; its training scenarios: {names}.")


def job_setup(project, name_or_id: str | None = None, *, global_batch: int | None = None) -> JobSetup:
    """The job of a project's training scenario: epochs from the project's facts, the global batch as given
    or from the Adapt & Align decision ``global_batch`` (else one micro-batch per GPU)."""
    scenario = pick_training_scenario(project, name_or_id)
    if global_batch is None:
        stated = project.adapt.decisions.get("global_batch")
        global_batch = stated if isinstance(stated, int) and not isinstance(stated, bool) and stated > 0 else None
    return JobSetup(scenario=scenario, global_batch=global_batch, epochs=project_facts(project).epochs,
                    project=project.name)
