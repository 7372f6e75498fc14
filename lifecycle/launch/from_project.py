"""The rent searches of a project: its model (Select), lengths, training tokens, budget and targets (Scope,
``records.project_facts.project_facts``), the methods its adaptation path allows, and the team's prices."""

from __future__ import annotations

from lifecycle.errors import InvalidInput
from lifecycle.launch.prices import price_table
from lifecycle.launch.rent import RentSetup
from lifecycle.launch.rent_serving import ServingRentSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.project_facts import project_facts

# which methods each adaptation path allows (None or prompting: all three)
PATH_METHODS = {"lora": ("lora", "qlora"), "qlora": ("qlora", "lora"), "full": ("full",)}


def _model(project) -> ModelRef:
    facts = project_facts(project)
    if not facts.model_id:
        raise InvalidInput(f"Project {project.name!r} has no model yet: choose one on the Select stage.")
    return ModelRef.catalog(facts.model_id)


def _prices(store) -> tuple[tuple[str, float], ...]:
    return tuple((gpu_id, p.price_usd_per_hour) for gpu_id, p in sorted(price_table(store).items()))


def rent_setup(project, *, store=None, deadline_h: float | None = None, global_batch: int | None = None,
               budget_usd: float | None = None, gpus: tuple[str, ...] = ()) -> RentSetup:
    facts = project_facts(project)
    if facts.training_tokens is None:
        raise InvalidInput(f"Project {project.name!r} states no training data: set examples, tokens per example "
                           "and epochs on Use case.")
    if global_batch is None:
        stated = project.adapt.decisions.get("global_batch")
        global_batch = stated if isinstance(stated, int) and not isinstance(stated, bool) and stated > 0 else None
    return RentSetup(model=_model(project), methods=PATH_METHODS.get(project.adapt.adaptation_path or "",
                                                                     ("full", "lora", "qlora")),
                     seq_len=facts.seq_len, training_tokens=facts.training_tokens, prices=_prices(store), mfu=facts.mfu,
                     budget_usd=budget_usd if budget_usd is not None else facts.budget_usd, deadline_h=deadline_h,
                     global_batch=global_batch, gpus=gpus)


def serving_rent_setup(project, *, store=None, gpus: tuple[str, ...] = ()) -> ServingRentSetup:
    facts = project_facts(project)
    return ServingRentSetup(model=_model(project), prompt_tokens=facts.input_tokens, new_tokens=facts.output_tokens,
                            latency_target_ms=facts.latency_ms_p95, throughput_target_rps=facts.throughput_rps,
                            prices=_prices(store), gpus=gpus)
