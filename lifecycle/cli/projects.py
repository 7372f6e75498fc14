"""``lifecycle projects list | show NAME | choose NAME SCENARIO | export [NAME…] -o FILE | import FILE``, and the
member commands (``lifecycle.cli.members``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lifecycle.cli import members
from lifecycle.cli._io import print_json, write_atomic
from lifecycle.display import terminal_text
from lifecycle.errors import InvalidInput
from lifecycle.records.project import STAGE_TITLES, STAGES, utc_now
from lifecycle.records.store import Store
from lifecycle.records.transfer import MAX_IMPORT_BYTES, export_json, import_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("projects", help="list, show, export and import projects")
    cmds = parser.add_subparsers(dest="projects_command", metavar="ACTION", required=True)

    p = cmds.add_parser("list", help="list projects")
    p.add_argument("--search", default="", help="substring of the name or description")
    p.add_argument("--archived", action="store_true", help="list archived projects instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = cmds.add_parser("show", help="show one project")
    p.add_argument("name", help="project name or id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_show)

    p = cmds.add_parser("choose", help="make a saved scenario the plan of its stage (by name or id)")
    p.add_argument("name", help="project name or id")
    p.add_argument("scenario", help="scenario name or id; the stage follows from its kind")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_choose)

    p = cmds.add_parser("export", help="export one, several or all projects to JSON")
    p.add_argument("names", nargs="*", help="project names or ids (default: all)")
    p.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
    p.set_defaults(func=_export)

    p = cmds.add_parser("import", help="import projects from a JSON export")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_import)
    p = cmds.add_parser("measured", help="import a run's log (plan_vs_actual.json or trainer_state.json) "
                                         "beside its training scenario")
    p.add_argument("name", help="project name or id")
    p.add_argument("file", help="the exported job's plan_vs_actual.json, or Hugging Face's trainer_state.json")
    p.add_argument("--scenario", default=None, help="training scenario name or id (a trainer_state.json needs it)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_measured)
    members.register(cmds)


def _list(args) -> int:
    rows = Store().list_projects(args.search, archived=args.archived)
    if args.json:
        print_json([r.model_dump(mode="json") for r in rows])
        return 0
    if not rows:
        print("No projects.")
        return 0
    names = {r.id: terminal_text(r.name) for r in rows}
    width = max(len(n) for n in names.values())
    for r in rows:
        marks = "".join("■" if k in r.stages_done else "□" for k in STAGES)
        print(f"{r.id:>5}  {names[r.id]:<{width}}  {marks}  v{r.version:<4} {r.updated_at:%Y-%m-%d %H:%M} "
              f"{terminal_text(r.updated_by)}")
    return 0


def _plan_json(project) -> dict:
    from lifecycle.records.plan import stage_choice
    from lifecycle.records.plan_check import plan_consistency

    return {"stages": {key: stage_choice(project, key).model_dump(mode="json") for key in STAGES},
            "consistency": [f.model_dump(mode="json") for f in plan_consistency(project).findings]}


def _plan_lines(project) -> list[str]:
    from lifecycle.records.plan import KIND_WORDS, stage_choice
    from lifecycle.records.plan_check import plan_consistency

    lines = ["Plan:"]
    for key in STAGES:
        c = stage_choice(project, key)
        if c.scenario is not None:
            what = f"{KIND_WORDS.get(c.scenario.kind, c.scenario.kind)} scenario “{terminal_text(c.scenario.name)}” " \
                   f"(id {c.scenario.id})" + (f", path {terminal_text(c.value)}" if c.value else "")
        elif c.chosen or c.value:
            what = terminal_text(c.value) + " (no scenario chosen)" * (key in ("adapt", "integrate"))
        else:
            what = "nothing chosen"
        if c.candidates:
            what += "; candidates: " + ", ".join(f"“{terminal_text(x.name)}” ({x.id})" for x in c.candidates[:8])
        if c.generation is not None:
            what += f"; generation: {c.generation.phrase()}"
        lines.append(f"- {STAGE_TITLES[key]}: {what}")
    findings = plan_consistency(project).findings
    lines += ["Consistency:"] + [f"- {terminal_text(f.line())}" for f in findings] if findings else []
    return lines


def _show(args) -> int:
    project = Store().get_project(args.name)
    if args.json:
        print_json({**project.model_dump(mode="json"), "plan": _plan_json(project)})
        return 0
    print(f"{terminal_text(project.name)}  (id {project.id}, version {project.version}, "
          f"owner {terminal_text(project.owner or '—')})")
    if project.description:
        # Line breaks are the description's own; every other control character is shown, not obeyed.
        print("\n".join(terminal_text(line) for line in project.description.splitlines()))
    for key in STAGES:
        stage = project.stage(key)
        state = f"saved {stage.saved_at:%Y-%m-%d %H:%M}" if stage.saved_at else "not decided"
        print(f"- {STAGE_TITLES[key]}: {state}; {len(stage.scenarios)} scenario(s)")
    print("\n".join(_plan_lines(project)))
    return 0


def _choose(args) -> int:
    from lifecycle.records.plan import choose_scenario, find_scenario, plan_stage_of

    store = Store()
    project = store.get_project(args.name)
    _, scenario = find_scenario(project, args.scenario)
    stage = plan_stage_of(scenario) or "adapt"
    chosen = choose_scenario(project, scenario.id)
    chosen.stage(stage).saved_at = utc_now()  # a choice is a decision of its stage, as on the decisions pages
    saved = store.save_project(chosen, section=stage,
                               summary=f"Chose {scenario.name[:80]} as the plan")
    if args.json:
        print_json({"project": saved.id, "version": saved.version, "stage": stage, "scenario": scenario.id,
                    "plan": _plan_json(saved)})
    else:
        print(f"{STAGE_TITLES[stage]} now plans “{terminal_text(scenario.name)}” (id {scenario.id}); "
              f"{terminal_text(saved.name)} is at version {saved.version}.")
    return 0


def _export(args) -> int:
    text = export_json(Store(), args.names or None)
    write_atomic(args.output, text if args.output != "-" else text + "\n")
    return 0


def _measured(args) -> int:
    from lifecycle.launch.measured import MAX_LOG_BYTES, add_measured, measured_run

    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"No such file: {path}")
    if path.stat().st_size > MAX_LOG_BYTES:  # checked before the file is read whole
        raise InvalidInput(f"{path} is {path.stat().st_size / 1e6:.1f} MB; the limit is {MAX_LOG_BYTES / 1e6:.0f} MB.")
    store = Store()
    project = store.get_project(args.name)
    run = measured_run(project, path.read_bytes(), file_name=path.name, scenario=args.scenario,
                       author=store.actor.display)
    add_measured(project, run)
    store.save_project(project, author=store.actor.display, section="adapt")
    if args.json:
        print_json(run.model_dump(mode="json"))
        return 0
    print(f"Measured run of {terminal_text(run.scenario_name)!s} ({run.source}, {run.optimizer_steps} steps):")
    for label, pair, scale, unit in (("peak allocated / GPU", run.peak_allocated_bytes, 2**30, "GiB"),
                                     ("peak reserved / GPU", run.peak_reserved_bytes, 2**30, "GiB"),
                                     ("tokens/s", run.tokens_per_s, 1, ""), ("step time", run.step_s, 1, "s")):
        suffix = f" {unit}" if unit else ""
        planned = "—" if pair.planned is None else f"{pair.planned / scale:,.2f}{suffix}"
        actual = "—" if pair.actual is None else f"{pair.actual / scale:,.2f}{suffix}"
        error = "" if pair.error is None else f"  ({pair.error:+.0%})"
        print(f"  {label:<22} plan {planned:<12} actual {actual}{error}")
    if run.calibrated_mfu is not None:
        print(f"  calibrated MFU {run.calibrated_mfu:.3f} (planned {run.planned_mfu:.2f})")
    for note in run.notes:
        print(f"  {note}")
    return 0


def _import(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"No such file: {path}")
    if path.stat().st_size > MAX_IMPORT_BYTES:  # checked before the file is read whole
        raise InvalidInput(f"{path} is {path.stat().st_size / 1e6:.1f} MB; the limit is {MAX_IMPORT_BYTES / 1e6:.0f} MB.")
    projects = import_json(Store(), path.read_bytes())
    if args.json:
        print_json([{"id": p.id, "name": p.name} for p in projects])
    else:
        print(f"Imported {len(projects)} project(s): " + ", ".join(terminal_text(p.name) for p in projects))
    return 0
