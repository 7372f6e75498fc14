"""The Adapt & Align section's "How to run it": the chosen training scenario as the job the planner would
export (processes, machines, batch, accumulation, what it expects), the commands to run it, and the runs
measured against it."""

from __future__ import annotations

from lifecycle.choices import short_title
from lifecycle.errors import LifecycleError
from lifecycle.launch.choose import chosen_training_scenario, job_setup
from lifecycle.launch.files import header_lines
from lifecycle.launch.job import job_plan
from lifecycle.records.project import Project
from lifecycle.reports import format as fmt
from lifecycle.reports import stage_sections  # noqa: F401  (the stage's own builders register first)
from lifecycle.reports.model import Table
from lifecycle.reports.sections import ChartSink, Section, register_section


@register_section("adapt")
def adapt_how_to_run(project: Project, section: Section, charts: ChartSink) -> None:
    scenario = chosen_training_scenario(project)
    if scenario is None:
        return
    try:
        job = job_plan(job_setup(project, scenario.id))
    except LifecycleError as exc:
        section.paragraphs.append(f"How to run it: the chosen scenario cannot be exported ({exc})")
        return
    offload = "" if job.offload == "none" else f", offload {short_title(job.offload)}"
    plan = (f"How to run it. Plan: {fmt.text(job.model_name)}, {short_title(job.method)}, "
            f"{short_title(job.precision)}, {short_title(job.strategy)}{offload} on {job.gpus} × {job.gpu_name} "
            f"({job.num_machines} machine(s)); micro-batch {job.micro_batch} × accumulation {job.grad_accum} × "
            f"{job.gpus} GPUs = global batch {job.global_batch}; sequence length {job.seq_len:,}.")
    # The expectations, worded as in every exported file's header.
    section.paragraphs.append(" ".join([plan, *header_lines(job)[2:]]))
    section.paragraphs.append(
        f"lifecycle run-config {fmt.text(project.name)!r} --format skypilot -o job.zip writes the SkyPilot task, "
        "the Accelerate config, the TRL SFT config and train.py; on the cluster: accelerate launch --config_file "
        "accelerate_config.yaml train.py --config sft_config.yaml. The job writes plan_vs_actual.json; "
        "lifecycle projects measured imports it.")
    runs = [r for r in project.adapt.measured if r.scenario_id == scenario.id]
    if runs:
        gib = 2**30
        rows = []
        for r in runs[-5:]:
            for label, pair, scale in (("peak allocated / GPU (GiB)", r.peak_allocated_bytes, gib),
                                       ("tokens/s", r.tokens_per_s, 1), ("step time (s)", r.step_s, 1)):
                rows.append([fmt.when(r.imported_at), label,
                             "—" if pair.planned is None else f"{pair.planned / scale:,.2f}",
                             "—" if pair.actual is None else f"{pair.actual / scale:,.2f}",
                             "—" if pair.error is None else f"{pair.error:+.0%}"])
        section.tables.append(Table(caption=f"Measured against the plan ({scenario.name})",
                                    header=["Imported", "Number", "Plan", "Actual", "Error"], rows=rows))
