#!/usr/bin/env bash
# Runs every opsbook test suite on a fresh machine: installs what is missing (Debian
# packages, a Python virtualenv, npm packages), builds everything, starts real Redis and
# PostgreSQL servers on free loopback ports, runs the Rust, Python, Node and C suites and
# the drift checks, and stops the servers it started, also on failure.
#
# Usage: scripts/test.sh            (CI=true: a suite that would be skipped fails the run)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# One target directory for cargo, maturin and the napi CLI (which always passes --target).
export CARGO_BUILD_TARGET=x86_64-unknown-linux-gnu
# Keeps a plain cargo build from linking the Python extension against libpython.
export PYO3_BUILD_EXTENSION_MODULE=1
export CARGO_TERM_COLOR=never
TARGET_DIR="$ROOT/target/$CARGO_BUILD_TARGET"
VECTORS="$ROOT/tests/vectors"

passed=0
failed=0
failures=()
skips=()

log() { printf '\n=== %s\n' "$*"; }

suite() {
  local name="$1"
  shift
  log "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

# ---- what the machine needs --------------------------------------------------------
PG_BIN=/usr/lib/postgresql/15/bin
need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
[ -x "$PG_BIN/pg_ctl" ] && command -v psql >/dev/null || need_apt+=(postgresql)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need_apt+=(prometheus-alertmanager)
[ -f /usr/include/cjson/cJSON.h ] || need_apt+=(libcjson-dev)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v readelf >/dev/null || need_apt+=(binutils)
command -v setpriv >/dev/null || need_apt+=(util-linux)
command -v numfmt >/dev/null || need_apt+=(coreutils)
command -v valgrind >/dev/null || need_apt+=(valgrind)
command -v openssl >/dev/null || need_apt+=(openssl)
# The example policies run against a real nginx and a real MariaDB (MySQL's Debian stand-in).
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
[ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  log "creating the Python virtualenv"
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r bindings-python/requirements-dev.txt

if [ ! -d bindings-node/node_modules/@napi-rs/cli ]; then
  log "installing npm packages"
  (cd bindings-node && npm install --no-audit --no-fund --loglevel=error)
fi

# ---- servers -------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

SERVER_DIR="$(mktemp -d /tmp/opsbook-test.XXXXXX)"
chmod 755 "$SERVER_DIR"
REDIS_PID_FILE="$SERVER_DIR/redis.pid"
PG_RUN="$SERVER_DIR/pg"       # owned by postgres: data, socket and log
PG_DATA="$PG_RUN/data"

stop_servers() {
  if [ -f "$REDIS_PID_FILE" ]; then
    kill "$(cat "$REDIS_PID_FILE")" 2>/dev/null || true
  fi
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG_DATA' -m immediate stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$SERVER_DIR"
}
trap stop_servers EXIT INT TERM

start_redis() {
  local port
  port="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
    --pidfile "$REDIS_PID_FILE" --dir "$SERVER_DIR" --logfile "$SERVER_DIR/redis.log"
  for _ in $(seq 1 50); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      export OPSBOOK_TEST_REDIS_URL="redis://127.0.0.1:$port"
      echo "redis ready on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  cat "$SERVER_DIR/redis.log" >&2 || true
  return 1
}

start_postgres() {
  local port
  port="$(free_port)"
  id postgres >/dev/null 2>&1 || useradd --system --home "$SERVER_DIR" postgres
  mkdir -p "$PG_RUN" && chown postgres "$PG_RUN"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$PG_DATA' -U postgres --auth=trust" >"$SERVER_DIR/initdb.log" 2>&1 ||
    { cat "$SERVER_DIR/initdb.log" >&2; return 1; }
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$PG_DATA' -l '$PG_RUN/pg.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k $PG_RUN -c fsync=off\" start" >/dev/null ||
    { cat "$PG_RUN/pg.log" >&2; return 1; }
  for _ in $(seq 1 50); do
    if psql -h 127.0.0.1 -p "$port" -U postgres -tAc 'SELECT 1' 2>/dev/null | grep -q 1; then
      export OPSBOOK_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      echo "postgresql ready on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  cat "$PG_RUN/pg.log" >&2 || true
  return 1
}

log "starting servers"
start_redis || skips+=("redis-server did not start")
start_postgres || skips+=("postgresql did not start")

# ---- suites --------------------------------------------------------------------------
rust_suite() {
  cargo test --workspace --locked --no-fail-fast
}

python_suite() {
  (cd bindings-python && ../.venv/bin/maturin develop --locked -q) &&
    .venv/bin/python -m pytest -q bindings-python/tests &&
    .venv/bin/python -m mypy.stubtest opsbook &&
    MYPYPATH=examples/policies .venv/bin/python -m mypy --strict bindings-python/tests bindings-python/python/opsbook/fastapi.py &&
    MYPYPATH=examples/policies .venv/bin/python -m mypy --strict examples/fastapi_app.py examples/policies/standins.py \
      tests/policies tests/embedding
}

# The wheel as users get it: maturin's release build, installed with plain pip into a fresh
# virtualenv, used from outside the source tree, serving the FastAPI example.
python_package_suite() {
  local dist="$TARGET_DIR/wheels" venv="$TARGET_DIR/wheel-venv"
  rm -rf "$dist" "$venv" &&
    (cd bindings-python && ../.venv/bin/maturin build --locked --release --out "$dist" -q) &&
    ls "$dist"/opsbook-*-abi3-*.whl &&
    python3 -m venv "$venv" &&
    "$venv/bin/pip" install -q "$dist"/opsbook-*.whl fastapi==0.165.0 httpx==0.28.1 &&
    (cd / && "$venv/bin/python" "$ROOT/tests/packaging/python_smoke.py" "$ROOT")
}

node_suite() {
  (cd bindings-node && npx napi build --platform) &&
    git diff --exit-code -- bindings-node/index.js bindings-node/index.d.ts &&
    (cd bindings-node && node --test __test__/) &&
    (cd bindings-node && npx tsc --noEmit --strict --target es2022 --module commonjs --moduleResolution node __test__/consumer.ts)
}

# The npm package as users get it: the release addon packed with npm pack, installed into an
# empty project (no Rust there), used from JavaScript and type-checked from TypeScript.
node_package_suite() {
  local work="$TARGET_DIR/npm-consumer"
  rm -rf "$work" && mkdir -p "$work" &&
    (cd bindings-node && npx napi build --platform --release >/dev/null) &&
    git diff --exit-code -- bindings-node/index.js bindings-node/index.d.ts &&
    (cd bindings-node && npm pack --silent --pack-destination "$work" >/dev/null) &&
    (cd "$work" && echo '{"name": "consumer", "private": true}' > package.json &&
      npm install --silent --no-audit --no-fund ./opsbook-*.tgz &&
      [ ! -e node_modules/opsbook/src ] &&
      cp "$ROOT/tests/packaging/node_smoke.ts" . &&
      "$ROOT/bindings-node/node_modules/.bin/tsc" --strict --target es2022 --module commonjs --moduleResolution node node_smoke.ts &&
      node node_smoke.js)
}

# The command as an operator copies it onto a server: one release binary that reports the
# workspace's version and prints its completions and man page.
cli_release_suite() {
  local bin="$TARGET_DIR/release/opsbook" version
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
  cargo build --locked --release -p opsbook-cli &&
    [ "$("$bin" --version)" = "opsbook $version" ] &&
    "$bin" completions bash > "$TARGET_DIR/opsbook.bash" &&
    grep -q '^ *complete -F _opsbook' "$TARGET_DIR/opsbook.bash" &&
    "$bin" man > "$TARGET_DIR/opsbook.1" &&
    grep -q '^\.TH opsbook 1' "$TARGET_DIR/opsbook.1" &&
    # A reader that stops early is not an error (as for any filter).
    "$bin" man | head -1 | grep -q '^\.ie' &&
    echo "release binary: $(du -h "$bin" | cut -f1)"
}

c_suite() {
  cargo build --locked -p opsbook-ffi &&
    mkdir -p "$TARGET_DIR/c" &&
    gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-omit-frame-pointer \
      -I ffi/include ffi/tests/c/test_vectors.c "$TARGET_DIR/debug/libopsbook_ffi.a" -lcjson \
      -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$TARGET_DIR/c/test_vectors" &&
    "$TARGET_DIR/c/test_vectors" "$VECTORS" &&
    gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-omit-frame-pointer \
      -I ffi/include ffi/tests/c/test_threads.c "$TARGET_DIR/debug/libopsbook_ffi.a" \
      -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$TARGET_DIR/c/test_threads" &&
    "$TARGET_DIR/c/test_threads" &&
    c_valgrind_suite &&
    gcc -std=c11 -Wall -Wextra -Werror -I ffi/include examples/c/check_host.c \
      "$TARGET_DIR/debug/libopsbook_ffi.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$TARGET_DIR/c/check_host" &&
    { "$TARGET_DIR/c/check_host" >/dev/null; [ $? -le 3 ]; } &&
    c_install_suite
}

# The same C programs built without ASan, under Valgrind memcheck: no errors, and no memory
# definitely or indirectly lost (what stays reachable are opsbook's process-wide caches).
c_valgrind_suite() {
  local t vg_log
  command -v valgrind >/dev/null || { skips+=("valgrind (not installed)"); return 0; }
  for t in test_vectors test_threads; do
    gcc -std=c11 -Wall -Wextra -Werror -g -I ffi/include "ffi/tests/c/$t.c" "$TARGET_DIR/debug/libopsbook_ffi.a" \
      -lcjson -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$TARGET_DIR/c/${t}_valgrind" || return 1
    vg_log="$TARGET_DIR/c/$t.valgrind.log"
    if ! valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
      --error-exitcode=9 "$TARGET_DIR/c/${t}_valgrind" "$VECTORS" >"$vg_log" 2>&1; then
      tail -60 "$vg_log"
      return 1
    fi
    echo "valgrind $t: $(grep -E 'passed|failures' "$vg_log" | tail -1); $(grep -E 'ERROR SUMMARY' "$vg_log" | sed 's/^==[0-9]*== //'); $(grep -E 'definitely lost' "$vg_log" | sed 's/^==[0-9]*== *//')"
  done
}

# The installed library as a C team uses it: scripts/install-c.sh under a prefix, then a
# program built with pkg-config against the shared library (soname libopsbook.so.MAJOR)
# and one linked with the archive chosen explicitly.
c_install_suite() {
  local prefix="$TARGET_DIR/c/prefix"
  rm -rf "$prefix" &&
    OPSBOOK_PROFILE=debug scripts/install-c.sh "$prefix" >/dev/null &&
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig" gcc -std=c11 -Wall -Wextra -Werror ffi/tests/c/consumer.c \
      $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs opsbook) -Wl,-rpath,"$prefix/lib" \
      -o "$TARGET_DIR/c/consumer_shared" &&
    "$TARGET_DIR/c/consumer_shared" &&
    readelf -d "$TARGET_DIR/c/consumer_shared" | grep -q 'NEEDED.*\[libopsbook.so.0\]' &&
    readelf -d "$prefix/lib/libopsbook.so" | grep -q 'SONAME.*\[libopsbook.so.0\]' &&
    gcc -std=c11 -Wall -Wextra -Werror ffi/tests/c/consumer.c \
      $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags opsbook) "$prefix/lib/libopsbook.a" \
      $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --static --libs opsbook | sed 's/ -lopsbook / /') \
      -o "$TARGET_DIR/c/consumer_static" &&
    "$TARGET_DIR/c/consumer_static" &&
    ! readelf -d "$TARGET_DIR/c/consumer_static" | grep -q opsbook
}

