"""Threshold evaluation: opsbook vs nagiosplugin (the Python library for Nagios plugins).

Same work on both sides: 1,000,000 values evaluated against warn/crit Nagios ranges,
critical checked first. Results are cross-checked, then both are timed.

Run: .venv/bin/pip install nagiosplugin==1.3.3 && .venv/bin/python benches/compare/thresholds.py
(after `maturin develop` has installed opsbook into the virtualenv).
"""

import random
import statistics
import time

import nagiosplugin

import opsbook

N = 1_000_000
CASES = [("30", "60"), ("@10:20", "~:5"), ("10:", "5:"), ("~:70", "~:90")]


def nagiosplugin_statuses(warn: str, crit: str, values: list[float]) -> list[str]:
    w, c = nagiosplugin.Range(warn), nagiosplugin.Range(crit)
    out = []
    for v in values:
        # Range.match is True when the value does NOT alert.
        if not c.match(v):
            out.append("CRITICAL")
        elif not w.match(v):
            out.append("WARNING")
        else:
            out.append("OK")
    return out


def opsbook_statuses(warn: str, crit: str, values: list[float]) -> list[str]:
    t = opsbook.Threshold(warn, crit)
    return [str(t.evaluate(v)) for v in values]


def opsbook_statuses_batch(warn: str, crit: str, values: list[float]) -> list[str]:
    t = opsbook.Threshold(warn, crit)
    return [str(s) for s in t.evaluate_many(values)]


def median_seconds(fn, *args, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(42)
    values = [rng.uniform(-20, 120) for _ in range(N)]
    for warn, crit in CASES:
        ours, theirs = opsbook_statuses(warn, crit, values), nagiosplugin_statuses(warn, crit, values)
        if opsbook_statuses_batch(warn, crit, values) != ours:
            raise SystemExit("evaluate_many disagrees with evaluate")
        if ours != theirs:
            bad = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
            raise SystemExit(f"mismatch for warn={warn} crit={crit} at {values[bad]}: opsbook {ours[bad]}, nagiosplugin {theirs[bad]}")
        t_ours = median_seconds(opsbook_statuses, warn, crit, values)
        t_batch = median_seconds(opsbook_statuses_batch, warn, crit, values)
        t_theirs = median_seconds(nagiosplugin_statuses, warn, crit, values)
        print(
            f"evaluate {N} values warn={warn} crit={crit}: nagiosplugin {t_theirs:.3f} s; "
            f"opsbook per value {t_ours:.3f} s (ratio {t_theirs / t_ours:.1f}x), "
            f"opsbook evaluate_many {t_batch:.3f} s (ratio {t_theirs / t_batch:.1f}x)"
        )


if __name__ == "__main__":
    main()
