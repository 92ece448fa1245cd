"""`border21 data`, `indicators` and `report` through Typer's runner."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from border21.cli.main import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    result = runner.invoke(app, ["data", "init", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_init_is_idempotent_and_status_lists_sources(db: Path) -> None:
    code, out = _run("data", "init", "--db", str(db))
    assert code == 0 and out.count("unchanged") == 15
    code, out = _run("data", "status", "--db", str(db), "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["source"] for r in rows} >= {"crossings", "trade", "homicides", "waittimes"}


def test_db_from_environment_variable(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDER21_DB", str(db))
    code, out = _run("data", "sql", "SELECT count(*) AS n FROM ports", "--format", "csv")
    assert code == 0 and out.splitlines() == ["n", "28"]


def test_sql_is_read_only_and_errors_are_one_line(db: Path) -> None:
    code, out = _run("data", "sql", "DELETE FROM crossings", "--db", str(db))
    assert code == 2 and "read-only" in out.lower() and "Traceback" not in out
    code, out = _run("data", "sql", "SELEC 1", "--db", str(db))
    assert code == 2 and out.startswith("error:")


def test_sql_reads_and_writes_no_files_and_installs_nothing(db: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nb21_not_for_sql\n")
    escape = tmp_path / "out.csv"
    for query in (
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM read_text('{secret}')",
        f"COPY (SELECT * FROM ports) TO '{escape}'",
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
        "INSTALL spatial",
        "LOAD httpfs",
        "SET enable_external_access = true",
    ):
        code, out = _run("data", "sql", query, "--db", str(db))
        assert code == 2 and "Traceback" not in out, (query, out)
        assert "b21_not_for_sql" not in out
    assert not escape.exists() and not (tmp_path / "other.duckdb").exists()
    code, out = _run("data", "sql", "SELECT count(*) AS n FROM ports", "--db", str(db))
    assert code == 0 and "28" in out  # the warehouse itself still reads


def test_load_reports_counts_and_refuses_wrong_columns(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    code, out = _run(
        "data", "load", "crossings", str(FIXTURES / "crossings_2024_slice.csv"), "--db", str(db)
    )
    assert code == 0 and "read 14, loaded 14, quarantined 0" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("Port Name,State,Port Code,Border,Date,Value,Extra\n")
    code, out = _run("data", "load", "crossings", str(bad), "--db", str(db))
    assert code == 2
    assert "missing columns 'Measure'" in out and "unexpected columns 'Extra'" in out
    code, out = _run("data", "load", "nope", str(bad), "--db", str(db))
    assert code == 2 and "unknown source" in out


def test_quarantine_command_shows_reason_and_line(tmp_path: Path) -> None:
    db = tmp_path / "q.duckdb"
    lines = (FIXTURES / "crossings_2024_slice.csv").read_text().splitlines()
    lines[3] = lines[3].replace("Jan 2024", "Janvier 2024")
    src = tmp_path / "q.csv"
    src.write_text("\n".join(lines) + "\n")
    code, out = _run("data", "load", "crossings", str(src), "--db", str(db))
    assert code == 0 and "quarantined 1" in out
    code, out = _run("data", "quarantine", "--db", str(db), "--format", "json")
    rows = json.loads(out)
    assert rows[0]["line_number"] == 4 and "unparseable date" in rows[0]["reason"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_downloads_and_loads_from_a_local_server(
    http_root: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = http_root
    shutil.copy(FIXTURES / "crossings_2024_slice.csv", root / "bts.csv")
    db = tmp_path / "f.duckdb"
    code, out = _run("data", "fetch", "crossings", "--url", f"{base}/bts.csv", "--db", str(db))
    assert code == 0, out
    assert "loaded 14" in out
    assert list((tmp_path / "downloads").glob("crossings-*.csv"))
    code, out = _run("data", "fetch", "crossings", "--url", f"{base}/bts.csv", "--db", str(db))
    assert code == 0 and "already loaded" in out
    code, out = _run("data", "fetch", "crossings", "--url", f"{base}/missing.csv", "--db", str(db))
    assert code == 2 and "HTTP 404" in out


def test_fetch_without_network_says_so(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out = _run(
        "data",
        "fetch",
        "crossings",
        "--url",
        f"http://127.0.0.1:{port}/x.csv",
        "--db",
        str(tmp_path / "n.duckdb"),
        "--timeout",
        "5",
    )
    assert code == 2 and "cannot reach" in out and "no network" in out
    assert not list((tmp_path / "downloads").glob("*.part"))


def test_indicator_commands_print_tables_and_charts(db: Path, tmp_path: Path) -> None:
    code, out = _run(
        "indicators", "crossings", "--freq", "year", "--db", str(db), "--format", "csv"
    )
    assert code == 0 and "2014-01-01,US-Mexico,69623693" in out
    svg = tmp_path / "mix.svg"
    code, out = _run("indicators", "mix", "--db", str(db), "--chart", str(svg))
    assert code == 0 and svg.read_text().startswith("<svg")
    for args in (
        ["trade", "--by", "mode"],
        ["seizures", "--drug", "Fentanyl"],
        ["apprehensions"],
        ["homicides", "--state", "Chihuahua"],
        ["waits", "--port", "ysleta"],
        ["wait-volume"],
        ["gaps"],
        ["events"],
    ):
        code, out = _run("indicators", *args, "--db", str(db))
        assert code == 0, (args, out)
    code, out = _run("indicators", "crossings", "--by", "galaxy", "--db", str(db))
    assert code == 2 and "must be one of" in out
    code, out = _run("indicators", "wait-hourly", "--db", str(db))  # not in the samples
    assert code == 2 and "data load hourly" in out


def test_effect_command_its_and_did(db: Path, tmp_path: Path) -> None:
    png = tmp_path / "effect.png"
    code, out = _run(
        "indicators",
        "effect",
        "--series",
        "homicides",
        "--state",
        "Chihuahua",
        "--event",
        "2008-03",
        "--db",
        str(db),
        "--format",
        "json",
        "--chart",
        str(png),
    )
    assert code == 0, out
    est = json.loads(out[out.index("[") :])[0]
    assert est["level_ci_low"] > 0  # the 2008 surge in Chihuahua is unmistakable
    assert est["level_p"] < 0.05 and est["n_placebos"] > 300 and est["hac_p"] < est["level_p"]
    assert est["break_month"] == "2008-03" and "2007-12 us_recession_start" in est["other_events"]
    assert est["caveat"].startswith("Read with care:") and est["pretrend_p"] is not None
    assert png.read_bytes()[:4] == b"\x89PNG"
    code, out = _run(
        "indicators",
        "effect",
        "--series",
        "homicides",
        "--method",
        "did",
        "--event",
        "operativo_chihuahua",
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert code == 0 and '"event":"2008-03"' in out
    code, out = _run(
        "indicators", "effect", "--series", "homicides", "--event", "no_such", "--db", str(db)
    )
    assert code == 2 and "unknown event" in out


def test_report_trends_is_self_contained(db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "trends.html"
    code, out = _run("report", "trends", "--out", str(out_file), "--db", str(db))
    assert code == 0, out
    page = out_file.read_text()
    for section in ("Crossings", "Trade", "Seizures", "Apprehensions", "Homicides", "Wait times"):
        assert f"<h2>{section}</h2>" in page
    assert "<script src=" not in page and "cdn.jsdelivr" not in page
    assert "window.vegaEmbed" in page and page.count("embed('#chart") >= 10
    # every program effect with its diagnostics, and a placebo chart each
    effects = page[page.index("<h2>Program effects</h2>") : page.index("<h2>Events timeline")]
    assert effects.count("<tr><td>") == 4 and "p (placebo)" in effects
    assert "2007-12 us_recession_start" in effects  # the caveat names the confounder
    assert "sharpest break is at 2008-03, 5 months after" in effects  # Mérida, Chihuahua
    assert page.count("months from the event (placebo months)") == 4


def test_report_trends_in_spanish(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--lang es`, or BORDER21_LANG=es: the page, its headings and the message in Spanish."""
    out_file = tmp_path / "tendencias.html"
    code, out = _run("report", "trends", "--out", str(out_file), "--db", str(db), "--lang", "es")
    assert code == 0, out
    assert out.startswith("reporte: ") and "autocontenido" in out
    page = out_file.read_text()
    assert '<html lang="es">' in page
    assert "<title>Tendencias de la frontera EE. UU.–México</title>" in page
    for section in ("Cruces", "Comercio", "Decomisos", "Detenciones", "Homicidios",
                    "Tiempos de espera", "Efectos de los programas", "Cronología de eventos",
                    "Procedencia de los datos"):  # fmt: skip
        assert f"<h2>{section}</h2>" in page
    assert page.count("meses desde el evento (meses placebo)") == 4
    assert "<th>intervalo calibrado</th>" in page
    monkeypatch.setenv("BORDER21_LANG", "es")
    code, out = _run("report", "trends", "--out", str(tmp_path / "x.txt"), "--db", str(db))
    assert code == 2 and "debe terminar en .html" in out


