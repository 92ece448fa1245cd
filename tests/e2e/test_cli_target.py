"""`border21 target` through Typer's runner and as a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from border21.cli.main import app
from border21.errors import InputError

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "customs"
KCS_TRAIN = FIXTURES / "kcs_train_slice.csv"
KCS_TEST = FIXTURES / "kcs_test_slice.csv"


def _ok(*args: str) -> str:
    result = runner.invoke(app, ["target", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _bad(*args: str) -> str:
    result = runner.invoke(app, ["target", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("m") / "kcs.pkl"
    _ok("train", str(KCS_TRAIN), "--out", str(path), "--seed", "1")
    return path


def test_train_score_evaluate_on_kcs(model: Path, tmp_path: Path) -> None:
    sel = tmp_path / "sel.csv"
    out = _ok("score", str(KCS_TEST), "--model", str(model), "--budget", "5", "--out", str(sel))
    assert "selected 21 of 425" in out
    frame = pd.read_csv(sel)
    assert list(frame.columns) == ["rank", "declaration_id", "risk_score", "reasons"]
    assert frame["risk_score"].is_monotonic_decreasing and frame["rank"].tolist() == list(
        range(1, 22)
    )
    assert frame["reasons"].str.contains(":").any()
    out = _ok("evaluate", str(KCS_TEST), "--model", str(model), "--budgets", "5,10")
    assert "precision" in out and "AUC" in out


def test_score_policies_and_parquet(model: Path, tmp_path: Path) -> None:
    for pol in ("explore", "uncertainty"):
        out_file = tmp_path / f"{pol}.parquet"
        _ok(
            "score",
            str(KCS_TEST),
            "-m",
            str(model),
            "--policy",
            pol,
            "--seed",
            "3",
            "-o",
            str(out_file),
        )
        assert len(pd.read_parquet(out_file)) == 21


def test_generate_duckdb_profile_online(tmp_path: Path) -> None:
    db = tmp_path / "decl.duckdb"
    _ok("generate", "--out", str(db), "--n", "2500", "--seed", "4", "--drift-start", "2024-03-01")
    mpath = tmp_path / "p.pkl"
    _ok("train", str(db), "--table", "declarations", "--model-type", "profile", "-o", str(mpath))
    out = _ok(
        "online",
        str(db),
        "--model-type",
        "profile",
        "--budget",
        "10",
        "--out",
        str(tmp_path / "w.csv"),
    )
    assert "mean precision" in out and "drift from" in out
    assert len(pd.read_csv(tmp_path / "w.csv")) > 10


def test_cooperate_generated() -> None:
    out = _ok("cooperate", "--shipments", "4000", "--budget", "10", "--seed", "2", "--seeds", "3")
    assert "shared_profiles" in out and "lift of pooled" in out
    text = " ".join(out.split())
    assert "mean ± 95% CI over 3 seeds" in text
    lift = text.split("lift of pooled over isolated (precision): ")[1].split("± is the")[0]
    assert lift.count("±") == 2  # one interval per agency


def test_cooperate_lift_interval_over_seeds() -> None:
    from border21.targeting.cooperation import compare_over_seeds
    from border21.targeting.generator import TrafficConfig, generate_traffic

    def traffic_for(s: int):
        return generate_traffic(TrafficConfig(n_shipments=3000), seed=s)

    res = compare_over_seeds(traffic_for, [1, 2, 3], budget_pct=10)
    lifts = [r.lift("pooled") for r in res.runs]
    table = res.lift("pooled").set_index("agency")
    for agency in ("US", "MX"):
        values = np.array([lift[agency] for lift in lifts])
        half = 4.302652729911275 * values.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
        assert table.loc[agency, "lift"] == pytest.approx(values.mean())
        assert table.loc[agency, "lift_ci95"] == pytest.approx(half)
        assert table.loc[agency, "clear"] == (abs(values.mean()) > half)
    assert res.seeds == 3 and {"precision_ci95", "recall_ci95"} <= set(res.table().columns)
    with pytest.raises(InputError, match="at least 2 seeds"):
        compare_over_seeds(traffic_for, [1])


class _Payload:
    """Unpickling this runs code: it creates the file named by ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "pwned"))  # type: ignore[return-value]


