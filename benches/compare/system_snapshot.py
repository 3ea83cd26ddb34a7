"""A host snapshot from Python: opsbook vs psutil, same fields, same run.

Fields: memory used %, swap used %, load 1/5/15, used % and free bytes of every real
mount; then CPU usage over the same 200 ms interval. Values are cross-checked first
(memory, disk and load within a point), then both sides are timed.

Run: .venv/bin/pip install psutil && .venv/bin/python benches/compare/system_snapshot.py
(after `maturin develop --release` has installed opsbook into the virtualenv).
"""

import json
import os
import statistics
import time

import psutil

import opsbook

REAL_FS = {"ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "f2fs", "overlay"}
MOUNTS = [p.mountpoint for p in psutil.disk_partitions(all=False) if p.fstype in REAL_FS]

POLICY = json.dumps(
    {
        "version": 1,
        "checks": [
            {"name": "memory", "type": "memory"},
            {"name": "swap", "type": "swap"},
            {"name": "load", "type": "load"},
            {"name": "disk", "type": "disk", "mounts": MOUNTS},
        ],
    }
)
CPU_POLICY = json.dumps({"version": 1, "checks": [{"name": "cpu", "type": "cpu", "sample": "200ms"}]})


def opsbook_snapshot(runner: opsbook.Runner) -> dict[str, float]:
    out: dict[str, float] = {}
    for check in runner.run_sync().checks:
        for m in check.measurements:
            key = f"{check.name}:{m.name}" + (f":{m.labels['mount']}" if "mount" in m.labels else "")
            out[key] = m.value
    return out


def psutil_snapshot() -> dict[str, float]:
    vm, sw = psutil.virtual_memory(), psutil.swap_memory()
    l1, l5, l15 = os.getloadavg()
    out = {"memory:used": vm.percent, "swap:used": sw.percent, "load:load1": l1, "load:load5": l5, "load:load15": l15}
    for mount in MOUNTS:
        du = psutil.disk_usage(mount)
        out[f"disk:used:{mount}"] = du.percent
        out[f"disk:free:{mount}"] = float(du.free)
    return out


def median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runner = opsbook.Runner.from_json(POLICY)
    ours, theirs = opsbook_snapshot(runner), psutil_snapshot()
    for key, value in theirs.items():
        tolerance = 1.0 if ":free:" not in key else 64 * 1024 * 1024
        if abs(ours[key] - value) > tolerance:
            raise SystemExit(f"{key}: opsbook {ours[key]} vs psutil {value}")
    t_ours = median(lambda: opsbook_snapshot(runner), 200)
    t_theirs = median(psutil_snapshot, 200)
    print(f"snapshot (memory, swap, load, {len(MOUNTS)} mounts): opsbook {t_ours * 1e3:.3f} ms, psutil {t_theirs * 1e3:.3f} ms, opsbook/psutil {t_ours / t_theirs:.2f}")

    cpu = opsbook.Runner.from_json(CPU_POLICY)
    t_cpu_ours = median(lambda: cpu.run_sync(), 10)
    t_cpu_theirs = median(lambda: psutil.cpu_percent(interval=0.2), 10)
    print(f"cpu over a 200 ms interval: opsbook {t_cpu_ours * 1e3:.1f} ms, psutil {t_cpu_theirs * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
