"""How to run the plan: a download of each launch configuration of a training scenario (accelerate + TRL,
DeepSpeed, SkyPilot), and an upload of the run's log, kept beside its scenario as plan vs actual."""

from __future__ import annotations

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.launch.choose import chosen_training_scenario, job_setup, training_scenarios
from lifecycle.launch.files import FORMATS, run_config, zip_bytes
from lifecycle.launch.job import JobSetup
from lifecycle.launch.measured import MAX_LOG_BYTES, add_measured, measured_run
from lifecycle.records.project import Project
from ui import common
from ui.bounds import bounds

K = "launch_"
FORMAT_TITLES = {"accelerate": "Accelerate + TRL (config, SFT config, train.py)", "deepspeed": "DeepSpeed config",
                 "skypilot": "SkyPilot task (with the Accelerate job)"}


def render(project: Project | None) -> None:
    if project is None:
        return
    _run_files(project)
    _measured(project)


def _run_files(project: Project) -> None:
    st.subheader("How to run it")
    scenarios = training_scenarios(project)
    if not scenarios:
        st.caption("Save a training scenario on Memory & GPUs to get its launch files here.")
        return
    chosen = chosen_training_scenario(project)
    labels = {s.id: f"{s.name} ({s.setup.method}, {s.setup.gpus} × {s.setup.gpu or '?'}) — {s.id}" for s in scenarios}
    ids = list(labels)
    default = ids.index(chosen.id) if chosen is not None else None
    picked = st.selectbox("Training scenario", ids, index=default, format_func=labels.get, key=K + "scenario",
                          placeholder="Choose the scenario to launch (none is chosen as the plan)")
    if picked is None:
        return
    scenario = next(s for s in scenarios if s.id == picked)
    stated = project.adapt.decisions.get("global_batch")
    step = scenario.setup.micro_batch * scenario.setup.gpus
    default_batch = stated if isinstance(stated, int) and not isinstance(stated, bool) and stated > 0 else step
    cols = st.columns(2)
    batch = cols[0].number_input("Global batch (sequences per optimizer step)", *bounds(JobSetup, "global_batch"),
                                 value=int(default_batch), step=step, key=K + "global_batch",
                                 help="Gradient accumulation = global batch ÷ (micro-batch × GPUs).")
    fmt = cols[1].selectbox("Format", FORMATS, format_func=FORMAT_TITLES.get, key=K + "format")
    try:
        files = run_config(job_setup(project, picked, global_batch=int(batch)), fmt)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    st.session_state[K + "files"] = (picked, int(batch), fmt, files)
    name = next(iter(files)) if len(files) == 1 else f"{fmt}-{picked}.zip"
    data = next(iter(files.values())) if len(files) == 1 else zip_bytes(files)
    st.download_button(f"Download {name}", data, file_name=name, key=K + "download", type="primary")
    with st.expander("What the files say"):
        for file_name, text in files.items():
            st.caption(file_name)
            st.code(text[:4000], language="python" if file_name.endswith(".py") else "yaml")


def _measured(project: Project) -> None:
    st.subheader("The run against the plan")
    upload = st.file_uploader("A run's plan_vs_actual.json (from train.py) or Hugging Face's trainer_state.json",
                              type=["json"], key=K + "upload")
    if upload is not None and st.button("Add measured run", key=K + "add", disabled=common.read_only(project)):
        try:
            if upload.size > MAX_LOG_BYTES:
                raise LifecycleError(f"The log is {upload.size / 1e6:.1f} MB; the limit is {MAX_LOG_BYTES / 1e6:.0f} MB.")
            picked = st.session_state.get(K + "scenario")
            run = measured_run(project, upload.getvalue(), file_name=upload.name, scenario=picked, author=common.author())
        except LifecycleError as exc:
            common.show_error(exc)
        else:
            add_measured(project, run)
            if common.save_project(project, "adapt", summary=f"Measured run of {run.scenario_name!r}"):
                st.rerun()
    runs = project.adapt.measured
    if not runs:
        st.caption("No measured runs yet.")
        return
    gib = 2**30
    rows = []
    for r in reversed(runs):
        for label, pair, scale in (("peak allocated / GPU (GiB)", r.peak_allocated_bytes, gib),
                                   ("peak reserved / GPU (GiB)", r.peak_reserved_bytes, gib),
                                   ("tokens/s", r.tokens_per_s, 1), ("step time (s)", r.step_s, 1)):
            rows.append({"scenario": r.scenario_name, "imported": f"{r.imported_at:%Y-%m-%d %H:%M}", "number": label,
                         "plan": None if pair.planned is None else pair.planned / scale,
                         "actual": None if pair.actual is None else pair.actual / scale,
                         "error": None if pair.error is None else f"{pair.error:+.0%}"})
    st.dataframe(rows, hide_index=True, width="stretch", key=K + "measured_table")
    latest = runs[-1]
    if latest.calibrated_mfu is not None:
        st.metric("Calibrated MFU (latest run)", f"{latest.calibrated_mfu:.3f}",
                  delta=f"{latest.calibrated_mfu - latest.planned_mfu:+.3f} vs the plan's {latest.planned_mfu:.2f}")
    for note in latest.notes:
        st.caption(note)
