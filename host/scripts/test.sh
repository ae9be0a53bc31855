#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (idempotent), builds every
# workspace member (the plugin cdylibs must exist before the tests load them), runs the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
"$root/host/scripts/setup.sh"
"$root/host/scripts/setup-quantize.sh"
"$root/host/scripts/setup-ui-test.sh"
cargo build --workspace --all-targets
cargo test --workspace
"$root/host/scripts/test-slurm.sh"
