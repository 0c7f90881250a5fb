"""How far off are the wait estimates callers hear? Simulated days, seven estimators.

Each day type of bench/traffic.py is replayed with seeds 0..N-1 (20 by default). Per day
and estimator: the mean absolute error (MAE, seconds) of every estimate heard by a caller
who went on to reach an agent, against the wait that really followed, scored twice: on the
estimate's seconds, and on the wait as the caller hears it (whole minutes, "under a
minute": bench.predictors.as_heard). The tables give the median over seeds; for the
project's estimator also the share of estimates within a minute of the wait that followed,
the share that told callers less than they then waited, and the worst seed: the project's
MAE over the best other estimator's on the same day, highest over seeds (above 1: a seed
where another estimator did better). The last two columns are what a more cautious
announcement would give: the 80th percentile of the project's futures instead of their
median, its MAE and its share told less. The last line is JSON, its top-level figures the
normal day's.

    .venv/bin/python -m bench.wait_estimate [--seeds N] [--jobs N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import statistics
import sys
import time

from bench.predictors import as_heard
from bench.traffic import DAYS, ESTIMATORS, scored, simulate

OTHERS = tuple(name for name in ESTIMATORS if name != "project")
HEARD = " heard"  # suffix of an estimator's MAE scored on the wait as the caller hears it


def score_day(day_type: str, seed: int) -> dict[str, float]:
    """One simulated day's figures: MAE per estimator in seconds (`name`) and as heard
    (`name heard`), the project's caller-felt shares."""
    callers = simulate(DAYS[day_type], seed)
    heard = scored(callers)
    figures = {name: statistics.fmean(abs(told[name] - waited) for waited, told in heard)
               for name in ESTIMATORS}
    figures |= {name + HEARD: statistics.fmean(abs(as_heard(told[name]) - waited)
                                               for waited, told in heard)
                for name in ESTIMATORS}
    figures["calls"] = len(callers)
    figures["estimates"] = len(heard)
    figures["wait_left"] = statistics.fmean(waited for waited, _ in heard)
    figures["within_1min"] = statistics.fmean(
        abs(told["project"] - waited) <= 60 for waited, told in heard)
    figures["told_less"] = statistics.fmean(told["project"] < waited for waited, told in heard)
    figures["cautious"] = statistics.fmean(abs(told["cautious"] - waited) for waited, told in heard)
    figures["cautious_less"] = statistics.fmean(
        told["cautious"] < waited for waited, told in heard)
    figures["ratio"] = figures["project"] / min(figures[name] for name in OTHERS)
    figures["ratio" + HEARD] = figures["project" + HEARD] / min(
        figures[name + HEARD] for name in OTHERS)
    return figures


def summary(days: list[dict[str, float]]) -> dict[str, float]:
    """Medians over seeds, and the worst seed's ratios."""
    result = {name: statistics.median(d[name] for d in days) for name in days[0]}
    for ratio in ("ratio", "ratio" + HEARD):
        result[ratio] = max(d[ratio] for d in days)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="days per day type (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args()
    seeds = range(args.seeds)
    started = time.perf_counter()
    runs = list(itertools.product(DAYS, seeds))
    with multiprocessing.Pool(args.jobs) as pool:
        days = pool.starmap(score_day, runs)
    results = {day: summary([d for (of, _), d in zip(runs, days, strict=True) if of == day])
               for day in DAYS}

    print(f"median over {len(seeds)} seeded days of the MAE (s) of the estimates heard, against "
          "the wait that followed\n(wait left: its mean, the MAE of always saying 0)")
    print(f"{'day':<14}{'calls':>6}{'heard':>7}{'left':>6}"
          + "".join(f"{name:>9}" for name in ESTIMATORS)
          + f"{'<=1 min':>9}{'told less':>10}{'worst':>7}{'p80 MAE':>9}{'p80 less':>9}")
    for day, r in results.items():
        print(f"{day:<14}{r['calls']:>6.0f}{r['estimates']:>7.0f}{r['wait_left']:>6.0f}"
              + "".join(f"{r[name]:>9.1f}" for name in ESTIMATORS)
              + f"{r['within_1min']:>9.0%}{r['told_less']:>10.0%}{r['ratio']:>7.2f}"
              + f"{r['cautious']:>9.1f}{r['cautious_less']:>9.0%}")
    print("\nthe same, scored on the wait as the caller hears it (whole minutes, under a minute)")
    print(f"{'day':<14}" + "".join(f"{name:>9}" for name in ESTIMATORS) + f"{'worst':>7}")
    for day, r in results.items():
        print(f"{day:<14}" + "".join(f"{r[name + HEARD]:>9.1f}" for name in ESTIMATORS)
              + f"{r['ratio' + HEARD]:>7.2f}")
    print(f"({time.perf_counter() - started:.0f} s)")

    normal = results["normal"]
    print(json.dumps({
        "calls": round(normal["calls"]), "days": len(seeds) * len(DAYS),
        **{f"mae_{name}_s": round(normal[name], 1)
           for name in ("project", "ql", "les", "hol", "asterisk", "naive")},
        "within_1min_project": round(normal["within_1min"], 3),
        "worst_seed_ratio": round(normal["ratio"], 3),
        "worst_seed_ratio_heard": round(normal["ratio" + HEARD], 3),
        "per_day": {day: {name: round(r[name], 1) for name in ESTIMATORS}
                    for day, r in results.items()},
        "per_day_heard": {day: {name: round(r[name + HEARD], 1) for name in ESTIMATORS}
                          for day, r in results.items()},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
