"""Writes tests/vectors/retention.json.

Cases with origin "restic" transcribe restic's golden files internal/data/testdata/
policy_keep_snapshots_N for the inputs of TestApplyPolicy (internal/data/snapshot_policy_test.go):
the 103 snapshots below, in the test's order, named s0..s102; restic's month unit `m` is
written `mo` (DESIGN's duration grammar). Cases with origin "opsbook" are traced by hand.
Run: python3 tests/vectors/generators/retention.py
"""

import json
from datetime import datetime
from pathlib import Path

RESTIC = [
    ("2014-09-01 10:20:30", []), ("2014-09-02 10:20:30", []), ("2014-09-05 10:20:30", []), ("2014-09-06 10:20:30", []),
    ("2014-09-08 10:20:30", []), ("2014-09-09 10:20:30", []), ("2014-09-10 10:20:30", []), ("2014-09-11 10:20:30", []),
    ("2014-09-20 10:20:30", []), ("2014-09-22 10:20:30", []),
    ("2014-08-08 10:20:30", []), ("2014-08-10 10:20:30", []), ("2014-08-12 10:20:30", []), ("2014-08-13 10:20:30", []),
    ("2014-08-13 10:20:30.1", []), ("2014-08-15 10:20:30", []), ("2014-08-18 10:20:30", []), ("2014-08-20 10:20:30", []),
    ("2014-08-21 10:20:30", []), ("2014-08-22 10:20:30", []),
] + [(f"2014-10-{d} 10:20:30", ["foo"]) for d in ["01", "02", "05", "06", "08", "09", "10", "11", "20", "22"]] + [
    ("2014-11-08 10:20:30", ["foo"]), ("2014-11-10 10:20:30", ["foo"]), ("2014-11-12 10:20:30", ["foo"]),
    ("2014-11-13 10:20:30", ["foo"]), ("2014-11-13 10:20:30.1", ["bar"]), ("2014-11-15 10:20:30", ["foo", "bar"]),
    ("2014-11-18 10:20:30", []), ("2014-11-20 10:20:30", []), ("2014-11-21 10:20:30", []), ("2014-11-22 10:20:30", []),
] + [(f"2015-09-{d} 10:20:30", []) for d in ["01", "02", "05", "06", "08", "09", "10", "11", "20", "22"]] + [
    (f"2015-08-{d} 10:20:30", []) for d in ["08", "10", "12", "13"]] + [("2015-08-13 10:20:30.1", [])] + [
    (f"2015-08-{d} 10:20:30", []) for d in ["15", "18", "20", "21", "22"]] + [
    (f"2015-10-{d} 10:20:30", []) for d in ["01", "02", "05", "06", "08", "09", "10", "11", "20", "22", "22"]] + [
    ("2015-10-22 10:20:30", ["foo", "bar"]), ("2015-10-22 10:20:30", ["foo", "bar"]), ("2015-10-22 10:20:30", ["foo", "bar"]),
] + [(f"2015-11-{d} 10:20:30", []) for d in ["08", "10", "12", "13"]] + [("2015-11-13 10:20:30.1", [])] + [
    (f"2015-11-{d} 10:20:30", []) for d in ["15", "18", "20", "21", "22"]] + [
    ("2016-01-01 01:02:03", []), ("2016-01-01 01:03:03", []), ("2016-01-01 07:08:03", []), ("2016-01-03 07:02:03", []),
    ("2016-01-04 10:23:03", []), ("2016-01-04 11:23:03", []), ("2016-01-04 12:23:03", []), ("2016-01-04 12:24:03", []),
    ("2016-01-04 12:28:03", []), ("2016-01-04 12:30:03", []), ("2016-01-04 16:23:03", []), ("2016-01-05 09:02:03", []),
    ("2016-01-06 08:02:03", []), ("2016-01-07 10:02:03", []), ("2016-01-08 20:02:03", []), ("2016-01-09 21:02:03", []),
    ("2016-01-12 21:02:03", []), ("2016-01-12 21:08:03", []), ("2016-01-18 12:02:03", []),
]
assert len(RESTIC) == 103
restic_backups = []
for i, (t, tags) in enumerate(RESTIC):
    b = {"id": f"s{i}", "time": t.replace(" ", "T") + "Z"}
    if tags:
        b["tags"] = tags
    if i == 73:  # the test's one snapshot with paths
        b["paths"] = ["path1", "path2"]
    restic_backups.append(b)


def when(b):
    return datetime.fromisoformat(b["time"].replace("Z", "+00:00"))


def k(id_, matches, **counters):
    return {"id": id_, "matches": matches, "counters": counters}


cases = []


