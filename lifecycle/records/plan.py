"""The plan the team chose: what each stage's decision points at.

- Scope → an architecture family (``scope.family``; choosing an architecture scenario sets it).
- Select → a model id (``select.model_id``).
- Adapt & Align → one training (or pre-training) scenario, ``adapt.training_scenario_id``, and its
  adaptation path (``adapt.adaptation_path``, from the scenario's method).
- Integrate → one serving (or inference) scenario, ``integrate.serving_scenario_id`` (its GPU, count and
  precision become Integrate's), and the generation settings (``integrate.generation``, from a sampling scenario).

Nothing is ever inferred: a project saved before schema 3, or one where nobody chose, has nothing chosen and
every reader says so and lists the candidates. A pointer whose scenario was removed reads as nothing chosen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.errors import InvalidInput
from lifecycle.records.scenarios import SCENARIO_CLASSES, Scenario

if TYPE_CHECKING:
    from lifecycle.records.project import Project

# scenario kind -> the stage whose decision it becomes
PLAN_STAGE_OF_KIND: dict[str, str] = {
    "architecture": "scope", "training": "adapt", "pretraining": "adapt",
    "serving": "integrate", "inference": "integrate", "sampling": "integrate",
}
# stage -> the kinds of scenario its pointer may name (sampling sets the generation settings, not the pointer)
POINTER_KINDS: dict[str, tuple[str, ...]] = {"adapt": ("training", "pretraining"), "integrate": ("serving", "inference")}
POINTER_FIELD: dict[str, str] = {"adapt": "training_scenario_id", "integrate": "serving_scenario_id"}
# kind -> how a sentence names it: each scenario class says its own (``words``)
KIND_WORDS: dict[str, str] = {cls.model_fields["kind"].default: cls.words for cls in SCENARIO_CLASSES}


class GenerationSettings(BaseModel):
    """The decoding settings Integrate chose, copied from the sampling scenario they were tried in."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    temperature: float = Field(1.0, ge=0, le=100)
    top_k: int | None = Field(None, ge=1)
    top_p: float = Field(1.0, gt=0, le=1)
    do_sample: bool = True
    seed: int = Field(0, ge=0, le=2**32 - 1)
    scenario_id: str | None = Field(None, max_length=64)
    scenario_name: str = Field("", max_length=200)

    def phrase(self) -> str:
        if not self.do_sample:
            return "greedy decoding"
        parts = [f"temperature {self.temperature:g}", f"top-p {self.top_p:g}"]
        if self.top_k:
            parts.append(f"top-k {self.top_k}")
        return ", ".join(parts)


def all_scenarios(project: Project) -> list[tuple[str, Scenario]]:
    """Every saved scenario with the stage whose section holds it."""
    from lifecycle.records.project import STAGES

    return [(key, s) for key in STAGES for s in project.stage(key).scenarios]


def find_scenario(project: Project, id_or_name: str) -> tuple[str, Scenario]:
    """The one scenario with this id, else the one with this name (case-insensitive); InvalidInput otherwise."""
    if not isinstance(id_or_name, str) or not id_or_name.strip():
        raise InvalidInput("Name a scenario by its name or id.")
    wanted = id_or_name.strip()
    pool = all_scenarios(project)
    hits = [(k, s) for k, s in pool if s.id == wanted] or [
        (k, s) for k, s in pool if s.name.casefold() == wanted.casefold()]
    shown = wanted if len(wanted) <= 80 else wanted[:77] + "..."
    if not hits:
        raise InvalidInput(f"Project {project.name!r} has no scenario named or with id {shown!r}.")
    if len(hits) > 1:
        ids = ", ".join(f"{s.id} ({KIND_WORDS.get(s.kind, s.kind)})" for _, s in hits[:6])
        raise InvalidInput(f"{len(hits)} scenarios of project {project.name!r} are named {shown!r}; "
                           f"choose one by id: {ids}.")
    return hits[0]


def chosen_scenario(project: Project, stage: str) -> Scenario | None:
    """The scenario ``stage``'s decision points at (Adapt & Align: training; Integrate: serving), or None when
    nothing is chosen, the stage chooses no scenario (Scope, Select), or the chosen one was removed."""
    project.stage(stage)  # an unknown stage is one line
    field = POINTER_FIELD.get(stage)
    wanted = getattr(project.stage(stage), field, None) if field else None
    if not wanted:
        return None
    for _, s in all_scenarios(project):
        if s.id == wanted and s.kind in POINTER_KINDS[stage]:
            return s
    return None


def candidates(project: Project, stage: str) -> list[Scenario]:
    """The saved scenarios ``stage`` could choose, newest first (what a stage with nothing chosen lists);
    pre-training plans are training candidates only when the team pre-trains its own model."""
    project.stage(stage)
    kinds = POINTER_KINDS.get(stage, ("architecture",) if stage == "scope" else ())
    if stage == "adapt" and not project.select.pretrain_own:
        kinds = ("training",)
    pool = [s for _, s in all_scenarios(project) if s.kind in kinds]
    return sorted(pool, key=lambda s: s.created_at, reverse=True)


