"""Load test: one abusive user against nine normal ones; are the normal users still served?

Starts ``border21 serve --demo-data`` on 127.0.0.1 in a subprocess with a fresh
data dir and ten users. Nine normal users (us-cbp and mx-customs viewers and
analysts) each send, on an open loop at ``--rate`` requests per second, a
mix of cheap requests: a page of their agency's records, one record, the
record summary, ``/me``. Latency counts from when a request was due (no
coordinated omission). Two phases of ``--seconds`` each, same load:

1. **idle**: only the normal users;
2. **abused**: plus one outside analyst's viewer running ``--abusers``
   concurrent closed loops of the largest synchronous simulation a viewer may
   ask for (San Ysidro, 3 days), each resent as soon as it is answered; after
   a 429 it waits ``Retry-After`` (with ``--flood`` it does not: it resends at
   once, a request flood on top of the heavy work).

Reports p50/p95/p99 of the normal users' requests in each phase, the ratio of
the p99s (target: abused ≤ 2 × idle), and what the abuser got (200s, 429s).
Bounded: at most rate × 9 × seconds normal requests per phase, hard stop 30 s
after each phase.

    python benchmarks/bench_fairness.py          # 9 × 5 req/s, 3 × (20 s idle, 20 s abused)
    python benchmarks/bench_fairness.py --seconds 10 --abusers 20

Not part of the default test run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time

import httpx
import numpy as np

HOST = "127.0.0.1"  # loopback only, by design
NORMAL = [(f"n{i}", ("us-cbp", "mx-customs")[i % 2], ("viewer", "analyst")[i % 3 == 0])
          for i in range(9)]  # fmt: skip
ABUSE = {"scenario": "san_ysidro", "days": 3, "replications": 1, "seed": 1}


def _add_user(exe: list[str], env: dict[str, str], data: str, name: str, agency: str,
              role: str) -> str:  # fmt: skip
    out = subprocess.run([*exe, "users", "add", name, "--agency", agency, "--role", role,
                          "--data-dir", data], check=True, capture_output=True, text=True,
                         env=env)  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


async def _normal(url: str, tokens: list[str], rate: float, seconds: float) -> list[float]:
    """Open loop over all nine users: request i is due at start + i / (9 × rate)."""
    paths = ["/api/v1/records?kind=declaration&limit=20", "/api/v1/records/1",
             "/api/v1/records/summary", "/api/v1/me"]  # fmt: skip
    n = int(rate * len(tokens) * seconds)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def one(i: int, when: float) -> None:
            token = tokens[i % len(tokens)]
            r = await client.get(paths[(i // len(tokens)) % len(paths)],
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            if r.status_code not in (200, 403, 404):  # record 1 is us-cbp's: 404 (403 before)
                raise AssertionError(f"normal request got {r.status_code}: {r.text[:200]}")
            latencies.append(time.perf_counter() - when)

        start = time.perf_counter()
        tasks = []
        for i in range(n):
            when = start + i / (rate * len(tokens))
            delay = when - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, when)))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 30)
    return latencies


async def _abuse(
    url: str, token: str, loops: int, stop: asyncio.Event, flood: bool
) -> dict[int, int]:
    got: dict[int, int] = {}
    limits = httpx.Limits(max_connections=loops, max_keepalive_connections=loops)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def loop() -> None:
            while not stop.is_set():
                r = await client.post("/api/v1/simulations", json=ABUSE,
                                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                got[r.status_code] = got.get(r.status_code, 0) + 1
                if r.status_code == 429 and not flood:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), float(r.headers["retry-after"]))

        tasks = [asyncio.create_task(loop()) for _ in range(loops)]
        await stop.wait()
        await asyncio.wait(tasks, timeout=60)
    return got


async def _abuse_for(
    url: str, token: str, loops: int, seconds: float, flood: bool
) -> dict[int, int]:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    return await _abuse(url, token, loops, stop, flood)


def _phase(url: str, tokens: list[str], abuser: str | None, args: argparse.Namespace
           ) -> tuple[np.ndarray, dict[int, int]]:  # fmt: skip
    """The normal users' latencies (ms); the abuser, if any, runs in a process of its own so
    that its client work does not slow the measuring client."""
    proc = None
    if abuser:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--abuse-only", url, abuser, str(args.abusers),
             str(args.seconds + 4), str(int(args.flood))], stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(2.0)  # let the abuse reach its steady state first
    latencies = asyncio.run(_normal(url, tokens, args.rate, args.seconds))
    got: dict[int, int] = {}
    if proc is not None:
        out, _ = proc.communicate(timeout=120)
        got = {int(k): int(v) for k, v in (pair.split(":") for pair in out.split())}
    return np.array(latencies) * 1000, got


def main() -> None:
    if sys.argv[1:2] == ["--abuse-only"]:  # the abuser's own process (see _phase)
        url, token, loops, seconds, flood = sys.argv[2:7]
        got = asyncio.run(_abuse_for(url, token, int(loops), float(seconds), flood == "1"))
        print(" ".join(f"{k}:{v}" for k, v in got.items()))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=5.0, help="requests/s per normal user")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--abusers", type=int, default=50, help="concurrent abusive loops")
    ap.add_argument("--rounds", type=int, default=3, help="idle/abused pairs, alternated")
    ap.add_argument(
        "--flood",
        action="store_true",
        help="the abuser resends at once after a 429 (ignores Retry-After)",
    )
    args = ap.parse_args()
    if not (0 < args.rate <= 50 and 0 < args.seconds <= 120 and 1 <= args.abusers <= 200
            and 1 <= args.rounds <= 10):  # fmt: skip
        sys.exit("rate in (0, 50], seconds in (0, 120], abusers in [1, 200], rounds in [1, 10]")
    exe = [sys.executable, "-c", "from border21.cli.main import run; run()"]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    with tempfile.TemporaryDirectory() as data:
        tokens = [_add_user(exe, env, data, *user) for user in NORMAL]
        abuser = _add_user(exe, env, data, "outside", "analyst", "viewer")
        port = _free_port()
        server = subprocess.Popen(
            [*exe, "serve", "--host", HOST, "--port", str(port), "--data-dir", data,
             "--demo-data"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            warm = httpx.post(url + "/api/v1/simulations", json=ABUSE, timeout=120,
                              headers={"Authorization": f"Bearer {abuser}"})  # fmt: skip
            warm.raise_for_status()  # compiles the kernels once; also times one abusive run
            t0 = time.perf_counter()
            again = httpx.post(url + "/api/v1/simulations", json=ABUSE, timeout=120,
                               headers={"Authorization": f"Bearer {abuser}"})  # fmt: skip
            again.raise_for_status()
            one_run_s = time.perf_counter() - t0
            load0 = os.getloadavg()[0]
            rounds = []
            for _ in range(args.rounds):  # alternate, so that the box's other load hits both
                idle, _ = _phase(url, tokens, None, args)
                abused, got = _phase(url, tokens, abuser, args)
                rounds.append((idle, abused, got))
            load1 = os.getloadavg()[0]
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
    print(f"9 normal users × {args.rate:g} req/s (records page, one record, summary, /me) for "
          f"{args.seconds:g} s; abuser: {args.abusers} concurrent loops of {ABUSE}"
          f"{', flooding (ignores Retry-After)' if args.flood else ''} "
          f"(one run alone: {one_run_s:.2f} s); load avg {load0:.2f} -> {load1:.2f}")  # fmt: skip
    ratios = []
    for r, (idle, abused, got) in enumerate(rounds, 1):
        for name, lat in (("idle", idle), ("abused", abused)):
            p50, p95, p99 = np.percentile(lat, [50, 95, 99])
            print(f"  round {r} {name:>6}: {len(lat)} requests, p50 {p50:.1f} ms, "
                  f"p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {lat.max():.1f} ms")  # fmt: skip
        ratios.append(float(np.percentile(abused, 99) / np.percentile(idle, 99)))
        print(f"  round {r} abuser got: {dict(sorted(got.items()))}; p99 ratio {ratios[-1]:.2f}")
    idle_all = np.concatenate([i for i, _, _ in rounds])
    abused_all = np.concatenate([a for _, a, _ in rounds])
    ratio = float(np.percentile(abused_all, 99) / np.percentile(idle_all, 99))
    print(
        f"  all rounds: p99 idle {np.percentile(idle_all, 99):.1f} ms, abused "
        f"{np.percentile(abused_all, 99):.1f} ms; ratio {ratio:.2f} (median of rounds "
        f"{float(np.median(ratios)):.2f})  target (≤ 2):",
        "MET" if ratio <= 2 else "NOT MET",
    )


if __name__ == "__main__":
    main()