def restic(n, policy, keep):
    ids = [x["id"] for x in keep]
    cases.append({"id": f"restic-policy-keep-snapshots-{n}", "origin": "restic",
                  "source": f"internal/data/testdata/policy_keep_snapshots_{n}", "backups": "restic",
                  "policy": policy, "group_by": [], "now": "2026-11-22T00:00:00Z",
                  "groups": [{"key": {}, "keep": keep, "forget": [b["id"] for b in sorted(
                      restic_backups, key=when, reverse=True) if b["id"] not in ids]}]})


M = "monthly snapshot"
restic(14, {"keep_monthly": 6}, [k("s102", [M], monthly=5), k("s83", [M], monthly=4), k("s69", [M], monthly=3),
                                 k("s49", [M], monthly=2), k("s59", [M], monthly=1), k("s39", [M])])
restic(15, {"keep_daily": 2, "keep_weekly": 2, "keep_monthly": 6},
       [k("s102", ["daily snapshot", "weekly snapshot", M], daily=1, weekly=1, monthly=5),
        k("s101", ["daily snapshot", "weekly snapshot"], monthly=5), k("s83", [M], monthly=4), k("s69", [M], monthly=3),
        k("s49", [M], monthly=2), k("s59", [M], monthly=1), k("s39", [M])])
Y = "yearly snapshot"
restic(16, {"keep_yearly": 10}, [k("s102", [Y], yearly=9), k("s83", [Y], yearly=8), k("s39", [Y], yearly=7),
                                 k("s10", ["oldest yearly snapshot"], yearly=6)])
FB = "has tags [foo, bar]"
restic(19, {"keep_tags": [["foo", "bar"]]}, [k("s71", [FB]), k("s72", [FB]), k("s73", [FB]), k("s35", [FB])])
both = ["has tags [foo]", "has tags [bar]"]
restic(20, {"keep_tags": [["foo"], ["bar"]]},
       [k("s71", both), k("s72", both), k("s73", both), k("s35", both), k("s34", ["has tags [bar]"])]
       + [k(f"s{i}", ["has tags [foo]"]) for i in [33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20]])
restic(21, {"keep_within": "1d"}, [k("s102", ["within 1d"])])
restic(24, {"keep_within": "1mo"}, [k(f"s{i}", ["within 1mo"]) for i in range(102, 83, -1)])
W = "weekly within 1y2mo3d3h"
restic(32, {"keep_within_weekly": "1y2mo3d3h"},
       [k(f"s{i}", [W]) for i in [102, 101, 99, 87, 83, 79, 74, 69, 67, 61, 49, 48, 47, 43, 59, 55, 50, 39, 35]])
MW = "monthly within 1y2mo3d3h"
restic(33, {"keep_within_monthly": "1y2mo3d3h"}, [k(f"s{i}", [MW]) for i in [102, 83, 69, 49, 59, 39]])
U = {"monthly": -1, "yearly": -1}
restic(39, {"keep_daily": 3, "keep_weekly": 2, "keep_monthly": "unlimited", "keep_yearly": "unlimited"},
       [k("s102", ["daily snapshot", "weekly snapshot", M, Y], daily=2, weekly=1, **U),
        k("s101", ["daily snapshot", "weekly snapshot"], daily=1, **U), k("s99", ["daily snapshot"], **U),
        k("s83", [M, Y], **U), k("s69", [M], **U), k("s49", [M], **U), k("s59", [M], **U), k("s39", [M, Y], **U),
        k("s29", [M], **U), k("s9", [M], **U), k("s19", [M], **U),
        k("s10", ["oldest monthly snapshot", "oldest yearly snapshot"], **U)])


def own(id_, note, backups, policy, now, groups, group_by=None, rule="restic"):
    c = {"id": id_, "origin": "opsbook", "note": note, "backups": backups, "policy": policy, "now": now, "groups": groups}
    c["group_by"] = [] if group_by is None else group_by
    if rule != "restic":
        c["rule"] = rule
    cases.append(c)


own("buckets-in-each-backups-own-time-zone",
    "23:30 and 00:30 in Beijing are two days there, one day in UTC: keep-daily 2 keeps both as daily snapshots "
    "(in UTC the second would be the 'oldest daily snapshot')",
    [{"id": "a", "time": "2026-11-21T23:30:00+08:00"}, {"id": "b", "time": "2026-11-22T00:30:00+08:00"}],
    {"keep_daily": 2}, "2026-11-22T12:00:00Z",
    [{"key": {}, "keep": [k("b", ["daily snapshot"], daily=1), k("a", ["daily snapshot"])], "forget": []}])
