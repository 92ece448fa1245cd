"""E2E (Typer runner): `border21 users` and `border21 audit verify` over a real data dir."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner

from border21.cli.main import app
from border21.service.testing import client_class

runner = CliRunner()


def test_users_add_token_works_once_and_audit_verify_detects_edits(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path)]
    added = runner.invoke(app, ["users", "add", "ana", "--agency", "us-cbp", "--role", "admin", *d])
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("b21_")
    assert token not in (tmp_path / "service.sqlite3").read_bytes().decode("latin-1")
    listed = runner.invoke(app, ["users", "list", *d])
    assert "ana" in listed.output and token not in listed.output
    dup = runner.invoke(app, ["users", "add", "ana", "--agency", "us-cbp", *d])
    assert dup.exit_code == 2 and "exists" in dup.output
    bad = runner.invoke(app, ["users", "add", "bob", "--agency", "fbi", *d])
    assert bad.exit_code == 2 and "agency" in bad.output

    from border21.service.app import create_app
    from border21.service.config import ServiceConfig

    with client_class()(create_app(ServiceConfig(data_dir=tmp_path))) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=headers).json()["agency"] == "us-cbp"
        client.get("/api/v1/records", params={"kind": "seizure"}, headers=headers)
    ok = runner.invoke(app, ["audit", "verify", *d])
    assert ok.exit_code == 0 and "intact" in ok.output
    shown = runner.invoke(app, ["audit", "show", *d])
    assert "records.read" in shown.output

    with closing(sqlite3.connect(tmp_path / "service.sqlite3")) as con:
        con.execute("DROP TRIGGER audit_no_update")
        con.execute("UPDATE audit SET outcome = 'denied' WHERE seq = 1")
        con.commit()
    tampered = runner.invoke(app, ["audit", "verify", *d])
    assert tampered.exit_code == 1 and "entry 1" in tampered.output

    assert runner.invoke(app, ["users", "revoke", "ana", *d]).exit_code == 0
    assert runner.invoke(app, ["users", "revoke", "ana", *d]).exit_code == 2


def test_audit_verify_without_a_service_dir_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no service.sqlite3" in result.output


def _seeded(tmp_path: Path) -> list[str]:
    d = ["--data-dir", str(tmp_path)]
    for name in ("ana", "bob"):
        added = runner.invoke(app, ["users", "add", name, "--agency", "us-cbp", *d])
        assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["audit", "verify", *d]).exit_code == 0
    return d


def _sql(tmp_path: Path, script: str) -> None:
    with closing(sqlite3.connect(tmp_path / "service.sqlite3")) as con:
        con.executescript(
            "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;"
            + script
        )


def test_audit_verify_reports_a_wiped_log_never_intact(tmp_path: Path) -> None:
    d = _seeded(tmp_path)
    _sql(tmp_path, "DELETE FROM audit; DELETE FROM audit_head;")
    wiped = runner.invoke(app, ["audit", "verify", *d])
    assert wiped.exit_code == 1 and "head missing" in wiped.output, wiped.output
    # the next write does not start a clean log either
    assert runner.invoke(app, ["users", "add", "cy", "--agency", "us-cbp", *d]).exit_code == 0
    assert runner.invoke(app, ["audit", "verify", *d]).exit_code == 1


def test_audit_verify_on_a_corrupt_head_or_key_is_one_line(tmp_path: Path) -> None:
    d = _seeded(tmp_path)
    _sql(tmp_path, "UPDATE audit_head SET seq = 'garbage', mac = x'00';")
    corrupt = runner.invoke(app, ["audit", "verify", *d])
    assert corrupt.exit_code == 1 and "head corrupt" in corrupt.output
    assert "Traceback" not in corrupt.output and len(corrupt.output.splitlines()) == 1
    (tmp_path / "audit.key").write_bytes(b"not a key")
    bad_key = runner.invoke(app, ["audit", "verify", *d])
    assert bad_key.exit_code == 2 and bad_key.output.startswith("error: audit key")
    assert len(bad_key.output.splitlines()) == 1


def test_the_audit_key_can_live_outside_the_service_dir(tmp_path: Path) -> None:
    svc, keys = tmp_path / "svc", tmp_path / "keys"
    d = ["--data-dir", str(svc), "--audit-key", str(keys / "audit.key")]
    assert runner.invoke(app, ["users", "add", "ana", "--agency", "us-cbp", *d]).exit_code == 0
    assert (keys / "audit.key").exists() and not (svc / "audit.key").exists()
    assert runner.invoke(app, ["audit", "verify", *d]).exit_code == 0
    # without the key, the log cannot be checked (or silently re-keyed)
    missing = runner.invoke(app, ["audit", "verify", "--data-dir", str(svc)])
    assert missing.exit_code == 2 and "missing" in missing.output
