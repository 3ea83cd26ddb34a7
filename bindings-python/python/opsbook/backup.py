"""Backups: PostgreSQL backup manifests and sha256sum files, verification, retention.

    manifest = Manifest.build("/var/backups/platform/2026-11-22", algorithm="SHA256")
    Path(".../backup_manifest").write_bytes(manifest.to_bytes())
    result = verify("/var/backups/platform/2026-11-22")
    if not result.ok:
        for p in result.problems:
            print(p.kind, p.path, p.message)
    groups = retention(backups, {"keep_daily": 7, "keep_weekly": 4})
"""

from ._opsbook import Manifest, Problem, Verification, find_mtime, parse_sums, retention, verify

__all__ = ["Manifest", "Problem", "Verification", "find_mtime", "parse_sums", "retention", "verify"]