# promtool (Prometheus 2.42) is the judge of our exposition format.
promtool_suite() {
  local out
  cargo build --locked -q -p opsbook-cli &&
    out="$("$TARGET_DIR/debug/opsbook" check --format prometheus --cpu-sample-ms 200 || [ $? -le 3 ])" &&
    printf '%s\n' "$out" | promtool check metrics &&
    .venv/bin/python - "$VECTORS/reports.json" <<'PY'
import json, subprocess, sys
for case in json.load(open(sys.argv[1]))["cases"]:
    r = subprocess.run(["promtool", "check", "metrics"], input=case["prometheus"], text=True, capture_output=True)
    # promtool exits 0, or 3 for lint warnings only; 1 means the text does not parse.
    if r.returncode not in (0, 3) or "error" in r.stderr.lower():
        sys.exit(f"{case['id']}: promtool rejected the exposition: {r.stderr}")
    print(f"promtool accepts {case['id']}")
PY
  rules_promtool
}

# The rules engine against Prometheus itself: export the policy's rules, write a promtool
# unit test whose expected alerts are what opsbook's evaluator produced for the recorded
# samples, and let promtool run the same rules over the same samples. A rule changed after
# the expectations were written must make promtool fail (the comparison can fail).
rules_promtool() {
  local dir ob="$TARGET_DIR/debug/opsbook"
  dir="$(mktemp -d)" &&
    "$ob" rules export --policy tests/rules/policy.toml > "$dir/rules.yml" &&
    promtool check rules "$dir/rules.yml" &&
    "$ob" rules export --policy tests/rules/policy.toml --target promtool-test \
      --samples tests/rules/samples.jsonl --interval 1m --rule-file rules.yml > "$dir/test.yml" &&
    (cd "$dir" && promtool test rules test.yml) &&
    sed 's/^for = "2m"$/for = "3m"/' tests/rules/policy.toml > "$dir/changed.toml" &&
    "$ob" rules export --policy "$dir/changed.toml" > "$dir/rules.yml" &&
    if (cd "$dir" && promtool test rules test.yml > /dev/null 2>&1); then
      echo "promtool passed a test written for different rules" >&2
      false
    else
      echo "promtool rejects expectations written for different rules, as it must"
    fi
}

