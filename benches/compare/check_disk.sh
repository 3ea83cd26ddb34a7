#!/usr/bin/env bash
# Disk check: `opsbook check` vs monitoring-plugins' check_disk on the same mounts, same
# run. Cross-checks the used percentage each reports for /, then times 50 runs of each.
#
# Run: apt-get install -y monitoring-plugins-basic && cargo build --release -p opsbook-cli
#      && benches/compare/check_disk.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OPSBOOK="${OPSBOOK:-target/x86_64-unknown-linux-gnu/release/opsbook}"
[ -x "$OPSBOOK" ] || OPSBOOK=target/release/opsbook
CHECK_DISK=/usr/lib/nagios/plugins/check_disk
POLICY="$(mktemp)"
trap 'rm -f "$POLICY"' EXIT
cat > "$POLICY" <<'TOML'
version = 1
[[checks]]
name = "disk"
type = "disk"
mounts = ["/"]
thresholds.used = { warn = "above 80", crit = "above 90" }
TOML

ours=$("$OPSBOOK" check --policy "$POLICY" --format nagios || true)
theirs=$("$CHECK_DISK" -w 20% -c 10% -p / || true)
ours_pct=$(printf '%s' "$ours" | grep -o "'disk:used:/'=[0-9.]*" | cut -d= -f2)
# check_disk prints "free space: / 72305MiB (77% inode=97%)": free against used + available, as df.
theirs_free=$(printf '%s' "$theirs" | grep -o "MiB ([0-9]*%" | grep -o "[0-9]*%" | tr -d %)
echo "used % of /: opsbook $ours_pct, check_disk $((100 - theirs_free)) (100 - its rounded free %)"
python3 -c "import sys; sys.exit(0 if abs($ours_pct - (100 - $theirs_free)) <= 1.5 else 'the two disagree')"

time_it() {
  python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(50):
    t = time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); times.append(time.perf_counter() - t)
print(statistics.median(times))
PY
}
t_ours=$(time_it "$OPSBOOK" check --policy "$POLICY" --format nagios)
t_theirs=$(time_it "$CHECK_DISK" -w 20% -c 10% -p /)
python3 -c "print(f'check /: opsbook {$t_ours*1e3:.2f} ms, check_disk {$t_theirs*1e3:.2f} ms, opsbook/check_disk {$t_ours/$t_theirs:.2f}')"
