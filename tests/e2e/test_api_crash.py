"""E2E: kill -9 a real server under load, again and again; nothing half-written survives.

Every record batch commits with its audit entry or not at all, and the keyed
audit chain verifies after every crash (no false tamper alarm).
"""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from border21.service.audit import open_audit_log, verify
from border21.service.auth import add_user
from border21.service.db import ServiceDB

SERVER = """
import socket, sys, uvicorn
from pathlib import Path
from border21.service.app import create_app
from border21.service.config import ServiceConfig
app = create_app(ServiceConfig(data_dir=Path(sys.argv[1])))
uvicorn.run(app, fd=int(sys.argv[2]), log_level="error")
"""
BATCH = 2000


def _writer(base: str, token: str, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"kind": "seizure", "records": [{"drug": "meth", "pounds": i} for i in range(BATCH)]}
    with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
        while not stop.is_set():
            try:
                client.post("/api/v1/records", json=body)
                client.get("/api/v1/records", params={"kind": "seizure", "limit": 5})
            except httpx.HTTPError:
                time.sleep(0.02)  # the server is down or restarting


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited"
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


def test_kill_9_under_load_leaves_whole_batches_and_a_clean_chain(tmp_path: Path) -> None:
    from border21.service.state import KEY_FILE_NAME

    with ServiceDB(tmp_path / "service.sqlite3") as db:
        open_audit_log(db, tmp_path / KEY_FILE_NAME)
        tokens = [add_user(db, f"w{i}", agency="us-cbp", role="analyst", now="t") for i in range(2)]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # kept open across restarts: clients queue while the server is down
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop = threading.Event()
    clients = [threading.Thread(target=_writer, args=(base, t, stop)) for t in tokens]
    rng = random.Random(16)
    try:
        for t in clients:
            t.start()
        for _ in range(4):
            proc = subprocess.Popen(
                [sys.executable, "-c", SERVER, str(tmp_path), str(listener.fileno())],
                pass_fds=[listener.fileno()],
            )
            try:
                _wait_ready(base, proc)
                time.sleep(rng.uniform(0.4, 1.0))
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
    finally:
        stop.set()
        for t in clients:
            t.join(timeout=10)
        listener.close()

    with ServiceDB(tmp_path / "service.sqlite3") as db:
        log = open_audit_log(db, tmp_path / KEY_FILE_NAME)
        report = verify(log)
        assert report.ok, report.problems
        creates = db.query("SELECT detail FROM audit WHERE action = 'records.create'")
        logged = [json.loads(r["detail"])["count"] for r in creates]
        stored = db.query("SELECT count(*) AS n FROM records")[0]["n"]
    assert logged and set(logged) == {BATCH}
    assert stored == sum(logged), f"{stored} rows stored, {sum(logged)} in the audit log"