lint_suite() {
  cargo fmt --all --check &&
    cargo fmt --manifest-path fuzz/Cargo.toml --check &&
    cargo clippy --locked -q --workspace -- -D warnings &&
    cargo clippy --locked -q -p opsbook -p opsbook-cli -p opsbook-ffi -p opsbook-benches --all-targets -- -D warnings
}

# Planted secrets (DSNs, URLs, robot tokens, signing secrets, an SMTP password) driven
# through every failure path of the command, Python, Node and C: none in any output.
secrets_suite() {
  cargo build --locked -q -p opsbook-cli -p opsbook-ffi &&
    .venv/bin/python tests/secrets/scan.py "$TARGET_DIR/debug/opsbook" "$TARGET_DIR/debug/libopsbook_ffi.a"
}

# The soak's short form: 50 checks every second for a minute with Redis hung, PostgreSQL
# restarted and hung (its own servers); reports on time, memory/fds/threads flat, the
# notifications exactly the faults (tests/soak/soak.py --seconds 600 is the long one).
soak_suite() {
  .venv/bin/python tests/soak/soak.py --seconds 60 --json "$TARGET_DIR/soak.json"
}

# Every fuzz target: committed seeds and past crashes replayed, then 5 s of fuzzing each
# (scripts/fuzz.sh SECONDS runs longer; the README's reliability section has the figures).
fuzz_suite() {
  scripts/fuzz.sh 5
}

