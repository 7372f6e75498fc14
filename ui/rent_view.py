"""What to rent: the training search (Pareto chart of time against cost, and a table, each row one click from
"use as plan") and the serving search (GPU × precision × replicas meeting the targets, cheapest per 1,000
requests first)."""

from __future__ import annotations

import streamlit as st

from lifecycle.charts.rent import pareto_figure
from lifecycle.errors import LifecycleError
from lifecycle.launch.from_project import rent_setup, serving_rent_setup
from lifecycle.launch.prices import price_table
from lifecycle.launch.rent import RentSetup, option_setup, rent_search
from lifecycle.launch.rent_serving import serving_option_setup, serving_rent_search
from lifecycle.records.plan import choose_scenario
from lifecycle.records.prices import GpuPrice, set_team_price
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from ui import common
from ui.bounds import bounds

K = "rent_"
TABLE_ROWS = 50


def render(project: Project | None) -> None:
    if project is None:
        return
    st.subheader("What to rent")
    cols = st.columns(3)
    deadline = cols[0].number_input("Deadline (hours, 0 = none)", *bounds(RentSetup, "deadline_h", float, low=0.0), value=0.0,
                                    key=K + "deadline")
    budget = cols[1].number_input("Budget (USD, 0 = none)", *bounds(RentSetup, "budget_usd", float),
                                  value=float(project.scope.budget_usd or 0.0), key=K + "budget")
    stated = project.adapt.decisions.get("global_batch")
    batch = cols[2].number_input("Global batch (0 = no cap on GPUs × micro-batch)", *bounds(RentSetup, "global_batch", low=0),
                                 value=stated if isinstance(stated, int) and not isinstance(stated, bool) else 0,
                                 key=K + "global_batch")
    try:
        with st.spinner("Searching GPU types × counts × strategies × micro-batches × methods…"):
            setup = rent_setup(project, store=common.get_store(), deadline_h=deadline or None,
                               global_batch=int(batch) or None, budget_usd=budget or None)
            result = rent_search(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    st.session_state[K + "setup"] = setup
    st.caption(f"{result.configurations_evaluated:,} configurations evaluated; {result.fitting:,} fit. Prices per "
               "GPU-hour: the team's table where set, else the shipped on-demand defaults (data/gpu_prices.json).")
    common.plotly_chart(pareto_figure(result, budget_usd=setup.budget_usd, deadline_h=setup.deadline_h), key=K + "chart")
    shown = result.options[:TABLE_ROWS]
    rows = [{"#": i, "GPUs": f"{o.gpus} × {o.gpu}", "method": o.method, "strategy": o.strategy,
             "micro-batch": o.micro_batch, "checkpointing": o.grad_checkpointing, "hours": o.time_s / 3600,
             "cost (USD)": o.cost_usd, "GiB / GPU": o.required_bytes_per_gpu / 2**30, "Pareto": o.pareto,
             "within limits": o.within_budget is not False and o.within_deadline is not False}
            for i, o in enumerate(shown)]
    st.dataframe(rows, hide_index=True, width="stretch", key=K + "table")
    for note in result.notes:
        st.caption(note)
    if shown:
        pick = st.selectbox("Use a row as the plan", range(len(shown)), index=0, key=K + "row",
                            format_func=lambda i: f"#{i}: {rows[i]['GPUs']} {rows[i]['method']} {rows[i]['strategy']} "
                                                  f"(${rows[i]['cost (USD)']:,.2f}, {rows[i]['hours']:.2f} h)")
        if st.button("Use as plan", key=K + "use", disabled=common.read_only(project)):
            option = shown[pick]
            _save_as_plan(project, "adapt", option_setup(setup, option),
                          f"Rent: {option.gpus} × {option.gpu} {option.method} {option.strategy}", "training")
    _serving(project)
    _prices()


def _prices() -> None:
    """The prices the searches use; a team admin sets the team's own (the Store checks, the form only asks)."""
    store = common.get_store()
    with st.expander("Prices per GPU-hour"):
        table = price_table(store)
        st.dataframe([{"GPU": p.gpu_id, "USD / GPU-hour": p.price_usd_per_hour, "whose": "team" if p.team else "default",
                       "source": p.source, "date": p.date, "reference": p.reference} for p in table.values()], hide_index=True, width="stretch")
        with st.form(K + "price_form"):
            cols = st.columns(4)
            gpu = cols[0].selectbox("GPU", list(table), key=K + "price_gpu")
            usd = cols[1].number_input("USD / GPU-hour", *bounds(GpuPrice, "price_usd_per_hour", float), value=1.0,
                                  key=K + "price_usd")
            source = cols[2].text_input("Source", max_chars=500, key=K + "price_source")
            date = cols[3].text_input("Date", max_chars=32, key=K + "price_date")
            submitted = st.form_submit_button("Set the team's price", disabled=not store.actor.admin,
                                              help=None if store.actor.admin else "Team admins set prices.")
        if submitted:
            try:
                set_team_price(store, gpu, usd, source=source, date=date)
            except LifecycleError as exc:
                common.show_error(exc)
            else:
                st.rerun()


def _serving(project: Project) -> None:
    st.markdown("**Serving**: GPU × precision × replicas meeting the p95 latency and throughput targets")
    try:
        setup = serving_rent_setup(project, store=common.get_store())
        result = serving_rent_search(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    st.dataframe([{"replicas × GPUs": f"{o.replicas} × {o.gpus_per_replica} × {o.gpu}", "precision": o.precision,
                   "batch": o.batch, "p95 (s)": o.p95_latency_s, "requests/s": o.requests_per_s,
                   "USD / hour": o.cost_per_hour_usd, "USD / 1,000 requests": o.cost_per_thousand_requests_usd}
                  for o in result.options[:TABLE_ROWS]], hide_index=True, width="stretch", key=K + "serving_table")
    for note in result.notes:
        st.caption(note)
    shown = result.options[:TABLE_ROWS]
    if shown:
        pick = st.selectbox("Use a serving row as the plan", range(len(shown)), index=0, key=K + "serving_row",
                            format_func=lambda i: f"#{i}: {shown[i].replicas} × {shown[i].gpus_per_replica} × "
                                                  f"{shown[i].gpu} {shown[i].precision}")
        if st.button("Use as serving plan", key=K + "serving_use", disabled=common.read_only(project)):
            o = shown[pick]
            _save_as_plan(project, "integrate", serving_option_setup(setup, o),
                          f"Rent: {o.replicas} replica(s) of {o.gpus_per_replica} × {o.gpu} {o.precision}", "serving")


def _save_as_plan(project: Project, stage: str, setup, name: str, what: str) -> None:
    """Save a rent row as a scenario of ``stage`` and make it that stage's plan, in one save."""
    scenario = make_scenario(setup, author=common.author(), name=name)
    project.stage(stage).scenarios.append(scenario)
    if common.save_project(choose_scenario(project, scenario.id), stage,
                           summary=f"Chose {scenario.name!r} as the {what} plan"):
        st.rerun()
