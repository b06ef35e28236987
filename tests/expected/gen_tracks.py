#!/usr/bin/env python3
"""Track length and moving time of every GPX run, by gpxpy: a reference for distance and moving
time computed from positions (METRICS.md section 1), independent of hrdrift.

Usage:
    python gen_tracks.py [--out OUT_FILE]

Reads every `.gpx` under tests/fixtures/gpx and every `.gpx.gz` under data/real (the year of one
runner's runs), and writes tracks.json beside this script: per file (path relative to the
repository root) gpxpy's `length_2d` and `length_3d` (sum over segments of the distances between
consecutive points; gpxpy does not join segments), `moving_time`, `stopped_time`,
`moving_distance` (`get_moving_data()` with its default 1 km/h stopped threshold: an interval
between two points is moving when its mean speed is above it), points, segments, and whether
every point has a time. Output is deterministic (sorted keys, rounded to 0.1).
"""

import argparse
import gzip
import json
import os
import sys

import gpxpy


def summary(text):
    g = gpxpy.parse(text)
    points = [p for t in g.tracks for s in t.segments for p in s.points]
    md = g.get_moving_data()
    return {
        "points": len(points),
        "segments": sum(len(t.segments) for t in g.tracks),
        "all_timed": bool(points) and all(p.time is not None for p in points),
        "length_2d_m": round(g.length_2d(), 1),
        "length_3d_m": round(g.length_3d(), 1),
        "moving_time_s": round(md.moving_time, 1) if md else None,
        "stopped_time_s": round(md.stopped_time, 1) if md else None,
        "moving_distance_m": round(md.moving_distance, 1) if md else None,
    }


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "tracks.json"))
    args = ap.parse_args(argv)
    files = {}
    for top, suffix in (("tests/fixtures/gpx", ".gpx"), ("data/real", ".gpx.gz")):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if not name.endswith(suffix):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                opener = gzip.open if suffix.endswith(".gz") else open
                with opener(path, "rb") as fh:
                    raw = fh.read()
                try:
                    files[rel] = summary(raw.decode("utf-8-sig", errors="replace"))
                except Exception as e:  # noqa: BLE001 - a reference records what gpxpy says
                    files[rel] = {"gpxpy_error": f"{type(e).__name__}: {e}"}
    doc = {
        "generator": "tests/expected/gen_tracks.py",
        "decoder": f"gpxpy {gpxpy.__version__}",
        "files": dict(sorted(files.items())),
    }
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"{len(files)} files -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
