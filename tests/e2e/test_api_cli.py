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
