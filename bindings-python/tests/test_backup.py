"""opsbook.backup: tests/vectors/manifests.json and retention.json replayed, manifests built
and verified on a tree (also by coreutils' sha256sum -c)."""

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import opsbook
from opsbook import backup

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
MANIFESTS = json.loads((VECTORS / "manifests.json").read_text(encoding="utf-8"))["cases"]
RETENTION_DOC = json.loads((VECTORS / "retention.json").read_text(encoding="utf-8"))
RETENTION = RETENTION_DOC["cases"]


def path_text(raw: bytes) -> str:
    """UTF-8 as is, other bytes as \\xNN (the vectors' way)."""
    out = ""
    while raw:
        try:
            out += raw.decode("utf-8")
            break
        except UnicodeDecodeError as e:
            out += raw[: e.start].decode("utf-8") + "".join(f"\\x{b:02x}" for b in raw[e.start : e.end])
            raw = raw[e.end :]
    return out


def test_vector_counts() -> None:
    assert len(MANIFESTS) == 44 and len(RETENTION) == 15


@pytest.mark.parametrize("case", MANIFESTS, ids=[c["id"] for c in MANIFESTS])
def test_manifest_vector(case: dict[str, Any]) -> None:
    data = case["manifest"].encode("utf-8")
    if "error" in case:
        with pytest.raises(opsbook.InvalidValueError) as info:
            backup.Manifest.parse(data)
        assert case["error"] in str(info.value)
        return
    m = backup.Manifest.parse(data)
    got = [
        {"path": path_text(f["path_bytes"]), "size": f["size"], "algorithm": f["algorithm"], "checksum": f["checksum"]}
        for f in m.files
    ]
    assert got == case["files"]
    assert m.to_bytes() == data


def timestamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("case", RETENTION, ids=[c["id"] for c in RETENTION])
def test_retention_vector(case: dict[str, Any]) -> None:
    backups = case["backups"]
    if isinstance(backups, str):
        backups = RETENTION_DOC["snapshot_sets"][backups]
    now = timestamp(case["now"])
    if case.get("rule") == "find_mtime":
        groups = [dict(backup.find_mtime(backups, case["policy"]["days"], now=now), key={})]
    else:
        groups = backup.retention(backups, case["policy"], group_by=case["group_by"], now=now)
    got = [
        {
            "key": g["key"],
            "keep": [{"id": k["id"], "matches": k["matches"], "counters": k["counters"]} for k in g["keep"]],
            "forget": [f["id"] for f in g["forget"]],
        }
        for g in groups
    ]
    assert got == case["groups"]


def test_build_verify_and_sha256sum(tmp_path: Path) -> None:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "database.dump.gz").write_bytes(b"\x1f\x8b" + b"x" * 10_000)
    (tmp_path / "uploads" / "头像.png").write_bytes(b"png")
    m = backup.Manifest.build(tmp_path, algorithm="SHA256")
    assert len(m) == 2 and m.version == 1 and m.wal_ranges is None
    (tmp_path / "backup_manifest").write_bytes(m.to_bytes())
    assert backup.verify(tmp_path).ok
    (tmp_path / "SHA256SUMS").write_bytes(m.to_sums())
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == 2
    (tmp_path / "uploads" / "头像.png").write_bytes(b"PNG")
    result = backup.verify(tmp_path, ignore=["SHA256SUMS"])
    assert not result and [(p.kind, p.path) for p in result.problems] == [("checksum_mismatch", "uploads/头像.png")]
    sums = backup.verify(tmp_path, manifest=tmp_path / "SHA256SUMS")
    assert [(p.kind, p.path) for p in sums.problems] == [("checksum_mismatch", "uploads/头像.png")]
    with pytest.raises(opsbook.InvalidValueError, match="algorithm"):
        backup.Manifest.build(tmp_path, algorithm="MD5")
    with pytest.raises(opsbook.InvalidValueError, match="retention.keep_daly"):
        backup.retention([], {"keep_daly": 7})
