"""`border21 target` commands: train, score, evaluate, online, cooperate, generate.

Thin adapters over :mod:`border21.targeting`: parse flags, read files, call
the core, print or write the result. NumPy, pandas and LightGBM are imported
inside the commands so ``border21 --help`` stays instant. Every user mistake
(missing column, bad budget, unreadable file) exits with code 2 and one line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from border21.cli._common import cli_errors, console
from border21.i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help=_("Risk targeting: train, score, evaluate, online, cooperate, generate."),
    no_args_is_help=True,
)

MODELS = ("lightgbm", "profile")
POLICIES = ("greedy", "explore", "uncertainty")

DataArg = typer.Argument(
    ..., help=_("Declarations: .csv, .parquet or .duckdb (KCS columns accepted).")
)
TableOpt = typer.Option(None, "--table", help=_("DuckDB table or view (default: declarations)."))
BudgetOpt = typer.Option(
    5.0, "--budget", "-r", help=_("Inspection budget in percent, in (0, 100].")
)
SeedOpt = typer.Option(0, "--seed", min=0, help=_("Root seed (models and policies)."))
ThreadsOpt = typer.Option(1, "--threads", help=_("LightGBM threads (default 1)."))


def _read(path: Path, table: str | None, *, label: bool = False) -> pd.DataFrame:
    from border21.targeting.io import read_declarations

    return read_declarations(path, table=table, require_label=label)


def _make_model(kind: str, seed: int, threads: int, encoding: str = "time") -> Any:
    from border21.errors import InputError
    from border21.targeting.models import EntityProfileModel, LightGBMRiskModel

    if kind not in MODELS:
        raise InputError(
            "--model-type", kind, _("must be one of {choices}").format(choices=", ".join(MODELS))
        )
    if encoding not in ("time", "kfold"):
        raise InputError("--encoding", encoding, _("must be 'time' or 'kfold'"))
    if threads < 1:
        raise InputError("--threads", threads, _("must be >= 1"))
    if kind == "profile":
        return EntityProfileModel(random_state=seed)
    return LightGBMRiskModel(random_state=seed, n_jobs=threads, encoding=encoding)  # type: ignore[arg-type]


def _make_policy(kind: str, share: float, seed: int) -> Any:
    from border21.errors import InputError
    from border21.targeting.policies import ExplorationPolicy, GreedyPolicy, UncertaintyPolicy

    if kind not in POLICIES:
        raise InputError(
            "--policy", kind, _("must be one of {choices}").format(choices=", ".join(POLICIES))
        )
    if not 0 <= share <= 1:
        raise InputError("--explore-share", share, _("must be in [0, 1]"))
    if kind == "greedy":
        return GreedyPolicy(seed=seed)
    cls = ExplorationPolicy if kind == "explore" else UncertaintyPolicy
    return cls(explore_share=share, seed=seed)


MODEL_KEY_ENV = "BORDER21_MODEL_KEY"


def model_key_path() -> Path:
    """The model signing key: ``$BORDER21_MODEL_KEY``, else the user data directory."""
    if os.environ.get(MODEL_KEY_ENV):
        return Path(os.environ[MODEL_KEY_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("border21", appauthor=False)) / "model.key"


def _load_model(path: Path) -> Any:
    """A model file's model, after its signature checks out (nothing runs before that)."""
    from border21.targeting.modelfile import load_model, read_key

    return load_model(path, read_key(model_key_path()))["model"]


def _print(frame: pd.DataFrame, title: str) -> None:
    from rich.table import Table

    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "iuf" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


