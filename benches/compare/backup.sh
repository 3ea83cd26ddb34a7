#!/usr/bin/env bash
# Backup manifests: `opsbook backup manifest --algorithm sha256` vs coreutils' sha256sum
# over the same files (same digests cross-checked), against `openssl speed -evp sha256` per
# core as the hardware's limit; and `opsbook backup verify` vs pg_verifybackup on the same
# pg_basebackup (both must find nothing wrong). Trees are made in a temporary directory.
#
# Run: cargo build --release -p opsbook-cli && benches/compare/backup.sh [MiB, default 1024]
#      PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres adds the pg_verifybackup comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
OPSBOOK="${OPSBOOK:-target/x86_64-unknown-linux-gnu/release/opsbook}"
[ -x "$OPSBOOK" ] || OPSBOOK=target/release/opsbook
MIB="${1:-1024}"
TREE="$(mktemp -d)"
trap 'rm -rf "$TREE"' EXIT
# 4 MiB files of random bytes (dumps, archives), as many as the size asks.
for i in $(seq 1 $((MIB / 4))); do head -c $((4 * 1024 * 1024)) /dev/urandom > "$TREE/part$(printf %04d "$i").bin"; done
cat "$TREE"/* > /dev/null   # page cache warm for both sides

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Cross-check: the same digest for every file.
"$OPSBOOK" backup manifest "$TREE" --algorithm sha256 --manifest-format sha256sum --quiet | sort -k2 > "$TREE.ours"
(cd "$TREE" && sha256sum -- * | sort -k2) > "$TREE.theirs"
cmp "$TREE.ours" "$TREE.theirs" || { echo "digests differ"; exit 1; }
rm -f "$TREE.ours" "$TREE.theirs"

ours=$(for _ in 1 2 3; do s=$(now); "$OPSBOOK" backup manifest "$TREE" --algorithm sha256 --quiet > /dev/null; e=$(now); echo "$e - $s" | bc -l; done | median)
theirs=$(for _ in 1 2 3; do s=$(now); (cd "$TREE" && sha256sum -- * > /dev/null); e=$(now); echo "$e - $s" | bc -l; done | median)
crc=$(for _ in 1 2 3; do s=$(now); "$OPSBOOK" backup manifest "$TREE" --algorithm crc32c --quiet > /dev/null; e=$(now); echo "$e - $s" | bc -l; done | median)
cores=$(nproc)
openssl_mb=$(openssl speed -seconds 3 -evp sha256 2>/dev/null | awk '/^sha256/ {print $NF}' | tr -d k)
awk -v mib="$MIB" -v ours="$ours" -v theirs="$theirs" -v crc="$crc" -v cores="$cores" -v ossl="$openssl_mb" 'BEGIN {
  bytes = mib * 1048576
  printf "SHA-256 manifest of %d MiB: opsbook %.3f s (%.0f MB/s on %d cores), sha256sum %.3f s (%.0f MB/s), ratio %.2f\n", mib, ours, bytes/ours/1e6, cores, theirs, bytes/theirs/1e6, theirs/ours
  printf "openssl speed -evp sha256 (16 KiB blocks): %.0f MB/s per core; opsbook per core: %.0f MB/s = %.0f%%\n", ossl/1000, bytes/ours/1e6/cores, 100*(bytes/ours/cores)/(ossl*1000)
  printf "CRC32C manifest: opsbook %.3f s (%.0f MB/s)\n", crc, bytes/crc/1e6
}'

if [ -n "${PG_URL:-}" ]; then
  BB="$(mktemp -d)"
  /usr/lib/postgresql/15/bin/pg_basebackup -d "$PG_URL" -D "$BB/bb" --manifest-checksums=SHA256
  cat "$BB"/bb/base/*/* > /dev/null 2>&1 || true
  /usr/lib/postgresql/15/bin/pg_verifybackup -n -q "$BB/bb"
  "$OPSBOOK" backup verify "$BB/bb" --quiet > /dev/null
  pg=$(for _ in 1 2 3; do s=$(now); /usr/lib/postgresql/15/bin/pg_verifybackup -n -q "$BB/bb"; e=$(now); echo "$e - $s" | bc -l; done | median)
  ob=$(for _ in 1 2 3; do s=$(now); "$OPSBOOK" backup verify "$BB/bb" --quiet > /dev/null; e=$(now); echo "$e - $s" | bc -l; done | median)
  echo "verify a pg_basebackup (SHA-256, $(du -sh "$BB/bb" | cut -f1)): opsbook $ob s, pg_verifybackup $pg s, ratio $(echo "$pg / $ob" | bc -l | cut -c1-5)"
  rm -rf "$BB"
fi
