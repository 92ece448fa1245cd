"""Unit: who opens the service database closes it (Python 3.13 warns about the rest)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from border21.errors import InputError
from border21.service.app import create_app
from border21.service.config import ServiceConfig
from border21.service.db import ServiceDB
from border21.service.state import ServiceState
from border21.service.testing import client_class, make_service


def _is_closed(db: ServiceDB) -> bool:
    try:
        db.query("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_context_manager_closes_and_close_is_idempotent(tmp_path: Path) -> None:
    with ServiceDB(tmp_path / "service.sqlite3") as db:
        assert db.query("SELECT count(*) AS n FROM audit") == [{"n": 0}]
    assert _is_closed(db)
    db.close()


def test_a_file_that_is_not_a_database_is_refused_and_not_left_open(tmp_path: Path) -> None:
    (tmp_path / "service.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        ServiceDB(tmp_path / "service.sqlite3")


def test_the_app_closes_its_own_state_when_it_stops(tmp_path: Path) -> None:
    app = create_app(ServiceConfig(data_dir=tmp_path))
    with client_class()(app) as client:
        assert client.get("/api/v1/ready").status_code == 200
    assert _is_closed(app.state.service.db)


def test_the_app_leaves_a_state_it_was_given_to_its_owner() -> None:
    state = ServiceState(ServiceConfig(data_dir=None))
    try:
        with client_class()(create_app(state.config, state=state)) as client:
            assert client.get("/api/v1/health").status_code == 200
        assert not _is_closed(state.db)
    finally:
        state.close()
    assert _is_closed(state.db)
    state.close()


def test_make_service_closes_what_it_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    with make_service(None, users={"ana": ("us-cbp", "viewer")}, demo_data=False) as svc:
        assert not _is_closed(svc.state.db)
    assert _is_closed(svc.state.db)

    opened: list[ServiceDB] = []
    real_init = ServiceDB.__init__

    def recording_init(self: ServiceDB, path: Path | None) -> None:
        real_init(self, path)
        opened.append(self)

    monkeypatch.setattr(ServiceDB, "__init__", recording_init)
    with pytest.raises(InputError, match="role"):
        make_service(None, users={"bob": ("us-cbp", "root")}, demo_data=False)
    assert len(opened) == 1 and _is_closed(opened[0])


def test_service_files_are_private_to_their_user(tmp_path: Path) -> None:
    data_dir = tmp_path / "svc"
    with make_service(data_dir, users={"ana": ("us-cbp", "admin")}) as svc:
        client = svc.client()
        assert (
            client.get("/api/v1/records?kind=seizure", headers=svc.auth("ana")).status_code == 200
        )
        files = sorted(p for p in data_dir.iterdir() if p.is_file())
        assert {p.name for p in files} >= {"service.sqlite3", "service.sqlite3-wal", "audit.key"}
        for path in files:
            assert path.stat().st_mode & 0o777 == 0o600, (path.name, oct(path.stat().st_mode))
    assert data_dir.stat().st_mode & 0o077 == 0


def test_a_world_readable_service_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "service.sqlite3"
    ServiceDB(path).close()
    path.chmod(0o644)
    ServiceDB(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