@app.command(
    help=_(
        "Fit a risk model on labelled declarations and save it, signed with this "
        "machine's model key (``$BORDER21_MODEL_KEY``, else made in the user data "
        "directory)."
    )
)
@cli_errors
def train(
    data: Path = DataArg,
    out: Path = typer.Option(
        Path("target-model.pkl"), "--out", "-o", help=_("Model file to write.")
    ),
    model_type: str = typer.Option("lightgbm", "--model-type", help=_("lightgbm or profile.")),
    encoding: str = typer.Option("time", "--encoding", help=_("Risk encodings: time or kfold.")),
    table: str | None = TableOpt,
    seed: int = SeedOpt,
    threads: int = ThreadsOpt,
) -> None:
    import time

    from border21.targeting.modelfile import ensure_key, save_model

    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    frame = _read(data, table, label=True)
    model = _make_model(model_type, seed, threads, encoding)
    t0 = time.perf_counter()
    model.fit(frame)
    seconds = time.perf_counter() - t0
    save_model(out, {"model": model, "seed": seed}, ensure_key(model_key_path()))
    console.print(
        _("trained {model} on {n} declarations (fraud rate {rate}) in {seconds} s → {path}").format(
            model=model_type,
            n=f"{len(frame):,}",
            rate=f"{frame['fraud'].mean():.3f}",
            seconds=f"{seconds:.1f}",
            path=out,
        )
    )


@app.command(help=_("Rank declarations and write the selection at the budget, with reasons."))
@cli_errors
def score(
    data: Path = DataArg,
    model_path: Path = typer.Option(..., "--model", "-m", help=_("Model file from `train`.")),
    out: Path = typer.Option(
        Path("selection.csv"), "--out", "-o", help=_("Ranked selection (.csv/.parquet).")
    ),
    budget: float = BudgetOpt,
    policy: str = typer.Option("greedy", "--policy", help=_("greedy, explore or uncertainty.")),
    explore_share: float = typer.Option(
        0.1, "--explore-share", help=_("Budget share for exploration.")
    ),
    reasons: int = typer.Option(3, "--reasons", help=_("Top reasons per selected item.")),
    table: str | None = TableOpt,
    seed: int = SeedOpt,
) -> None:
    import numpy as np
    import pandas as pd

    from border21.targeting.io import write_declarations
    from border21.targeting.policies import UncertaintyPolicy, check_budget

    check_budget(budget)
    model = _load_model(model_path)
    pol = _make_policy(policy, explore_share, seed)
    frame = _read(data, table)
    scores = model.risk_score(frame)
    unc = model.uncertainty(frame) if isinstance(pol, UncertaintyPolicy) and len(frame) else None
    chosen = pol.select(scores, budget, uncertainty=unc)
    picked = frame.iloc[chosen]
    why = model.explain(picked, top=reasons) if reasons > 0 else [[] for _item in chosen]
    result = pd.DataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "declaration_id": picked["declaration_id"].to_numpy(),
            "risk_score": np.round(scores[chosen], 6),
            "reasons": ["; ".join(f"{n} {c:+.3f}" for n, c in r) for r in why],
        }
    )
    if out.suffix.lower() in {".parquet", ".pq"}:
        write_declarations(result, out)
    else:
        result.to_csv(out, index=False)
    note = "" if len(frame) else _(" (empty batch: nothing to inspect)")
    console.print(
        _("selected {k} of {n} declarations at {budget}%{note} → {path}").format(
            k=f"{len(chosen):,}", n=f"{len(frame):,}", budget=f"{budget:g}", note=note, path=out
        )
    )