def choose_scenario(project: Project, scenario_id_or_name: str) -> Project:
    """A copy of ``project`` whose plan points at the scenario (by id or name); the stage follows from its kind."""
    _, scenario = find_scenario(project, scenario_id_or_name)
    stage = PLAN_STAGE_OF_KIND.get(scenario.kind)
    if stage is None:
        raise InvalidInput(f"Scenario {scenario.name!r} is a {KIND_WORDS.get(scenario.kind, scenario.kind)} "
                           "scenario, which is not part of the plan; choose an architecture, training, "
                           "pre-training, serving, inference or generation-settings scenario.")
    out = project.model_copy(deep=True)
    section = out.stage(stage)
    if scenario.kind == "architecture":
        section.family = scenario.result.recommendation.family
    elif scenario.kind == "sampling":
        s = scenario.setup
        section.generation = GenerationSettings(temperature=s.temperature, top_k=s.top_k, top_p=s.top_p,
                                                do_sample=s.do_sample, seed=s.seed, scenario_id=scenario.id,
                                                scenario_name=scenario.name)
    else:
        setattr(section, POINTER_FIELD[stage], scenario.id)
        if scenario.kind == "training":
            section.adaptation_path = scenario.setup.method
        elif scenario.kind == "serving":
            section.precision, section.gpu_id, section.gpu_count = (
                scenario.setup.precision, scenario.setup.gpu, scenario.setup.gpus)
        elif scenario.kind == "inference" and scenario.setup.gpu:
            section.precision, section.gpu_id, section.gpu_count = (
                scenario.setup.precision, scenario.setup.gpu, scenario.setup.tp)
    return out


def clear_choice(project: Project, stage: str) -> Project:
    """A copy of ``project`` with nothing chosen for ``stage``'s scenario pointer (and its generation settings)."""
    project.stage(stage)
    out = project.model_copy(deep=True)
    if stage in POINTER_FIELD:
        setattr(out.stage(stage), POINTER_FIELD[stage], None)
    if stage == "integrate":
        out.integrate.generation = None
    return out


def forget_scenario(project: Project, scenario_id: str) -> Project:
    """A copy of ``project`` whose plan no longer points at ``scenario_id`` (before the scenario is deleted)."""
    out = project.model_copy(deep=True)
    for stage, field in POINTER_FIELD.items():
        if getattr(out.stage(stage), field) == scenario_id:
            setattr(out.stage(stage), field, None)
    if out.integrate.generation is not None and out.integrate.generation.scenario_id == scenario_id:
        out.integrate.generation = None
    return out


def plan_stage_of(scenario: Scenario) -> str | None:
    """The stage whose plan ``scenario`` can become, or None when it is not part of a plan."""
    return PLAN_STAGE_OF_KIND.get(scenario.kind)


def is_chosen(project: Project, scenario: Scenario) -> bool:
    """Whether ``scenario`` is what its stage's plan points at."""
    stage = PLAN_STAGE_OF_KIND.get(scenario.kind)
    if stage is None:
        return False
    if scenario.kind == "architecture":
        return False  # the family is chosen, not the scenario it came from
    if scenario.kind == "sampling":
        gen = project.integrate.generation
        return gen is not None and gen.scenario_id == scenario.id
    return getattr(project.stage(stage), POINTER_FIELD[stage]) == scenario.id


class CandidateRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: str


class StageChoice(BaseModel):
    """What one stage's decision points at, or that nothing is chosen and what could be (for every reader)."""

    model_config = ConfigDict(frozen=True)

    stage: str
    chosen: bool  # the stage has made its choice
    value: str = ""  # scope: the family; select: the model id (or "pre-train our own model"); adapt: the path
    scenario: CandidateRef | None = None  # adapt / integrate: the chosen scenario
    generation: GenerationSettings | None = None  # integrate
    candidates: list[CandidateRef] = []  # newest first, when no scenario is chosen


def _ref(s: Scenario) -> CandidateRef:
    return CandidateRef(id=s.id, name=s.name, kind=s.kind)


def stage_choice(project: Project, stage: str) -> StageChoice:
    """The plan of one stage, as data (``projects show --json``, the decisions pages, the report)."""
    section = project.stage(stage)
    if stage == "scope":
        return StageChoice(stage=stage, chosen=bool(section.family), value=section.family or "",
                           candidates=[_ref(s) for s in candidates(project, stage)] if not section.family else [])
    if stage == "select":
        value = section.model_id or ("pre-train our own model" if section.pretrain_own else "")
        return StageChoice(stage=stage, chosen=bool(value), value=value)
    chosen = chosen_scenario(project, stage)
    extra = {"value": section.adaptation_path or ""} if stage == "adapt" else {"generation": section.generation}
    return StageChoice(stage=stage, chosen=chosen is not None, scenario=_ref(chosen) if chosen else None,
                       candidates=[] if chosen else [_ref(s) for s in candidates(project, stage)], **extra)
