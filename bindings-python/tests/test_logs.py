"""opsbook.logs: tests/vectors/logs.json replayed; a gzip-rotated access log read from files."""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import opsbook
from opsbook import logs

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
CASES = json.loads((VECTORS / "logs.json").read_text(encoding="utf-8"))["cases"]


def test_every_vector_is_replayed() -> None:
    assert len(CASES) == 8


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vectors(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(opsbook.InvalidValueError) as info:
            logs.analyze(lines=case["lines"], format=case["format"], options=case["options"])
        for part in case["error"]:
            assert part in str(info.value)
    else:
        assert logs.analyze(lines=case["lines"], format=case["format"], options=case["options"]) == case["want"]


def test_files_plain_and_gzipped(tmp_path: Path) -> None:
    line = '10.0.0.1 - - [01/May/2024:16:00:00 +0800] "GET /api/x/{} HTTP/1.1" {} 1 "-" "ua" 0.100\n'
    (tmp_path / "access.log").write_text("".join(line.format(i, 200) for i in range(30)))
    with gzip.open(tmp_path / "access.log.1.gz", "wt") as f:
        f.write("".join(line.format(i, 500) for i in range(10)))
    report = logs.analyze(files=[tmp_path / "access.log", tmp_path / "access.log.1.gz"], format="nginx")
    [endpoint] = report["endpoints"]
    assert (endpoint["endpoint"], endpoint["requests"], endpoint["errors"], endpoint["error_rate"]) == ("GET /api/x/{id}", 40, 10, 25)
    assert report["lines"] == 40
    with pytest.raises(opsbook.OpsbookIOError):
        logs.analyze(files=[tmp_path / "missing.log"])
