#!/usr/bin/env bash
# Regenerates the seed corpora Fuzz/corpus/NAME/seed-N: small valid inputs that each harness builds
# with Vigil's own encoders (`vigil-fuzz seeds`), deterministic (fixed seeds), so rerunning it
# changes nothing. Extra hand-picked inputs in Fuzz/corpus/NAME/ with other names are kept.
#
# Usage: Fuzz/make-seeds.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
swift build --product vigil-fuzz >&2
rm -f Fuzz/corpus/*/seed-*
"$(swift build --show-bin-path)/vigil-fuzz" seeds Fuzz/corpus
