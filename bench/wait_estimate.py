"""How far off are the wait estimates callers hear? Simulated days, three estimators.

For each scenario of bench/traffic.py, several seeded days are replayed; the table gives
the median over days of each estimator's mean absolute error (seconds) against the wait
that really followed. The last line is JSON, the normal day's figures first.

    .venv/bin/python -m bench.wait_estimate [--seeds N]
"""

import argparse
import json
import statistics
import sys
import time

from bench.traffic import ESTIMATORS, SCENARIOS, DayResult, simulate

JSON_PREFIX = {"normal": "", "surge": "surge_", "agents leave early": "leave_early_",
               "surge, callers hang up": "surge_hang_up_"}


def median_day(days: list[DayResult]) -> dict[str, float]:
    """Median over days of each figure in the table."""
    figures = {"calls": [d.calls for d in days], "waited": [d.waited for d in days],
               "hung_up": [d.hung_up for d in days],
               "longest_wait_min": [d.longest_wait_s / 60 for d in days],
               "announcements": [d.announcements for d in days],
               "remaining": [d.mean_remaining_s for d in days]}
    figures |= {name: [d.mae_s[name] for d in days] for name in ESTIMATORS}
    return {name: statistics.median(values) for name, values in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=9, help="days per scenario (default 9)")
    seeds = range(parser.parse_args().seeds)
    started = time.perf_counter()
    results = {name: median_day([simulate(day, seed) for seed in seeds])
               for name, day in SCENARIOS.items()}

    print(f"median over {len(seeds)} seeded days; MAE in seconds of each announcement vs the "
          "actual remaining wait\n(wait left: its mean, i.e. the MAE of always saying 0)")
    print(f"{'scenario':<24}{'calls':>7}{'waited':>8}{'hung up':>9}{'longest':>9}"
          f"{'announced':>11}{'wait left':>11}{'project':>9}{'naive':>9}{'asterisk':>10}")
    for name, r in results.items():
        print(f"{name:<24}{r['calls']:>7.0f}{r['waited']:>8.0f}{r['hung_up']:>9.0f}"
              f"{r['longest_wait_min']:>7.0f} m{r['announcements']:>11.0f}{r['remaining']:>11.0f}"
              f"{r['project']:>9.0f}{r['naive']:>9.0f}{r['asterisk']:>10.0f}")
    print(f"({time.perf_counter() - started:.1f} s)")

    summary: dict[str, float] = {}
    for name, r in results.items():
        prefix = JSON_PREFIX[name]
        summary |= {f"{prefix}mae_{e}_s": round(r[e], 1) for e in ESTIMATORS}
        summary[f"{prefix}calls"] = r["calls"]
        summary[f"{prefix}announcements"] = r["announcements"]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
