"""Import a run's log against its plan: the exported job's ``plan_vs_actual.json`` or Hugging Face Trainer's
``trainer_state.json``, validated and bounded, turned into a ``records.measured.MeasuredRun`` beside its
training scenario — plan vs actual per number, the error, and the MFU the run achieved (planned MFU × actual
tokens/s ÷ planned tokens/s: the planner's time model is linear in MFU), which a team can adopt as its default.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import ValidationError

from lifecycle.errors import InvalidInput
from lifecycle.launch.choose import pick_training_scenario, training_scenarios
from lifecycle.launch.job import JobSetup, job_plan
from lifecycle.launch.script import LOG_FORMAT
from lifecycle.records.measured import MeasuredRun, PlanVsActual, RankPeak

MAX_LOG_BYTES = 5_000_000
MAX_MEASURED_PER_PROJECT = 200


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InvalidInput(f"The log's {what} must be a non-negative finite number (got {str(value)[:40]!r}).")
    return float(value)


def _pair(planned: float | None, actual: float | None) -> PlanVsActual:
    error = actual / planned - 1 if planned and actual is not None else None
    return PlanVsActual(planned=planned, actual=actual, error=error)


def read_log(data: bytes | str) -> dict:
    """The log as a dict, or one line saying why not (too large, not JSON, neither known kind)."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_LOG_BYTES:
        raise InvalidInput(f"The log is {len(raw) / 1e6:.1f} MB; the limit is {MAX_LOG_BYTES / 1e6:.0f} MB.")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInput(f"The log is not JSON: {str(exc).splitlines()[0][:120]}") from None
    if not isinstance(doc, dict) or not (doc.get("format") == LOG_FORMAT or isinstance(doc.get("log_history"), list)):
        raise InvalidInput(f"Not a run log: expected the exported job's {LOG_FORMAT} JSON or a trainer_state.json.")
    return doc


def measured_run(project, data: bytes | str, *, file_name: str = "", scenario: str | None = None,
                 author: str = "") -> MeasuredRun:
    """The log ``data`` measured against its training scenario of ``project`` (the log names it; a
    trainer_state.json needs ``scenario``)."""
    doc = read_log(data)
    ours = doc.get("format") == LOG_FORMAT
    plan_doc = doc.get("plan") if ours and isinstance(doc.get("plan"), dict) else {}
    logged = str(plan_doc.get("scenario_id"))[:64] if plan_doc.get("scenario_id") else None
    known = {s.id for s in training_scenarios(project)}
    # the scenario the log was exported from, when the project still has it; else the one named; else the chosen one
    chosen = pick_training_scenario(project, logged if logged in known else scenario)
    batch = plan_doc.get("global_batch")
    batch = batch if isinstance(batch, int) and not isinstance(batch, bool) and batch > 0 else None
    try:
        job = job_plan(JobSetup(scenario=chosen, global_batch=batch, project=project.name))
    except InvalidInput:
        job = job_plan(JobSetup(scenario=chosen, project=project.name))
    notes: list[str] = []
    try:
        if ours:
            actual = doc.get("actual") if isinstance(doc.get("actual"), dict) else {}
            ranks_raw = actual.get("ranks") if isinstance(actual.get("ranks"), list) else []
            ranks = [RankPeak(rank=int(r.get("rank", i)), peak_allocated_bytes=r.get("peak_allocated_bytes"),
                              peak_reserved_bytes=r.get("peak_reserved_bytes"), device=str(r.get("device", ""))[:200])
                     for i, r in enumerate(ranks_raw[:4096]) if isinstance(r, dict)]
            tps, step = _number(actual.get("tokens_per_s"), "tokens per second"), _number(actual.get("step_s"), "step time")
            steps = int(_number(actual.get("optimizer_steps"), "optimizer steps") or 0)
            if actual.get("tiny_random"):
                notes.append("A tiny random model ran (a pipeline check): its numbers are not the plan's model.")
        else:
            ranks = []
            history = [h for h in doc["log_history"][:100_000] if isinstance(h, dict)]
            final = next((h for h in reversed(history) if "train_runtime" in h), {})
            runtime = _number(final.get("train_runtime"), "train_runtime")
            steps = int(_number(doc.get("global_step"), "global_step") or 0)
            seen = _number(doc.get("num_input_tokens_seen") or final.get("num_input_tokens_seen"), "tokens seen")
            samples_per_s = _number(final.get("train_samples_per_second"), "train_samples_per_second")
            if seen and runtime:
                tps = seen / runtime
            elif samples_per_s is not None:
                tps = samples_per_s * job.seq_len
                notes.append("Tokens/s = samples/s × the planned sequence length (no token count in the log).")
            else:
                tps = None
            step = runtime / steps if runtime and steps else None
            notes.append("trainer_state.json has no memory peaks; export the planner's job to measure them.")
    except (ValidationError, TypeError, ValueError) as exc:
        raise InvalidInput(f"The log has a value out of range: {str(exc).splitlines()[0][:120]}") from None
    alloc = [r.peak_allocated_bytes for r in ranks if r.peak_allocated_bytes is not None]
    reserved = [r.peak_reserved_bytes for r in ranks if r.peak_reserved_bytes is not None]
    device = next((r.device for r in ranks if r.device), "")
    tokens = _pair(job.expected_tokens_per_s, tps)
    calibrated = job.mfu * tps / job.expected_tokens_per_s if tps and not any("tiny" in n for n in notes) else None
    if calibrated is not None and calibrated > 1:
        notes.append("The run beat the GPU's dense peak at this MFU: check the log's GPU and model.")
    try:
        return MeasuredRun(
            scenario_id=chosen.id, scenario_name=chosen.name, source="lifecycle-run-log" if ours else "trainer_state",
            file_name="".join(c for c in file_name if c.isprintable())[:300], author=author[:200], device=device,
            optimizer_steps=steps, ranks=ranks,
            peak_allocated_bytes=_pair(float(job.expected_peak_allocated_bytes), float(max(alloc)) if alloc else None),
            peak_reserved_bytes=_pair(float(job.expected_peak_reserved_bytes), float(max(reserved)) if reserved else None),
            tokens_per_s=tokens, step_s=_pair(job.expected_step_s, step), planned_mfu=job.mfu,
            calibrated_mfu=min(calibrated, 10.0) if calibrated is not None else None, notes=notes)
    except ValidationError as exc:
        raise InvalidInput(f"The log has a value out of range: {str(exc).splitlines()[0][:120]}") from None


def add_measured(project, run: MeasuredRun) -> None:
    """Keep ``run`` beside its scenario (the newest ``MAX_MEASURED_PER_PROJECT``)."""
    project.adapt.measured = [*project.adapt.measured, run][-MAX_MEASURED_PER_PROJECT:]
