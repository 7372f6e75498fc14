"""The plan's pointers (``records.plan``): choosing a saved scenario sets the decision of the stage its kind
belongs to, by id or name; ambiguity and unknown names are one line; nothing is ever chosen by default."""

from __future__ import annotations

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.records.plan import candidates, choose_scenario, chosen_scenario, clear_choice, is_chosen
from lifecycle.records.project import SCHEMA_VERSION, Project
from lifecycle.records.upgrade import upgrade_document
from tests.support.example_project import example_project


def _unchosen() -> Project:
    p = example_project()
    return clear_choice(clear_choice(p, "adapt"), "integrate")


def test_a_project_with_nothing_chosen_has_no_plan_scenarios_even_with_many_saved():
    p = _unchosen()
    assert chosen_scenario(p, "adapt") is None and chosen_scenario(p, "integrate") is None
    assert chosen_scenario(p, "scope") is None and chosen_scenario(p, "select") is None
    assert [s.kind for s in candidates(p, "adapt")] == ["training", "training"]
    newest_first = candidates(p, "integrate")
    assert [s.name for s in newest_first][0].endswith("batch 32")


def test_choosing_a_training_scenario_by_name_sets_adapt_and_its_path_and_leaves_the_original_alone():
    p = _unchosen()
    older = next(s for s in p.adapt.scenarios if s.setup.gpus == 1)
    chosen = choose_scenario(p, older.name.upper())  # names match without regard to case
    assert chosen_scenario(chosen, "adapt") == older and chosen.adapt.adaptation_path == "lora"
    assert chosen.adapt.training_scenario_id == older.id and is_chosen(chosen, older)
    assert chosen_scenario(p, "adapt") is None  # a copy: the project passed in is unchanged


def test_choosing_a_serving_scenario_by_id_makes_its_gpus_and_precision_integrates():
    p = _unchosen()
    serving = next(s for s in p.integrate.scenarios if s.kind == "serving" and s.setup.concurrent_sequences == 8)
    p.integrate.gpu_id, p.integrate.gpu_count, p.integrate.precision = "a100-80gb", 4, "bf16"
    chosen = choose_scenario(p, serving.id)
    assert chosen_scenario(chosen, "integrate") == serving
    assert (chosen.integrate.gpu_id, chosen.integrate.gpu_count, chosen.integrate.precision) == ("l4", 1, "int8")


def test_choosing_a_sampling_scenario_sets_the_generation_settings():
    p = _unchosen()
    sampling = next(s for s in p.integrate.scenarios if s.kind == "sampling")
    gen = choose_scenario(p, sampling.id).integrate.generation
    assert (gen.temperature, gen.top_p, gen.top_k, gen.scenario_id) == (0.7, 0.9, None, sampling.id)
    assert gen.phrase() == "temperature 0.7, top-p 0.9"


def test_choosing_an_architecture_scenario_sets_the_family():
    p = _unchosen()
    p.scope.family = None
    arch = p.scope.scenarios[0]
    assert choose_scenario(p, arch.id).scope.family == arch.result.recommendation.family


def test_a_name_two_scenarios_share_is_ambiguous_in_one_line_listing_their_ids():
    p = _unchosen()
    a, b = p.adapt.scenarios
    b.name = a.name
    with pytest.raises(InvalidInput) as err:
        choose_scenario(p, a.name)
    assert "2 scenarios" in str(err.value) and a.id in str(err.value) and b.id in str(err.value)
    assert "\n" not in str(err.value)
    assert chosen_scenario(choose_scenario(p, b.id), "adapt") == b  # the id settles it


@pytest.mark.parametrize("ref", ["no such scenario", "", "   "])
def test_an_unknown_or_blank_scenario_is_one_line(ref):
    with pytest.raises(InvalidInput) as err:
        choose_scenario(_unchosen(), ref)
    assert "\n" not in str(err.value)


def test_a_scenario_that_is_not_part_of_a_plan_cannot_be_chosen():
    p = _unchosen()
    quant = next(s for s in p.integrate.scenarios if s.kind == "quantization")
    with pytest.raises(InvalidInput, match="not part of the plan"):
        choose_scenario(p, quant.id)


def test_a_chosen_scenario_that_was_removed_reads_as_nothing_chosen():
    p = _unchosen()
    p = choose_scenario(p, p.adapt.scenarios[0].id)
    p.adapt.scenarios.pop(0)
    assert chosen_scenario(p, "adapt") is None


def test_the_plan_survives_a_json_round_trip():
    p = choose_scenario(_unchosen(), "Summaries: T=0.7, top-p=0.9")
    p = choose_scenario(p, p.adapt.scenarios[0].id)
    again = Project.model_validate(p.model_dump(mode="json"))
    assert again.integrate.generation == p.integrate.generation
    assert chosen_scenario(again, "adapt") == p.adapt.scenarios[0]


def test_a_version_2_document_upgrades_with_nothing_chosen_and_nothing_lost():
    p = _unchosen()
    doc = p.model_dump(mode="json")
    doc["schema_version"] = 2
    for key in ("training_scenario_id",):
        doc["adapt"].pop(key)
    doc["integrate"].pop("serving_scenario_id")
    doc["integrate"].pop("generation")
    upgraded = upgrade_document(doc)
    assert upgraded["schema_version"] == SCHEMA_VERSION == 3
    again = Project.model_validate(upgraded)
    assert chosen_scenario(again, "adapt") is None and chosen_scenario(again, "integrate") is None
    assert again.integrate.generation is None
    assert again.content() == {**p.content(), "schema_version": 3}