def _json(out: str) -> dict:  # type: ignore[type-arg]
    return json.loads(out[out.index("[") :])[0]  # type: ignore[no-any-return]


def test_effect_synth_and_staggered(db: Path, tmp_path: Path) -> None:
    common = ("indicators", "effect", "--series", "homicides", "--db", str(db))
    png = tmp_path / "synth.png"
    code, out = _run(*common, "--method", "synth", "--state", "Chihuahua", "--event",
                     "operativo_chihuahua", "--format", "json", "--chart", str(png))  # fmt: skip
    assert code == 0, out
    est = _json(out)
    assert est["treated"] == "Chihuahua" and est["n_donors"] == 23 and est["placebo_rank"] == 1
    assert est["p"] == pytest.approx(1 / 24)
    assert 0 < est["ci_low"] < est["estimate"] < est["ci_high"]
    assert est["pre_rmspe"] > 0 and est["weights"] and "poor pre-event fit" in est["caveat"]
    assert png.read_bytes()[:4] == b"\x89PNG"
    code, out = _run(*common, "--method", "synth", "--state", "Chihuahua", "--event", "2008-03",
                     "--donor", "Sonora", "--donor", "Coahuila", "--format", "json")  # fmt: skip
    assert code == 0 and _json(out)["n_donors"] == 2 and "too few" in _json(out)["caveat"]
    chart = tmp_path / "event_study.json"
    code, out = _run(*common, "--method", "staggered", "--event", "joint_operations",
                     "--chart", str(chart))  # fmt: skip
    assert code == 0, out
    assert "effect by event time" in out and "twfe_estimate" in out
    assert json.loads(chart.read_text())["layer"]
    code, out = _run(*common, "--method", "staggered", "--event", "joint_operations",
                     "--window", "36", "--format", "json")  # fmt: skip
    est = _json(out)
    assert code == 0 and est["horizon_years"] == 3 and est["n_placebos"] == 999
    assert len(est["pretrend_coefficients"]) == 2 and est["groups"][1] == "2012: Veracruz"
    assert est["groups"][0].startswith("2007: Baja California, Chihuahua, Durango, Guerrero")
    assert est["n_treated"] == 9 and est["n_never_treated"] == 23 and est["ci_low"] > 0
    by_year = {row["event_time"]: row for row in est["event_time_effects"]}
    assert sorted(by_year) == [-3, -2, -1, 0, 1, 2, 3] and by_year[-1]["att"] == 0
    assert by_year[2]["ci_low"] > 0 and by_year[2]["p"] < 0.05


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--method", "synth", "--state", "Atlantis", "--event", "2008-03"), "not a Mexican state"),
        (("--method", "synth", "--event", "2008-03"), "needs the treated unit"),
        (("--method", "synth", "--state", "Chihuahua", "--event", "1990-06"), "months before"),
        (
            (
                "--method",
                "synth",
                "--state",
                "Chihuahua",
                "--event",
                "2008-03",
                "--donor",
                "Sonora",
            ),
            "at least 2 donors",
        ),  # fmt: skip
        (
            (
                "--method",
                "synth",
                "--state",
                "Chihuahua",
                "--event",
                "2008-03",
                "--port",
                "San Ysidro",
            ),
            "--port",
        ),  # fmt: skip
        (
            ("--method", "its", "--state", "Chihuahua", "--event", "2008-03", "--donor", "Sonora"),
            "--donor",
        ),  # fmt: skip
        (("--method", "staggered", "--event", "2008-03"), "staggered programs"),
        (
            ("--method", "staggered", "--event", "joint_operations", "--state", "Sonora"),
            "--state",
        ),  # fmt: skip
        (("--method", "staggered", "--event", "joint_operations", "--window", "6"), "one year"),
        (("--method", "galaxy", "--event", "2008-03"), "must be one of"),
    ],
)
def test_effect_designs_refuse_bad_input(db: Path, args: tuple[str, ...], message: str) -> None:
    code, out = _run("indicators", "effect", "--series", "homicides", *args, "--db", str(db))
    assert code == 2 and message in out and "Traceback" not in out, out