@app.command(help=_("Precision and recall at exact top-k budgets, and AUC, on labelled data."))
@cli_errors
def evaluate(
    data: Path = DataArg,
    model_path: Path = typer.Option(..., "--model", "-m", help=_("Model file from `train`.")),
    budgets: str = typer.Option(
        "1,2,5,10", "--budgets", help=_("Comma-separated budgets in percent.")
    ),
    table: str | None = TableOpt,
) -> None:
    import pandas as pd

    from border21.errors import InputError
    from border21.targeting.metrics import precision_recall_at
    from border21.targeting.policies import budget_count, check_budget

    try:
        levels = [check_budget(float(b)) for b in budgets.split(",") if b.strip()]
    except ValueError:
        raise InputError(
            "--budgets", budgets, _("must be numbers in (0, 100], comma-separated")
        ) from None
    model = _load_model(model_path)
    frame = _read(data, table, label=True)
    if len(frame) == 0:
        raise InputError(str(data), 0, _("no declarations to evaluate"))
    y = frame["fraud"].to_numpy()
    scores = model.risk_score(frame)
    rows = [
        {
            "budget_pct": b,
            "k": budget_count(len(y), b),
            **dict(zip(("precision", "recall"), precision_recall_at(y, scores, b), strict=True)),
        }
        for b in levels
    ]
    _print(
        pd.DataFrame(rows),
        _("{n} declarations, fraud rate {rate}").format(n=f"{len(y):,}", rate=f"{y.mean():.3f}"),
    )
    if 0 < y.sum() < len(y):
        from sklearn.metrics import roc_auc_score

        console.print(f"AUC {roc_auc_score(y, scores):.4f}")


@app.command(help=_("Replay the data week by week with selective labels; report per week."))
@cli_errors
def online(
    data: Path = DataArg,
    model_type: str = typer.Option("lightgbm", "--model-type", help=_("lightgbm or profile.")),
    budget: float = BudgetOpt,
    policy: str = typer.Option("greedy", "--policy", help=_("greedy, explore or uncertainty.")),
    explore_share: float = typer.Option(
        0.1, "--explore-share", help=_("Budget share for exploration.")
    ),
    warm_start_days: int = typer.Option(
        14, "--warm-start-days", help=_("Fully labelled first days.")
    ),
    batch_days: int = typer.Option(7, "--batch-days", help=_("Days per batch.")),
    out: Path | None = typer.Option(None, "--out", "-o", help=_("Write per-week metrics (.csv).")),
    table: str | None = TableOpt,
    seed: int = SeedOpt,
    threads: int = ThreadsOpt,
) -> None:
    from border21.targeting.online import run_online
    from border21.targeting.policies import check_budget

    check_budget(budget)
    pol = _make_policy(policy, explore_share, seed)
    model = _make_model(model_type, seed, threads)
    res = run_online(
        _read(data, table, label=True),
        model,
        pol,
        budget_pct=budget,
        warm_start_days=warm_start_days,
        batch_days=batch_days,
    )
    cols = [
        "week",
        "n",
        "n_inspected",
        "precision",
        "recall",
        "normalised_precision",
        "revenue_share",
        "licit_per_1000",
    ]
    weeks = res.weeks.copy()
    weeks["start"] = weeks["start"].dt.date.astype(str)
    title = _("{policy} at {budget}%: last 13 weeks").format(
        policy=res.policy, budget=f"{budget:g}"
    )
    _print(weeks[["start", *cols]].tail(13), title)
    console.print(
        _("mean precision, last 13 weeks: {value}").format(
            value=f"{res.mean_last('precision', 13):.3f}"
        )
    )
    if res.drift_start is not None:
        caught = res.weeks_to_catch()
        console.print(
            _("drift from {date}: caught after {weeks} week(s)").format(
                date=res.drift_start.date(),
                weeks=caught if caught is not None else _("never (not within the data)"),
            )
        )
    if out is not None:
        res.weeks.to_csv(out, index=False)


