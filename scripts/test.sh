#!/usr/bin/env bash
# Install handmade with its test extra, then run the whole test suite (README: "run the tests").
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e '.[test]'
python -m pytest "$@"
