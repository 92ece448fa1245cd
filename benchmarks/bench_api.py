"""Load test of the scoring endpoint: open-loop requests at a fixed rate, loopback only.

Starts ``border21 serve`` on 127.0.0.1 in a subprocess with a fresh data dir,
creates a user, warms the model up, then sends ``--rate`` POST /api/v1/score
requests per second for ``--seconds`` seconds (each a batch of ``--batch``
declarations) and reports latency percentiles, errors and the achieved rate.
Bounded: at most rate × seconds requests over ``--connections`` keep-alive connections,
and a hard stop ``--seconds + 30`` s after the start.

    python benchmarks/bench_api.py                      # 200 req/s for 60 s
    python benchmarks/bench_api.py --rate 50 --seconds 10
    python benchmarks/bench_api.py --core               # per-call CPU of the scoring core only

Not part of the default test run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

HOST = "127.0.0.1"  # loopback only, by design


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def declarations(n: int, seed: int) -> list[dict[str, object]]:
    from border21.reports.charts import to_records
    from border21.targeting.generator import generate_declarations

    frame = generate_declarations(n, seed=seed).drop(
        columns=["fraud", "revenue", "pattern", "shipment_id", "true_value"]
    )
    return to_records(frame)


async def _send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One HTTP/1.1 keep-alive request on an open connection; returns the status."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def load(
    port: int, token: str, rate: float, seconds: float, batch: int, conns: int, explain: bool
) -> dict[str, object]:
    """Open loop: request i is due at start + i / rate; latency counts from when it was due
    (so a slow server cannot hide its queue: no coordinated omission)."""
    requests = []
    for seed in range(20):
        body = json.dumps({"declarations": declarations(batch, seed), "budget_pct": 10,
                           "explain": explain}).encode()  # fmt: skip
        requests.append(
            f"POST /api/v1/score HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    n = int(rate * seconds)
    due: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while (job := await due.get()) is not None:
                i, when = job
                try:
                    status = await _send(reader, writer, requests[i % len(requests)])
                    if status != 200:
                        errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                latencies.append(time.perf_counter() - when)
        finally:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(conns)]
    start = time.perf_counter()
    for i in range(n):
        when = start + i / rate
        delay = when - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait((i, when))
    for _ in workers:
        due.put_nowait(None)
    _, pending = await asyncio.wait(workers, timeout=max(1.0, start + seconds + 30
                                                        - time.perf_counter()))  # fmt: skip
    for task in pending:
        task.cancel()
    elapsed = time.perf_counter() - start
    if len(latencies) < n:
        errors["unfinished at the hard stop"] = n - len(latencies)
    lat = np.array(latencies or [float("nan")]) * 1000
    return {
        "requests": n, "completed": len(latencies), "elapsed_s": elapsed,
        "completed_per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(lat, 50)), "p95_ms": float(np.percentile(lat, 95)),
        "p99_ms": float(np.percentile(lat, 99)), "max_ms": float(lat.max()),
        "errors": errors,
    }  # fmt: skip


def core(reps: int) -> None:
    """CPU ms per call of the scoring core, DataFrame path vs small-batch fast path, in-process."""
    import pandas as pd

    from border21.service.batcher import ScoreItem, score_rows
    from border21.targeting.generator import generate_declarations
    from border21.targeting.models import LightGBMRiskModel
    from border21.targeting.records import validate_declarations

    model = LightGBMRiskModel(n_estimators=40, random_state=0)  # as the service trains it
    model.fit(generate_declarations(4_000, seed=0, agency="US"))
    rows = declarations(100, 5)

    class PandasOnly:  # the model as the service saw it before the fast path
        def risk_score(self, frame: pd.DataFrame) -> np.ndarray:
            return np.asarray(model._scores(validate_declarations(frame)))

        def explain(self, frame: pd.DataFrame) -> list[list[tuple[str, float]]]:
            return list(model.explain(frame))

    def cpu_ms(fn: object, n: int) -> float:
        fn()  # type: ignore[operator]
        t = time.process_time()
        for _ in range(n):
            fn()  # type: ignore[operator]
        return 1000 * (time.process_time() - t) / n

    slow = PandasOnly()
    print(f"CPU ms per call (mean of {reps} fast / {max(reps // 10, 5)} pandas calls), "
          f"1-min load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    head = ("rows", "pandas: validate+features+trees", "fast: risk_score_records",
            "fast: risk_score(DataFrame)", "fast: features only", "score_rows pandas",
            "score_rows fast", "+explain pandas", "+explain fast")  # fmt: skip
    print(" | ".join(head))

    def costs(part: list[dict[str, object]]) -> list[float]:
        frame = pd.DataFrame.from_records(part)
        plain, why = ScoreItem(part, 10.0, False), ScoreItem(part, 10.0, True)
        assert score_rows(slow, [why]) == score_rows(model, [why])
        few = max(reps // 10, 5)
        return [
            cpu_ms(lambda: slow.risk_score(pd.DataFrame.from_records(part)), few),
            cpu_ms(lambda: model.risk_score_records(part), reps),
            cpu_ms(lambda: model.risk_score(frame), reps),
            cpu_ms(lambda: model.small_batch_features(part), reps),
            cpu_ms(lambda: score_rows(slow, [plain]), few),
            cpu_ms(lambda: score_rows(model, [plain]), reps),
            cpu_ms(lambda: score_rows(slow, [why]), few),
            cpu_ms(lambda: score_rows(model, [why]), reps),
        ]

    for n in (1, 10, 100):
        cells = costs(rows[:n])
        print(" | ".join([str(n)] + [f"{c:.2f}" for c in cells]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--batch", type=int, default=10, help="declarations per request")
    ap.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    ap.add_argument("--explain", action="store_true", help="also ask for per-row reasons")
    ap.add_argument(
        "--core",
        action="store_true",
        help="only time the scoring core in-process (no server), then exit",
    )
    ap.add_argument("--reps", type=int, default=300, help="calls per cell with --core")
    args = ap.parse_args()
    if args.core:
        core(max(10, min(args.reps, 10_000)))
        return
    if not (0 < args.rate <= 1000 and 0 < args.seconds <= 300):
        sys.exit("rate must be in (0, 1000] and seconds in (0, 300]")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        exe = [sys.executable, "-c", "from border21.cli.main import run; run()"]
        env = dict(os.environ, PYTHONWARNINGS="ignore")
        out = subprocess.run([*exe, "users", "add", "bench", "--agency", "us-cbp", "--role",
                              "analyst", "--data-dir", tmp], check=True, capture_output=True,
                             text=True, env=env)  # fmt: skip
        token = out.stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(
            [*exe, "serve", "--host", HOST, "--port", str(port), "--data-dir", str(data)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            warm = {"declarations": declarations(args.batch, 99), "budget_pct": 10}
            for _ in range(20):  # trains the model once, warms caches
                auth = {"Authorization": f"Bearer {token}"}
                r = httpx.post(url + "/api/v1/score", json=warm, timeout=60, headers=auth)
                r.raise_for_status()
            load_before, cpu_before = os.getloadavg()[0], cpu_seconds(server.pid)
            client_before = time.process_time()
            result = asyncio.run(load(port, token, args.rate, args.seconds, args.batch,
                                      args.connections, args.explain))  # fmt: skip
            server_cpu = cpu_seconds(server.pid) - cpu_before
            result["server_cpu_s"] = server_cpu
            result["server_cpu_ms_per_req"] = (
                1000 * server_cpu / max(1, int(str(result["completed"])))
            )
            result["client_cpu_s"] = time.process_time() - client_before
            result["loadavg_1min"] = f"{load_before:.2f} -> {os.getloadavg()[0]:.2f}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
    print(f"POST /api/v1/score, {args.batch} declarations per request, target {args.rate:g} req/s "
          f"for {args.seconds:g} s, one uvicorn worker, loopback")  # fmt: skip
    for key, value in result.items():
        print(f"  {key:>13}: {value:.1f}" if isinstance(value, float) else f"  {key:>13}: {value}")
    ok = (
        float(str(result["p99_ms"])) < 50
        and not result["errors"]
        and float(str(result["completed_per_s"])) >= 0.95 * args.rate
    )
    print("  target (p99 < 50 ms, no errors, rate held):", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    main()
