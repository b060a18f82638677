#!/usr/bin/env bash
# Renders the diagrams of docs/diagrams/*.dot to PNG (needs graphviz: apt-get install graphviz).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for source in *.dot; do
  dot -Tpng -Gdpi=110 "$source" -o "${source%.dot}.png"
  echo "rendered ${source%.dot}.png"
done
