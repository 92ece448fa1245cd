"""Load test of the scoring endpoint: open-loop requests at a fixed rate, loopback only.

Starts ``border21 serve`` on 127.0.0.1 in a subprocess with a fresh data dir,
creates a user, warms the model up, then sends ``--rate`` POST /api/v1/score
requests per second for ``--seconds`` seconds (each a batch of ``--batch``
declarations) and reports latency percentiles, errors and the achieved rate.
Bounded: at most rate × seconds requests, at most ``--max-in-flight`` at once,
and a hard stop ``--seconds + 30`` s after the start.

    python benchmarks/bench_api.py                      # 200 req/s for 60 s
    python benchmarks/bench_api.py --rate 50 --seconds 10

Not part of the default test run.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def load(
    url: str, token: str, rate: float, seconds: float, batch: int, cap: int, explain: bool
) -> dict[str, object]:
    bodies = [
        {"declarations": declarations(batch, seed), "budget_pct": 10, "explain": explain}
        for seed in range(20)
    ]
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sem = asyncio.Semaphore(cap)
    limits = httpx.Limits(max_connections=cap, max_keepalive_connections=cap)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits,
                                 timeout=10.0) as client:  # fmt: skip

        async def one(i: int) -> None:
            async with sem:
                t0 = time.perf_counter()
                try:
                    r = await client.post("/api/v1/score", json=bodies[i % len(bodies)])
                    key = None if r.status_code == 200 else f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                latencies.append(time.perf_counter() - t0)
                if key:
                    errors[key] = errors.get(key, 0) + 1

        n = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        done, pending = await asyncio.wait(
            tasks, timeout=max(1.0, start + seconds + 30 - time.perf_counter())
        )
        for task in pending:
            task.cancel()
        if pending:
            errors["unfinished at the hard stop"] = len(pending)
        elapsed = time.perf_counter() - start
    lat = np.array(latencies or [float("nan")]) * 1000
    return {
        "requests": n, "elapsed_s": elapsed, "achieved_rps": n / elapsed,
        "p50_ms": float(np.percentile(lat, 50)), "p95_ms": float(np.percentile(lat, 95)),
        "p99_ms": float(np.percentile(lat, 99)), "max_ms": float(lat.max()),
        "errors": errors,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--batch", type=int, default=10, help="declarations per request")
    ap.add_argument("--max-in-flight", type=int, default=256)
    ap.add_argument("--explain", action="store_true", help="also ask for per-row reasons")
    args = ap.parse_args()
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
            result = asyncio.run(load(url, token, args.rate, args.seconds, args.batch,
                                      args.max_in_flight, args.explain))  # fmt: skip
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
    ok = float(result["p99_ms"]) < 50  # type: ignore[arg-type] and not result["errors"] and float(result["achieved_rps"]) >= 0.95 * args.rate
    print("  target (p99 < 50 ms, no errors, rate held):", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    main()
