#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan (cmake-js, into build-asan/) and runs the test
# suite against it. Node itself is not instrumented, so the ASan runtime is preloaded.
# Usage: npm run test:asan [-- extra vitest args, e.g. test/ops/conv2d.test.ts]
set -euo pipefail
cd "$(dirname "$0")/.."

# configure, then build: `cmake-js compile` skips configuring an existing build-asan/, so a
# changed option would not reach its cache.
npx cmake-js configure --out build-asan --config RelWithDebInfo \
  --CDCMAKE_BUILD_TYPE=RelWithDebInfo --CDCONVNODE_SANITIZE=address,undefined
npx cmake-js build --out build-asan --config RelWithDebInfo

addon="$PWD/build-asan/RelWithDebInfo/convnode.node"
[ -f "$addon" ] || addon="$PWD/build-asan/Release/convnode.node"
# An uninstrumented build would pass every test and prove nothing: insist on ASan's checks.
if ! nm -D "$addon" | grep "__asan_report_load" >/dev/null; then  # not -q: under pipefail, nm would die of SIGPIPE
  echo "test:asan: $addon has no AddressSanitizer instrumentation" >&2
  exit 1
fi
asan_rt="$(${CXX:-g++} -print-file-name=libasan.so)"
ubsan_rt="$(${CXX:-g++} -print-file-name=libubsan.so)"

npm run build:ts >/dev/null
# Default: the whole suite (~3 minutes on the 2-core dev VM).
targets=("$@")
# detect_leaks=0: node and V8 keep allocations alive at exit by design. CONVNODE_SANITIZED=1 lets
# timing tests (event-loop lag) step aside: sanitized kernels are several times slower.
CONVNODE_ADDON_PATH="$addon" CONVNODE_SANITIZED=1 \
LD_PRELOAD="$asan_rt $ubsan_rt" \
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1${ASAN_EXTRA:+:$ASAN_EXTRA}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_EXTRA:+:$UBSAN_EXTRA}" \
  npx vitest run "${targets[@]}"