def test_a_crafted_model_file_is_refused_before_anything_runs(model: Path, tmp_path: Path) -> None:
    import pickle

    marker = tmp_path / "pwned"
    plain = tmp_path / "plain.pkl"  # the old format: a bare pickle of the payload dict
    plain.write_bytes(pickle.dumps({"format": "border21-target-model", "model": _Payload(marker)}))
    assert "not a signed border21 model" in _bad("score", str(KCS_TEST), "-m", str(plain))
    signed = model.read_bytes()
    head, sig, _ = signed.split(b"\n", 2)
    forged = tmp_path / "forged.pkl"  # a real header and signature over another pickle
    forged.write_bytes(head + b"\n" + sig + b"\n" + pickle.dumps({"model": _Payload(marker)}))
    assert "signature does not match" in _bad("score", str(KCS_TEST), "-m", str(forged))
    assert not marker.exists()
    edited = tmp_path / "edited.pkl"
    edited.write_bytes(signed[:-1] + bytes([signed[-1] ^ 1]))
    assert "signature does not match" in _bad("score", str(KCS_TEST), "-m", str(edited))


def test_a_model_signed_with_another_key_is_refused(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BORDER21_MODEL_KEY", str(tmp_path / "missing.key"))
    assert "no model signing key" in _bad("score", str(KCS_TEST), "-m", str(model))
    (tmp_path / "other.key").write_bytes(bytes(32))
    monkeypatch.setenv("BORDER21_MODEL_KEY", str(tmp_path / "other.key"))
    assert "signature does not match" in _bad("score", str(KCS_TEST), "-m", str(model))
    (tmp_path / "short.key").write_bytes(b"x")
    monkeypatch.setenv("BORDER21_MODEL_KEY", str(tmp_path / "short.key"))
    assert "not a model key" in _bad("score", str(KCS_TEST), "-m", str(model))


def test_bad_input_exits_2(model: Path, tmp_path: Path) -> None:
    assert "budget" in _bad("score", str(KCS_TEST), "-m", str(model), "--budget", "0")
    assert "budget" in _bad("score", str(KCS_TEST), "-m", str(model), "--budget", "150")
    assert "budget" in _bad("evaluate", str(KCS_TEST), "-m", str(model), "--budgets", "5,abc")
    no_imp = tmp_path / "no_importer.csv"
    pd.read_csv(KCS_TEST).drop(columns="Importer ID").to_csv(no_imp, index=False)
    assert "importer_id" in _bad("score", str(no_imp), "-m", str(model))
    assert "does not exist" in _bad("train", str(tmp_path / "missing.csv"))
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a pickle")
    assert "not a signed border21 model" in _bad("score", str(KCS_TEST), "-m", str(junk))
    assert "policy" in _bad("score", str(KCS_TEST), "-m", str(model), "--policy", "psychic")
    assert "give both" in _bad("cooperate", "--us", str(KCS_TEST))
    no_label = tmp_path / "nolabel.csv"
    pd.read_csv(KCS_TEST).drop(columns="Fraud").to_csv(no_label, index=False)
    assert "fraud" in _bad("train", str(no_label))


def test_nan_unseen_and_empty_batches(model: Path, tmp_path: Path) -> None:
    raw = pd.read_csv(KCS_TEST)
    odd = raw.head(40).copy()
    odd["Importer ID"] = "NEVER-SEEN"
    odd.loc[::3, "Item Price"] = None
    odd.loc[::4, "Seller ID"] = None
    odd_path = tmp_path / "odd.csv"
    odd.to_csv(odd_path, index=False)
    _ok("score", str(odd_path), "-m", str(model), "-r", "10", "-o", str(tmp_path / "o.csv"))
    empty = tmp_path / "empty.csv"
    raw.head(0).to_csv(empty, index=False)
    out = _ok("score", str(empty), "-m", str(model), "-o", str(tmp_path / "e.csv"))
    assert "empty batch" in out
    assert len(pd.read_csv(tmp_path / "e.csv")) == 0


def test_cli_module_imports_no_heavy_libraries() -> None:
    code = (
        "import sys, border21.cli.target; "
        "print([m for m in ('numpy', 'pandas', 'lightgbm', 'sklearn') if m in sys.modules])"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_subprocess_error_is_one_line() -> None:
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            "from border21.cli.main import run; run()",
            "target",
            "score",
            str(KCS_TEST),
            "--model",
            "nope.pkl",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr and "does not exist" in res.stderr
