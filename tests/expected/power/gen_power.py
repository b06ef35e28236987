#!/usr/bin/env python3
"""Reference power metrics (METRICS.md section 7) of the fixtures with power.

Written from docs/METRICS.md section 7 and the rules it lists under "How hrdrift computes
power", not from crates/analytics/src/power.rs. Decoding and cleaning (the moving clock and the
1 Hz grid, with power interpolated like every other channel) are gen_metrics.py's, the
independent reference of sections 1-3; this script adds what section 7 defines on that grid:

- the 30 s rolling mean of power: at each grid second t, the mean of the power readings of the
  grid seconds t' with t - 30 < t' <= t; defined from t = 29 on, with at least 15 readings;
- NP of a span: the fourth root of the mean fourth power of the rolling means at its seconds;
- EF (power): NP of the steady portion (t >= warm-up) / the mean HR of its seconds with both
  HR and power; Pw:HR decoupling: (EF1 - EF2) / EF1 x 100 over the halves split at the middle
  of the steady moving time (a second belongs to the first half when t + 0.5 < middle);
- best 20 min: the best mean over 1,200 consecutive grid seconds that all carry power;
- with FTP 250 W configured: IF = NP / FTP, TSS = moving h x IF^2 x 100, and the seconds in
  P1 (< 0.75 FTP), P2 (0.75-0.90 FTP) and P3 (> 0.90 FTP) counted exactly per second (the crate
  counts them from 5 W bins shared in proportion, so its seconds may differ by a bin's share).

Usage: python gen_power.py [FIXTURES_DIR] [--out OUT_FILE]
"""

import argparse
import json
import math
import os
import sys
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "metrics"))
import gen_metrics as gm  # noqa: E402

GENERATOR = "tests/expected/power/gen_power.py"

# The fixtures with power (every FIT fixture whose records carry it and that lasts 10 min or
# more), and one run with a running power meter.
FILES = [
    "fit/python-fitparse/Edge810-Vector-2013-08-16-15-35-10.fit",
    "fit/python-fitparse/2019-02-17-062644-ELEMNT-297E-195-0.fit",
    "fit/python-fitparse/sample-activity-indoor-trainer.fit",
    "fit/python-fitparse/null_compressed_speed_dist.fit",
    "fit/tormoder-fit/bpg--garmin.fit",
    "fit/tormoder-fit/misc--0134902991.fit",
    "fit/python-fitparse/developer-types-sample.fit",
]

FTP_W = 250.0
ROLL_S = 30
ROLL_MIN = 15


def rolling(power):
    out = [None] * len(power)
    for t in range(len(power)):
        if t < ROLL_S - 1:
            continue
        vals = [p for p in power[t - ROLL_S + 1:t + 1] if p is not None]
        if len(vals) >= ROLL_MIN:
            out[t] = sum(vals) / len(vals)
    return out


def np_of(roll, keep):
    vals = [r for t, r in enumerate(roll) if r is not None and keep(t)]
    if not vals:
        return None
    return (sum(v ** 4 for v in vals) / len(vals)) ** 0.25


def ef_of(roll, hr, power, keep):
    n = np_of(roll, keep)
    hrs = [hr[t] for t in range(len(hr)) if keep(t) and hr[t] is not None and power[t] is not None]
    if n is None or not hrs:
        return None
    return n / (sum(hrs) / len(hrs))


def best_mean(power, span):
    best, run = None, []
    for p in power + [None]:
        if p is not None:
            run.append(p)
            continue
        for i in range(0, len(run) - span + 1):
            m = sum(run[i:i + span]) / span
            best = m if best is None else max(best, m)
        run = []
    return best


def power_metrics(cl, info, cfg, device):
    # The grid gen_metrics builds has one slot per second of moving time; slots that are holes
    # (beyond a recording gap) carry no power, so they end a best-20-min span as the crate's
    # grid hole does.
    power = [p if cl["present"][t] else None for t, p in enumerate(cl["power"])]
    hr = cl["hr"]
    moving_s = cl["moving_s"]
    warm = cfg["warmup_s"]
    steady_s = max(0.0, moving_s - warm)
    mid = warm + steady_s / 2.0
    roll = rolling(power)
    readings = [p for p in power if p is not None]
    out = {"sport": cl["sport"], "moving_s": moving_s, "power_s": len(readings), "device": device}
    out["avg_power_w"] = sum(readings) / len(readings)
    out["np_w"] = np_of(roll, lambda t: True)
    coverage = min(1.0, info["hr_covered_s"] / moving_s)
    hr_ok = coverage >= cfg["min_coverage"] and any(h is not None for h in hr)
    if hr_ok and steady_s >= cfg["ef_min_steady_s"]:
        out["ef_power"] = ef_of(roll, hr, power, lambda t: t >= warm)
    if hr_ok and steady_s >= cfg["decoupling_min_steady_s"]:
        ef1 = ef_of(roll, hr, power, lambda t: t >= warm and t + 0.5 < mid)
        ef2 = ef_of(roll, hr, power, lambda t: t >= warm and t + 0.5 >= mid)
        if ef1 and ef2 is not None:
            out["pw_hr_decoupling_pct"] = (ef1 - ef2) / ef1 * 100.0
    out["best_20min_w"] = best_mean(power, 1200)
    if out["np_w"] is not None:
        out["if"] = out["np_w"] / FTP_W
        out["tss"] = moving_s / 3600.0 * out["if"] ** 2 * 100.0
    pz = [0, 0, 0]
    for p in readings:
        pz[0 if p < 0.75 * FTP_W else (1 if p <= 0.90 * FTP_W else 2)] += 1
    out["p_zones_s"] = pz
    return out


def device_summary(path):
    messages, _ = gm.sdk_read(path)
    ss = messages.get("session_mesgs", []) or []
    if not ss:
        return None
    s = ss[0]
    return {k: s.get(k) for k in ("normalized_power", "avg_power", "threshold_power",
                                  "intensity_factor", "training_stress_score")}


def main(argv=None):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixtures", nargs="?", default=os.path.join(repo, "tests", "fixtures"))
    ap.add_argument("--out", default=os.path.join(HERE, "power.json"))
    args = ap.parse_args(argv)
    cfg = gm.SETTINGS
    files = {}
    for rel in FILES:
        path = os.path.join(args.fixtures, rel)
        decoded = gm.decode_fit(path)
        cl, info = gm.clean(decoded, cfg)
        m = power_metrics(cl, info, cfg, device_summary(path))
        files[rel] = gm.rounded(m)
        print("%-64s NP %s Pw:HR %s" % (rel, files[rel]["np_w"],
                                        files[rel].get("pw_hr_decoupling_pct")), file=sys.stderr)
    data = {
        "generator": GENERATOR,
        "decoders": {"fit": "garmin-fit-sdk %s" % metadata.version("garmin-fit-sdk")},
        "settings": dict(cfg, ftp=FTP_W),
    }
    data.update(files)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print("wrote %s (%d files)" % (args.out, len(files)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
