#!/usr/bin/env bash
# The tracked tree holds sources, not outputs: fail when a tracked file is over 1 MiB
# (profiler dumps, data sets) or when a tool cache or build output is tracked.
#
#   scripts/check-tree.sh            check this repository
#   scripts/check-tree.sh --self-test prove the check fails on a big file and on a cache
set -euo pipefail

LIMIT_KIB=1024
# Directories that tools create and nobody writes by hand.
CACHE_RE='(^|/)(\.schemathesis|\.hypothesis|\.pytest_cache|__pycache__|node_modules|target|\.next|\.venv|\.data|test-results|playwright-report|e2e-results|\.turbo|\.cache)/'
# Files that profilers and tools drop.
OUTPUT_RE='(^|/)(perf\.data[^/]*|heaptrack\.[^/]*|[^/]*\.folded|flamegraph[^/]*\.svg|core(\.[0-9]+)?|[^/]*\.pyc)$'

check() { # DIR → prints problems, returns 1 when there are any
  local dir=$1 bad=0 f size
  while IFS= read -r -d '' f; do
    [ -f "$dir/$f" ] || continue
    size=$(( ($(stat -c %s "$dir/$f") + 1023) / 1024 ))
    if [ "$size" -gt "$LIMIT_KIB" ]; then
      echo "check-tree: $f is tracked and ${size} KiB (over ${LIMIT_KIB} KiB): output or data does not belong in git"
      bad=1
    fi
  done < <(git -C "$dir" ls-files -z)
  local caches
  caches=$(git -C "$dir" ls-files | grep -E "$CACHE_RE|$OUTPUT_RE" || true)
  if [ -n "$caches" ]; then
    echo "check-tree: tool caches, build or profiler output are tracked:"
    echo "$caches" | head -20 | sed 's/^/  /'
    bad=1
  fi
  return $bad
}

self_test() {
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  git -C "$tmp" init -q && git -C "$tmp" config user.email t@t && git -C "$tmp" config user.name t
  echo ok > "$tmp/README.md"; git -C "$tmp" add README.md
  check "$tmp" >/dev/null || { echo "self-test: a clean tree was refused"; return 1; }
  head -c $((LIMIT_KIB * 1024 + 1)) /dev/zero > "$tmp/no"; git -C "$tmp" add no
  if check "$tmp" >/dev/null; then echo "self-test: a 1 MiB + 1 byte file passed"; return 1; fi
  git -C "$tmp" rm -q --cached no
  mkdir -p "$tmp/.schemathesis/cache"; echo '{}' > "$tmp/.schemathesis/cache/x.json"
  git -C "$tmp" add -f .schemathesis
  if check "$tmp" >/dev/null; then echo "self-test: a tracked tool cache passed"; return 1; fi
  echo "check-tree self-test: a big file and a tool cache are refused, a clean tree passes"
}

cd "$(dirname "$0")/.."
if [ "${1:-}" = "--self-test" ]; then self_test; exit; fi
check . && echo "check-tree: $(git ls-files | wc -l) tracked files, none over ${LIMIT_KIB} KiB, no caches"