# The five manuals' policies (examples/policies/) run by `opsbook run` against this machine,
# real PostgreSQL, Redis, nginx and MariaDB, and loopback stand-ins; one thing broken per
# manual must raise the right alert in the right channel's format.
example_policies_suite() {
  cargo build --locked -q -p opsbook-cli &&
    OPSBOOK_BIN="$TARGET_DIR/debug/opsbook" .venv/bin/python -m pytest -q tests/policies
}

# The embedding examples as users start them: examples/fastapi_app.py under uvicorn,
# examples/express_app.js under node, examples/c/health_server.c compiled against the C
# library; each queried over HTTP, its upstream stopped, its alert delivered.
embedding_suite() {
  cargo build --locked -q -p opsbook-ffi &&
    .venv/bin/python -m pytest -q tests/embedding
}

bench_suite() {
  cargo bench --locked -p opsbook-benches --no-run
}

suite "rust (cargo test)" rust_suite
suite "python (pytest, stubtest, mypy)" python_suite
suite "python wheel (maturin build --release, pip install into a fresh venv)" python_package_suite
suite "node (napi build, index.d.ts drift, node --test, tsc)" node_suite
suite "npm package (napi build --release, npm pack, installed into an empty project)" node_package_suite
suite "c (vectors and threads under ASan/UBSan and Valgrind, example, installed with pkg-config)" c_suite
suite "example policies (the five manuals run end to end, one fault each)" example_policies_suite
suite "embedding examples (FastAPI, Express and C services started and queried)" embedding_suite
suite "secrets (planted in every failure path, found in no output)" secrets_suite
suite "soak (50 checks every second, faults injected; 60 s)" soak_suite
suite "cli release binary (--version, completions, man page)" cli_release_suite
suite "prometheus exposition (promtool)" promtool_suite
suite "lint (rustfmt, clippy -D warnings)" lint_suite
suite "benches compile" bench_suite
suite "fuzz smoke (seeds and past crashes replayed, 5 s a target)" fuzz_suite

log "summary"
for s in "${skips[@]}"; do echo "skipped: $s"; done
for f in "${failures[@]}"; do echo "failed: $f"; done
if [ "${CI:-}" = "true" ] && [ ${#skips[@]} -gt 0 ]; then
  echo "CI=true: a skipped suite or server fails the run"
  failed=$((failed + ${#skips[@]}))
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
