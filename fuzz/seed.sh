#!/usr/bin/env bash
# Seeds the fuzz corpora from tests/fixtures (run from the repository root).
set -euo pipefail
cd "$(dirname "$0")"
fx=../tests/fixtures
mkdir -p corpus/fit corpus/gpx corpus/tcx corpus/container
find "$fx" -name '*.fit' -size -200k -exec cp {} corpus/fit/ \;
find "$fx" -name '*.gpx' -size -100k -exec cp {} corpus/gpx/ \;
find "$fx" -name '*.tcx' -size -200k -exec cp {} corpus/tcx/ \;
for f in corpus/gpx/*.gpx; do gzip -n -c "$f" > "corpus/container/$(basename "$f").gz"; done
(cd corpus/fit && zip -q -j ../container/fits.zip $(ls | head -n 5))
