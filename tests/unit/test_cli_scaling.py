"""The `lifecycle scaling` command-line contract."""

import json

import numpy as np
import pytest

from lifecycle.cli import main
from lifecycle.scaling.laws import builtin_law, parametric_loss


def _run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("law", ["kaplan", "chinchilla1", "chinchilla2", "chinchilla3", "epoch"])
def test_compute_alone_gives_the_laws_optimal_allocation(capsys, law):
    rc, out, _ = _run(capsys, "scaling", "--law", law, "--compute", "1e23", "--json")
    assert rc == 0
    r = json.loads(out)
    for key in ("compute_flops", "params", "tokens", "loss", "tokens_per_param", "pf_days"):
        assert key in r
    assert r["compute_flops"] == 1e23 and r["pf_days"] == pytest.approx(1e23 / 8.64e19)
    assert r["tokens_per_param"] == pytest.approx(r["tokens"] / r["params"])
    assert (r["loss"] is None) == (law in ("chinchilla1", "chinchilla2"))
    assert "gpu_hours" not in r


def test_params_and_tokens_with_a_gpu(capsys):
    rc, out, _ = _run(capsys, "scaling", "--law", "chinchilla3", "--params", "70B", "--tokens", "1.4T",
                      "--gpu", "a100-80gb", "--gpus", "1024", "--mfu", "0.5", "--json")
    r = json.loads(out)
    assert rc == 0
    assert r["compute_flops"] == pytest.approx(5.88e23)
    assert r["loss"] == pytest.approx(1.93665, abs=1e-5)
    assert r["gpu_hours"] == pytest.approx(5.88e23 / (312e12 * 0.5) / 3600)
    assert r["days"] == pytest.approx(r["gpu_hours"] / 1024 / 24)


@pytest.mark.parametrize("argv,message", [
    (["scaling", "--law", "epoch"], "--compute"),
    (["scaling", "--law", "epoch", "--params", "7B"], "--compute"),
    (["scaling", "--law", "nope", "--compute", "1e21"], "nope"),
    (["scaling", "--law", "epoch", "--compute", "1e21", "--gpu", "h100"], "h100-80gb"),
    (["scaling", "--law", "epoch", "--compute", "1e21", "--gpu", "t4", "--mfu", "2"], "MFU"),
    (["scaling", "--compute", "1e21"], "--law"),
])
def test_bad_input_exits_2_with_one_line(capsys, app_env, argv, message):
    rc, _out, err = _run(capsys, *argv)
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_fit_prints_constants_and_saves(capsys, app_env, tmp_path):
    law = builtin_law("chinchilla3")
    rng = np.random.default_rng(5)
    N, D = 10 ** rng.uniform(7, 9.5, 40), 10 ** rng.uniform(9, 11.5, 40)
    L = parametric_loss(law, N, D) * np.exp(rng.normal(0, 0.003, 40))
    path = tmp_path / "pilot.csv"
    path.write_text("params,tokens,loss\n" + "\n".join(f"{a},{b},{c}" for a, b, c in zip(N, D, L)))
    rc, out, _ = _run(capsys, "scaling", "fit", str(path), "--name", "team-fit", "--save", "--bootstrap", "50", "--json")
    r = json.loads(out)
    assert rc == 0 and r["saved"] and r["n_points"] == 40
    assert r["constants"]["alpha"] == pytest.approx(0.34, abs=0.03)
    assert set(r["ci95"]) >= {"E", "A", "B", "alpha", "beta"}
    rc, out, _ = _run(capsys, "scaling", "--law", "team-fit", "--compute", "1e21", "--json")
    assert rc == 0 and json.loads(out)["law"] == "team-fit"
    rc, out, _ = _run(capsys, "scaling", "laws", "--json")
    assert "team-fit" in [x["name"] for x in json.loads(out)]


def test_fit_rejects_a_bad_csv(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("params,tokens\n1,2\n")
    rc, _, err = _run(capsys, "scaling", "fit", str(path), "--json")
    assert rc == 2 and "loss" in err
    rc, _, err = _run(capsys, "scaling", "fit", str(tmp_path / "missing.csv"))
    assert rc == 2 and "No such file" in err


def test_human_output_states_the_kaplan_convention(capsys):
    rc, out, _ = _run(capsys, "scaling", "--law", "kaplan", "--params", "1B", "--tokens", "20B")
    assert rc == 0 and "non-embedding" in out and "PF-days" in out


def test_a_gpu_without_bf16_trains_in_fp16(capsys):
    # V100 has no bf16 tensor cores: the plan uses its 125 TFLOP/s fp16 peak (mixed precision)
    rc, out, _ = _run(capsys, "scaling", "--law", "epoch", "--compute", "1e21", "--gpu", "v100-32gb",
                      "--mfu", "0.4", "--json")
    assert rc == 0 and json.loads(out)["gpu_hours"] == pytest.approx(1e21 / (125e12 * 0.4) / 3600)


def test_kaplan_l_of_n_and_l_of_d_are_reachable_from_the_cli(capsys):
    """Kaplan et al. 2020 Eq 1.1 L(N) = (N_c/N)^α_N with N_c = 8.8e13, α_N = 0.076 (and Eq 1.2 L(D) = (D_c/D)^α_D,
    D_c = 5.4e13, α_D = 0.095): ``--law kaplan --params N`` alone answers L(N)."""
    import json

    from lifecycle.cli import main

    assert main(["scaling", "--law", "kaplan", "--params", "1e9", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["curve"] == "L(N)" and out["loss"] == pytest.approx((8.8e13 / 1e9) ** 0.076, rel=1e-3)
    assert main(["scaling", "--law", "kaplan", "--tokens", "1e10"]) == 0
    assert f"{(5.4e13 / 1e10) ** 0.095:.3f}" in capsys.readouterr().out
    assert main(["scaling", "--law", "chinchilla3", "--params", "1e9"]) == 2  # one variable: Kaplan's laws only


def test_the_cli_states_the_laws_optimum_from_the_plans_field(capsys):
    """Chinchilla Table 3 (Approach 1): 1.21e20 FLOPs → 1B parameters on 20.2B tokens, 20.2 tokens/param (3 %)."""
    rc, out, _ = _run(capsys, "scaling", "--law", "chinchilla1", "--compute", "1.21e20", "--json")
    r = json.loads(out)
    assert rc == 0 and r["optimal_tokens_per_param"] == pytest.approx(20.2, rel=0.03)
    assert "seconds" not in r
    rc, out, _ = _run(capsys, "scaling", "--law", "chinchilla1", "--compute", "1.21e20")
    assert f"(this law's optimum: {r['optimal_tokens_per_param']:.1f} tokens/param)" in out
    assert "by the ~20 tokens/param rule" in out
    rc, out, _ = _run(capsys, "scaling", "--law", "epoch", "--compute", "1e21", "--gpu", "a100-80gb", "--json")
    r = json.loads(out)
    assert r["seconds"] == pytest.approx(r["days"] * 86_400)
