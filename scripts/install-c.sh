#!/usr/bin/env bash
# Installs opsbook's C library under PREFIX (default /usr/local):
#   include/opsbook.h
#   lib/libopsbook.a
#   lib/libopsbook.so.X.Y.Z, lib/libopsbook.so.X (its soname), lib/libopsbook.so
#   lib/pkgconfig/opsbook.pc
# then `pkg-config --cflags --libs opsbook` builds against the shared library and
# `pkg-config --static` lists what the archive needs. OPSBOOK_PROFILE=debug installs the
# debug build (the test command uses it to save a release build).
set -euo pipefail
PREFIX="${1:-/usr/local}"
PROFILE="${OPSBOOK_PROFILE:-release}"
cd "$(dirname "$0")/.."
if [ "$PROFILE" = release ]; then cargo build --locked --release -p opsbook-ffi; else cargo build --locked -p opsbook-ffi; fi
OUT="${CARGO_TARGET_DIR:-target}${CARGO_BUILD_TARGET:+/$CARGO_BUILD_TARGET}/$PROFILE"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
MAJOR="${VERSION%%.*}"
mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig"
install -m 0644 ffi/include/opsbook.h "$PREFIX/include/opsbook.h"
install -m 0644 "$OUT/libopsbook_ffi.a" "$PREFIX/lib/libopsbook.a"
install -m 0755 "$OUT/libopsbook_ffi.so" "$PREFIX/lib/libopsbook.so.$VERSION"
ln -sf "libopsbook.so.$VERSION" "$PREFIX/lib/libopsbook.so.$MAJOR"
ln -sf "libopsbook.so.$MAJOR" "$PREFIX/lib/libopsbook.so"
cat > "$PREFIX/lib/pkgconfig/opsbook.pc" <<PC
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: opsbook
Description: The ops runbook as a library: checks, thresholds, alert rules, forecasts and backups (C ABI)
Version: $VERSION
Libs: -L\${libdir} -lopsbook
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl
Cflags: -I\${includedir}
PC
echo "installed opsbook $VERSION under $PREFIX"
