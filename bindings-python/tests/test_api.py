"""The Python API beyond the vectors: errors, types, time, the GIL, the host probe."""

import datetime
import json
import math
import threading

import pytest

import opsbook
from opsbook import CheckResult, HealthReport, Measurement, Range, Status, Threshold


def test_version() -> None:
    assert opsbook.__version__.count(".") == 2


def test_exception_hierarchy() -> None:
    assert issubclass(opsbook.InvalidRangeError, opsbook.OpsbookError)
    assert issubclass(opsbook.InvalidRangeError, ValueError)
    assert issubclass(opsbook.InvalidValueError, ValueError)
    assert issubclass(opsbook.OpsbookIOError, OSError)
    assert issubclass(opsbook.ProbeError, opsbook.OpsbookError)
    assert opsbook.OpsbookError.__module__ == "opsbook"


def test_errors_name_field_and_value() -> None:
    with pytest.raises(opsbook.InvalidRangeError, match=r'invalid range for warn: "2:1": start 2 is greater than end 1'):
        Threshold(warn="2:1")
    with pytest.raises(opsbook.InvalidValueError, match=r'invalid value for status: "bogus"'):
        Status.parse("bogus")
    with pytest.raises(opsbook.InvalidValueError, match=r"measurement name"):
        Measurement("", 1.0)
    with pytest.raises(opsbook.InvalidValueError, match=r"label name"):
        Measurement("m", 1.0, labels={"bad-name": "x"})
    with pytest.raises(opsbook.InvalidValueError, match=r'invalid value for time: "yesterday"'):
        CheckResult("c", Status.OK, "", time="yesterday")
    with pytest.raises(opsbook.InvalidValueError, match=r"duration"):
        CheckResult("c", Status.OK, "", duration=-1.0)
    with pytest.raises(TypeError, match=r"warn must be a Range"):
        Threshold(warn=5)  # type: ignore[arg-type]


def test_ranges_and_strings_are_interchangeable() -> None:
    assert Threshold(warn="above 70", crit=Range.from_form("above", 90)) == Threshold(warn="~:70", crit="~:90")
    assert repr(Range("@10:20")) == "Range('@10:20')"


def test_status_behaves_like_an_enum() -> None:
    assert Status.CRITICAL.exit_code == 2 and int(Status.UNKNOWN) == 3
    assert str(Status.WARNING) == "WARNING"
    assert {Status.OK: 1}[Status.parse("ok")] == 1


def test_time_accepts_aware_datetime_and_text() -> None:
    when = datetime.datetime(2026, 11, 22, 2, 0, tzinfo=datetime.timezone.utc)
    a = CheckResult("c", Status.OK, "fine", time=when)
    b = CheckResult("c", Status.OK, "fine", time="2026-11-22T02:00:00Z")
    assert a == b
    assert a.time is not None and a.time.timestamp() == when.timestamp()
    assert json.loads(HealthReport([a]).to_health_json())["checks"]["c"][0]["time"] == "2026-11-22T02:00:00Z"


def test_nan_is_unknown_and_prints_u() -> None:
    m = Measurement("latency", math.nan, unit="ms", warn="100")
    assert m.status == Status.UNKNOWN
    report = HealthReport([CheckResult.from_measurements("api", [m])])
    assert "'api:latency'=U;100" in report.to_nagios().text


def test_check_system_matches_proc_and_releases_the_gil() -> None:
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    report = opsbook.check_system(cpu_sample=0.3)
    stop.set()
    t.join()
    # Python code kept running while the probe slept: the GIL was released.
    assert ticks > 1000
    names = [c.name for c in report.checks]
    assert {"cpu", "memory", "swap", "load", "disk"} <= set(names)
    meminfo = {k: float(v.split()[0]) for k, v in (line.split(":", 1) for line in open("/proc/meminfo"))}
    proc_used = 100 * (1 - meminfo["MemAvailable"] / meminfo["MemTotal"])
    memory = next(c for c in report.checks if c.name == "memory").measurements[0]
    assert abs(memory.value - proc_used) < 5
    assert report.to_nagios().exit_code == report.status.exit_code
