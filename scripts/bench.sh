#!/usr/bin/env bash
# Reproduce docs/benchmarks.md: install the peers, build, run the benchmarks at 1,000,000 items.
# Usage: scripts/bench.sh [ITEMS] [extra bientap bench options…]
set -euo pipefail
cd "$(dirname "$0")/.."
items="${1:-1000000}"
shift || true
if command -v apt-get >/dev/null 2>&1 && ! command -v rg >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq ripgrep || echo "ripgrep not installed: the search peer will be missing"
fi
python3 -c "import datasketch" 2>/dev/null || pip install -q datasketch \
  || echo "datasketch not installed: the near-duplicate peer will be missing"
cargo build --release
./target/release/bientap bench --items "$items" "$@"