@app.command(
    help=_("Compare isolated models, HMAC-keyed shared profiles and a pooled model, over seeds.")
)
@cli_errors
def cooperate(
    us: Path | None = typer.Option(None, "--us", help=_("US declarations (default: generated).")),
    mx: Path | None = typer.Option(None, "--mx", help=_("MX declarations (default: generated).")),
    shipments: int = typer.Option(20_000, "--shipments", help=_("Generated shipments.")),
    budget: float = BudgetOpt,
    history_share: float = typer.Option(
        0.2, "--history-share", help=_("Share of history inspected.")
    ),
    seed: int = SeedOpt,
    seeds: int = typer.Option(
        10,
        "--seeds",
        min=2,
        max=100,
        help=_("Repeat over this many seeds (traffic when generated, and models): means ± 95% CI."),
    ),
) -> None:
    from border21.errors import InputError
    from border21.targeting.cooperation import compare_over_seeds
    from border21.targeting.generator import BinationalTraffic, TrafficConfig, generate_traffic
    from border21.targeting.policies import check_budget

    check_budget(budget)
    if (us is None) != (mx is None):
        raise InputError("--us/--mx", str(us or mx), _("give both agencies' files, or neither"))
    import numpy as np

    children = np.random.SeedSequence(seed).spawn(seeds)
    seed_list = [int(c.generate_state(1)[0]) for c in children]
    if us is not None and mx is not None:
        given = (_read(us, None, label=True), _read(mx, None, label=True))

        def traffic_for(s: int) -> BinationalTraffic:  # the files; the seed varies the models
            return BinationalTraffic(given[0], given[1], TrafficConfig(), s)
    else:

        def traffic_for(s: int) -> BinationalTraffic:
            return generate_traffic(TrafficConfig(n_shipments=shipments), seed=s)

    res = compare_over_seeds(
        traffic_for, seed_list, budget_pct=budget, history_inspection_share=history_share
    )
    table = res.table()
    shown = table[["agency", "regime"]].copy()
    for col in ("precision", "recall", "licit_per_1000"):
        digits = 1 if col == "licit_per_1000" else 3
        shown[col] = [
            f"{m:.{digits}f} ± {h:.{digits}f}"
            for m, h in zip(table[col], table[f"{col}_ci95"], strict=True)
        ]
    _print(
        shown,
        _("cooperation at {budget}% budget: mean ± 95% CI over {seeds} seeds").format(
            budget=f"{budget:g}", seeds=seeds
        ),
    )
    covers = _(" (covers 0)")
    for regime in ("shared_profiles", "pooled"):
        lift = res.lift(regime)
        parts = [
            f"{r.agency} {r.lift:+.1%} ± {r.lift_ci95:.1%}" + ("" if r.clear else covers)
            for r in lift.itertuples()
        ]
        console.print(
            _("lift of {regime} over isolated (precision): {lifts}").format(
                regime=regime, lifts=", ".join(parts)
            )
        )
    console.print(
        _(
            "± is the 95% interval over seeds; a lift whose interval covers 0 is not "
            "distinguishable from none at this size (more --seeds or --shipments narrow it)."
        ),
        highlight=False,
    )


@app.command(help=_("Write seeded synthetic declarations (hidden `fraud` flag included)."))
@cli_errors
def generate(
    out: Path = typer.Option(
        ..., "--out", "-o", help=_("File to write (.csv, .parquet, .duckdb).")
    ),
    n: int = typer.Option(10_000, "--n", help=_("Declarations to generate.")),
    agency: str = typer.Option("US", "--agency", help=_("US (import side) or MX (export side).")),
    drift_start: str | None = typer.Option(
        None, "--drift-start", help=_("Date a new fraud pattern starts.")
    ),
    seed: int = SeedOpt,
) -> None:
    from dataclasses import replace

    from border21.errors import InputError
    from border21.targeting.generator import TrafficConfig, generate_declarations
    from border21.targeting.io import write_declarations

    if agency not in ("US", "MX"):
        raise InputError("--agency", agency, _("must be US or MX"))
    cfg = replace(TrafficConfig(), drift_start=drift_start)
    frame = generate_declarations(n, seed=seed, agency=agency, config=cfg)  # type: ignore[arg-type]
    write_declarations(frame, out)
    console.print(
        _("wrote {n} {agency} declarations (fraud rate {rate}) → {path}").format(
            n=f"{len(frame):,}", agency=agency, rate=f"{frame['fraud'].mean():.3f}", path=out
        )
    )
