"""Writes tests/vectors/manifests.json: backup_manifest texts and what reading them gives.

The malformed cases are PostgreSQL's own (src/bin/pg_verifybackup/t/005_bad_manifest.pl,
transcribed; `postgres` is the message pg_verifybackup gives); opsbook's stricter cases and the
well-formed ones follow. Manifest checksums are computed here with hashlib, independently of
opsbook. Run: python3 tests/vectors/generators/manifests.py
"""

import hashlib
import json
from pathlib import Path


def with_checksum(body: str) -> str:
    """PostgreSQL's layout: the checksum line covers everything before it."""
    return body + '"Manifest-Checksum": "' + hashlib.sha256(body.encode()).hexdigest() + '"}\n'


V = '{ "PostgreSQL-Backup-Manifest-Version": 1,\n'
cases = []


def pg(message: str, text: str, ours: str | None = None) -> None:
    cases.append({"id": f"postgres-{message.replace(' ', '-')}", "origin": "postgres", "manifest": text,
                  "postgres": message, "error": ours or message})


# 005_bad_manifest.pl, in its order.
pg("parsing failed", "{\n", "manifest ended unexpectedly")
pg("unexpected object end", "{}\n", "expected version indicator")
pg("unexpected array start", "[]\n", "expected a backup manifest object")
pg("expected version indicator", '{"not-expected": 1}\n')
# PostgreSQL 15 (the oracle here) compares the version as text; 17 says "not an integer".
pg("unexpected manifest version", '{"PostgreSQL-Backup-Manifest-Version": "phooey"}\n', "manifest version not an integer")
cases[-1]["id"] = "postgres-manifest-version-not-an-integer"
pg("unexpected manifest version", '{"PostgreSQL-Backup-Manifest-Version": 9876599}\n')
pg("unexpected scalar", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": true}\n', "expected the list of files")
pg("unrecognized top-level field", '{"PostgreSQL-Backup-Manifest-Version": 1, "Oops": 1}\n')
pg("unexpected object start", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": {}}\n', "expected the list of files")
pg("missing path name", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [{}]}\n')
pg("both path name and encoded path name",
   '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Path": "x", "Encoded-Path": "1234"}\n]}\n')
pg("unexpected file field", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Oops": 1}\n]}\n',
   "unknown field `Oops`")
pg("missing size", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Path": "x"}\n]}\n')
pg("file size is not an integer",
   '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Path": "x", "Size": "Oops"}\n]}\n')
pg("could not decode file name",
   '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Encoded-Path": "123", "Size": 0}\n]}\n')
pg("duplicate path name in backup manifest", with_checksum(
    '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Path": "x", "Size": 0},\n    {"Path": "x", "Size": 0}\n],\n'))
pg("checksum without algorithm",
   '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n    {"Path": "x", "Size": 100, "Checksum": "Oops"}\n]}\n')
pg("unrecognized checksum algorithm", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n'
   '    {"Path": "x", "Size": 100, "Checksum-Algorithm": "Oops", "Checksum": "00"}\n]}\n')
pg("invalid checksum for file", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [\n'
   '    {"Path": "x", "Size": 100, "Checksum-Algorithm": "CRC32C", "Checksum": "0"}\n]}\n')
pg("missing start LSN", '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n    {"Timeline": 1}\n]}\n')
pg("missing end LSN",
   '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n    {"Timeline": 1, "Start-LSN": "0/0"}\n]}\n')
pg("unexpected WAL range field", '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n    {"Oops": 1}\n]}\n',
   "unknown field `Oops`")
pg("missing timeline", '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n    {}\n]}\n')
cases.append({"id": "postgres-unexpected-object-end-after-wal-ranges", "origin": "postgres",
              "manifest": '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n'
                          '    {"Timeline": 1, "Start-LSN": "0/0", "End-LSN": "0/0"}\n]}\n',
              "postgres": "unexpected object end", "error": "missing \"Files\""})
pg("timeline is not an integer", '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n'
   '    {"Timeline": true, "Start-LSN": "0/0", "End-LSN": "0/0"}\n]}\n')
pg("could not parse start LSN", '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n'
   '    {"Timeline": 1, "Start-LSN": "oops", "End-LSN": "0/0"}\n]}\n')
pg("could not parse end LSN", '{"PostgreSQL-Backup-Manifest-Version": 1, "WAL-Ranges": [\n'
   '    {"Timeline": 1, "Start-LSN": "0/0", "End-LSN": "oops"}\n]}\n')
pg("expected at least 2 lines", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [], "Manifest-Checksum": null}\n')
pg("last line not newline-terminated",
   '{"PostgreSQL-Backup-Manifest-Version": 1,\n "Files": [],\n "Manifest-Checksum": null}')
pg("invalid manifest checksum", '{"PostgreSQL-Backup-Manifest-Version": 1, "Files": [],\n'
   ' "Manifest-Checksum": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567890-"}\n')


def own(id_: str, text: str, error: str) -> None:
    cases.append({"id": id_, "origin": "opsbook", "manifest": text, "error": error})


FILE = '{ "Path": "%s", "Size": 3, "Last-Modified": "2026-11-22 02:00:00 GMT" }'
own("absolute-path-refused", with_checksum(V + '"Files": [\n' + FILE % "/etc/passwd" + '\n],\n'), "unsafe path \"/etc/passwd\"")
own("dot-dot-refused", with_checksum(V + '"Files": [\n' + FILE % "base/../../etc/shadow" + '\n],\n'), "unsafe path")
own("checksum-length-wrong", with_checksum(V + '"Files": [\n{ "Path": "x", "Size": 3, "Last-Modified": "2026-11-22 02:00:00 GMT", '
    '"Checksum-Algorithm": "SHA256", "Checksum": "8a744722" }\n],\n'), "has 4 bytes, but SHA256 has 32")
own("checksum-mismatch", V + '"Files": [\n' + FILE % "x" + '\n],\n"Manifest-Checksum": "' + "0" * 64 + '"}\n',
    "manifest checksum mismatch")
own("no-checksum", V + '"Files": [\n' + FILE % "x" + '\n]\n}\n', "manifest has no checksum")
own("version-2-needs-system-identifier",
    with_checksum('{ "PostgreSQL-Backup-Manifest-Version": 2,\n"Files": [\n],\n'), "needs \"System-Identifier\"")
own("system-identifier-is-version-2",
    with_checksum(V + '"System-Identifier": 7,\n"Files": [\n],\n'), "\"System-Identifier\" is a version 2 field")
own("duplicate-top-level-field", with_checksum(V + '"Files": [\n],\n"Files": [\n],\n'), "duplicate top-level field")
own("trailing-garbage", with_checksum(V + '"Files": [\n],\n') + "{}\n", "trailing characters")
own("truncated", with_checksum(V + '"Files": [\n' + FILE % "x" + '\n],\n')[:80], "manifest ended unexpectedly")

# Well-formed manifests: each written back by opsbook must give the same bytes.
good = [
    ("pg-basebackup-crc32c", V + '"Files": [\n'
     '{ "Path": "backup_label", "Size": 225, "Last-Modified": "2026-11-22 10:22:21 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "a8066f57" },\n'
     '{ "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-11-22 10:22:19 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "8a744722" }\n'
     '],\n"WAL-Ranges": [\n{ "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }\n],\n',
     [["backup_label", 225, "CRC32C", "a8066f57"], ["PG_VERSION", 3, "CRC32C", "8a744722"]]),
    ("version-2-sha256-two-timelines", '{ "PostgreSQL-Backup-Manifest-Version": 2,\n"System-Identifier": 7440539912356218563,\n"Files": [\n'
     '{ "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-11-22 10:22:19 GMT", "Checksum-Algorithm": "SHA256", '
     '"Checksum": "' + hashlib.sha256(b"17\n").hexdigest() + '" }\n'
     '],\n"WAL-Ranges": [\n{ "Timeline": 2, "Start-LSN": "0/3000000", "End-LSN": "0/3000100" },\n'
     '{ "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/3000000" }\n],\n',
     [["PG_VERSION", 3, "SHA256", hashlib.sha256(b"17\n").hexdigest()]]),
    ("escapes-encoded-path-no-checksum", V + '"Files": [\n'
     '{ "Path": "uploads/\\"quoted\\"\\\\back\\tslash", "Size": 0, "Last-Modified": "2026-11-22 02:00:00 GMT" },\n'
     '{ "Encoded-Path": "636166e92e747874", "Size": 12, "Last-Modified": "2026-11-22 02:00:00 GMT" },\n'
     '{ "Path": "文档/报告.pdf", "Size": 8, "Last-Modified": "2026-11-22 02:00:00 GMT", "Checksum-Algorithm": "SHA224", '
     '"Checksum": "' + hashlib.sha224(b"%PDF-1.7").hexdigest() + '" }\n],\n',
     [["uploads/\"quoted\"\\back\tslash", 0, "NONE", ""], ["caf\\xe9.txt", 12, "NONE", ""],
      ["文档/报告.pdf", 8, "SHA224", hashlib.sha224(b"%PDF-1.7").hexdigest()]]),
    ("no-files-no-wal-ranges", V + '"Files": [\n],\n', []),
]
for id_, body, files in good:
    cases.append({"id": id_, "origin": "opsbook" if id_ != "pg-basebackup-crc32c" else "postgres",
                  "manifest": with_checksum(body),
                  "files": [{"path": p, "size": s, "algorithm": a, "checksum": c} for p, s, a, c in files]})

doc = {
    "source": "PostgreSQL src/bin/pg_verifybackup/t/005_bad_manifest.pl (origin postgres: the malformed manifests "
              "transcribed, `postgres` is pg_verifybackup's message, `error` the part of opsbook's message that must "
              "appear) and backup_manifest.c's layout; opsbook's stricter and well-formed cases (origin opsbook); "
              "written by tests/vectors/generators/manifests.py with hashlib checksums",
    "format": "manifest: the file's exact text. error: reading it fails with OPSBOOK_INVALID_VALUE whose message contains "
              "this. files: reading succeeds with these entries in order (path as text, non-UTF-8 bytes as \\xNN; "
              "size; algorithm name; checksum hex) and writing it back gives the same text",
    "cases": cases,
}
out = Path(__file__).resolve().parents[1] / "manifests.json"
out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(len(cases), "cases")
