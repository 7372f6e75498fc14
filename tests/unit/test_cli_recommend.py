"""`lifecycle recommend` and `lifecycle models` command-line contracts."""

import json

from lifecycle.cli import main
from lifecycle.models.catalog import get_model, list_models
from lifecycle.models.tasks import task_ids


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_recommend_json_has_family_rationale_alternatives_and_catalog_examples(capsys):
    code, out, _ = _run(capsys, "recommend", "--task", "sentiment-analysis", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["family"] == "encoder" and data["rationale"]
    assert all(set(a) >= {"family", "when"} for a in data["alternatives"])
    assert data["example_models"] and all(get_model(m).family == "encoder" for m in data["example_models"])


def test_recommend_several_tasks(capsys):
    code, out, _ = _run(capsys, "recommend", "--task", "translation", "--task", "chat", "--json")
    assert code == 0 and json.loads(out)["family"] == "decoder"
    code, out, _ = _run(capsys, "recommend", "--task", "summarization")
    assert code == 0 and "encoder-decoder" in out and "Alternatives" in out


def test_unknown_task_is_one_line_listing_valid_tags_and_exit_2(capsys):
    code, out, err = _run(capsys, "recommend", "--task", "sentimentt")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and all(t in err for t in task_ids())


def test_models_list_filters_by_family(capsys):
    code, out, _ = _run(capsys, "models", "list", "--family", "encoder", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["family"] for r in rows} == {"encoder"}
    assert len(rows) == sum(m.family == "encoder" for m in list_models())
    code, out, _ = _run(capsys, "models", "list")
    assert code == 0 and len(out.strip().splitlines()) == len(list_models())


def test_models_show_prints_the_card_or_json(capsys):
    code, out, _ = _run(capsys, "models", "show", "bert-base-uncased", "--json")
    data = json.loads(out)
    assert code == 0 and data["params"] == 109_482_240 and data["card"]["sections"][0]["title"] == "Model Details"
    code, out, _ = _run(capsys, "models", "show", "t5-small")
    assert code == 0 and "# Model Card for T5-small" in out


def test_models_show_unknown_id_and_bad_family_exit_2(capsys, app_env):
    code, _, err = _run(capsys, "models", "show", "bert-base-uncasd")
    assert code == 2 and "bert-base-uncased" in err and err.count("\n") == 1
    try:
        code = main(["models", "list", "--family", "rnn"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2


def test_team_models_are_listed_with_team_and_shown_by_id(capsys, app_env):
    from pathlib import Path

    from lifecycle.records.custom_models import add_custom_model

    config = (Path(__file__).parents[1] / "data" / "model-configs" / "t5-small.json").read_bytes()
    add_custom_model(app_env, config, model_id="our-t5", name="Our T5")
    code, out, _ = _run(capsys, "models", "list", "--team", "--family", "encoder-decoder", "--json")
    assert code == 0 and "our-t5" in {r["id"] for r in json.loads(out)}
    code, out, _ = _run(capsys, "models", "show", "our-t5", "--json")
    assert code == 0 and json.loads(out)["params"] == 60_506_624
    code, out, _ = _run(capsys, "models", "list", "--json")
    assert "our-t5" not in {r["id"] for r in json.loads(out)}