own("within-counts-from-the-newest-backup-not-in-the-future",
    "the 2026-11-23 backup is in the future (now is 2026-11-22T12:00Z), so the window of 1d ends at the newest "
    "other one (2026-11-22T10:00Z): 2026-11-21T11:00Z is kept, 09:00 is not; the future one is after the limit too",
    [{"id": "future", "time": "2026-11-23T00:00:00Z"}, {"id": "n1", "time": "2026-11-22T10:00:00Z"},
     {"id": "n2", "time": "2026-11-21T11:00:00Z"}, {"id": "n3", "time": "2026-11-21T09:00:00Z"}],
    {"keep_within": "1d"}, "2026-11-22T12:00:00Z",
    [{"key": {}, "keep": [k("future", ["within 1d"]), k("n1", ["within 1d"]), k("n2", ["within 1d"])], "forget": ["n3"]}])
own("grouped-by-host-and-paths",
    "restic's default grouping: keep-last 1 keeps the newest of each host and path set",
    [{"id": "w1-old", "time": "2026-11-20T02:00:00Z", "host": "web-1", "paths": ["/srv"]},
     {"id": "w1-new", "time": "2026-11-21T02:00:00Z", "host": "web-1", "paths": ["/srv"]},
     {"id": "w2-old", "time": "2026-11-20T02:00:00Z", "host": "web-2", "paths": ["/srv"]},
     {"id": "w2-new", "time": "2026-11-22T02:00:00Z", "host": "web-2", "paths": ["/srv"]},
     {"id": "w2-etc", "time": "2026-11-19T02:00:00Z", "host": "web-2", "paths": ["/etc"]}],
    {"keep_last": 1}, "2026-11-22T12:00:00Z",
    [{"key": {"host": "web-1", "paths": ["/srv"]}, "keep": [k("w1-new", ["last snapshot"])], "forget": ["w1-old"]},
     {"key": {"host": "web-2", "paths": ["/etc"]}, "keep": [k("w2-etc", ["last snapshot"])], "forget": []},
     {"key": {"host": "web-2", "paths": ["/srv"]}, "keep": [k("w2-new", ["last snapshot"])], "forget": ["w2-old"]}],
    group_by=["host", "paths"])
own("incremental-keeps-its-full-backup",
    "full weekly, incremental daily: keep-daily 3 keeps f2, i6, i5; i6 and i5 depend on f1, which is kept for them",
    [{"id": "f1", "time": "2026-11-15T02:00:00Z", "kind": "full"}]
    + [{"id": f"i{d - 15}", "time": f"2026-11-{d}T02:00:00Z", "kind": "incremental", "base": "f1"} for d in range(16, 22)]
    + [{"id": "f2", "time": "2026-11-22T02:00:00Z", "kind": "full"}],
    {"keep_daily": 3}, "2026-11-22T12:00:00Z",
    [{"key": {}, "keep": [k("f2", ["daily snapshot"], daily=2), k("i6", ["daily snapshot"], daily=1),
                          k("i5", ["daily snapshot"]), k("f1", ["base of i6"])],
      "forget": ["i4", "i3", "i2", "i1"]}])
own("find-mtime-plus-7",
    "the manuals' find -mtime +7 -delete: age in whole days (rounded down) above 7 goes, so 7 days 23 hours stays",
    [{"id": "today", "time": "2026-11-22T01:00:00Z"}, {"id": "7d23h", "time": "2026-11-14T03:00:00Z"},
     {"id": "8d", "time": "2026-11-14T02:00:00Z"}, {"id": "30d", "time": "2026-10-23T02:00:00Z"}],
    {"days": 7}, "2026-11-22T02:00:00Z",
    [{"key": {}, "keep": [k("today", ["-mtime 0 (not +7)"]), k("7d23h", ["-mtime 7 (not +7)"])], "forget": ["8d", "30d"]}],
    rule="find_mtime")

doc = {
    "source": "restic internal/data/snapshot_policy_test.go TestApplyPolicy inputs and its golden files "
              "internal/data/testdata/policy_keep_snapshots_{14,15,16,19,20,21,24,32,33,39} (origin restic; months written mo); "
              "hand-traced cases (origin opsbook); written by tests/vectors/generators/retention.py",
    "format": "backups: a list, or \"restic\" for the shared list (snapshot_sets.restic). policy keys as the CLI and "
              "policy file take them (keep_last..keep_yearly: a count or \"unlimited\"; keep_within*: a window; "
              "keep_tags: lists of tags); rule find_mtime takes days. now: the clock. groups in key order, each with "
              "keep (newest first: id, matches, counters without zeros) and forget (newest first)",
    "snapshot_sets": {"restic": restic_backups},
    "cases": cases,
}
out = Path(__file__).resolve().parents[1] / "retention.json"
out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(len(cases), "cases")
