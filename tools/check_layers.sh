#!/usr/bin/env bash
# The layering rule: no folder includes one above it. The folders, lowest
# first; a file may include its own folder's headers and those of folders
# earlier in the list. tests/, bench/ and fuzz/ sit on top and may use any.
# Prints each offending include (file:line) and exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
layers="base tensor formats kernels layers models optim data eval train tools"
grep -rnE '^#include "[^/"]+/' --include='*.h' --include='*.cpp' --include='*.cu' $layers |
  awk -v layers="$layers" '
    BEGIN { n = split(layers, order, " "); for (i = 1; i <= n; ++i) rank[order[i]] = i }
    {
      split($0, parts, ":"); file = parts[1]; line = parts[2]
      split(file, path, "/"); mine = path[1]
      used = $0; sub(/^[^"]*"/, "", used); sub(/\/.*/, "", used)
      if ((used in rank) && rank[used] > rank[mine]) {
        text = $0; sub(/^[^:]*:[^:]*:/, "", text)
        printf "%s:%s: %s/ includes %s/, a layer above it: %s\n", file, line, mine, used, text
        bad = 1
      }
    }
    END {
      if (bad) { print "check_layers: the layer order is " layers " (lowest first); see docs/design.md" > "/dev/stderr"; exit 1 }
      print "check_layers: no folder includes one above it (" layers ")"
    }'
