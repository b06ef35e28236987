#!/usr/bin/env python3
"""Independent reference computation of hrdrift's per-activity metrics (METRICS.md sections 1-3).

A second implementation of the *definitions* in METRICS.md (plus the interpretation choices
documented in the analytics crate's module docs), written from the text, not from the Rust code,
so that Rust tests can compare crates/analytics against it on real fixture files.

Decoders: FIT with the official Garmin SDK (`garmin-fit-sdk`), GPX with `gpxpy`, TCX with
`xml.etree.ElementTree` (namespace-agnostic). numpy for the least-squares fits.

Usage:
    python gen_metrics.py [FIXTURES_DIR] [--out OUT_FILE]

FIXTURES_DIR defaults to tests/fixtures in the repository (the root is three levels above
this script). OUT_FILE defaults to metrics.json beside this script. Output is deterministic.
"""

import argparse
import bisect
import datetime as _dt
import json
import math
import os
import statistics
import sys
import xml.etree.ElementTree as ET
from importlib import metadata

import numpy as np

# The decoding helpers gen_expected.py uses too, in the folder above this one.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from decoding import (  # noqa: E402
    CAD_NAMES,
    HR_NAMES,
    child_named,
    extension_values,
    local_name,
    parse_float,
    parse_iso_time,
    sdk_read,
)

GENERATOR = "tests/expected/metrics/gen_metrics.py"

# Fixture files covered (relative to the fixtures root). Runs with HR and >= ~25 min of data.
FILES = [
    "fit/runpandas/run.fit",
    "fit/python-fitparse/activity-small-fenix2-run.fit",
    "fit/python-fitparse/2013-02-06-12-11-14.fit",
    "fit/python-fitparse/developer-types-sample.fit",
    "fit/tormoder-fit/misc--mornindew-broken.fit",
    "tcx/runpandas/2020-12-02T06_08_29-300_Running.tcx",
    "tcx/runpandas/2020-12-04T19_09_21-300_Running.tcx",
    "tcx/runpandas/2020-12-06T06_36_21-300_Running.tcx",
    "tcx/runpandas/2020-12-08T06_36_12-300_Running.tcx",
    "tcx/runpandas/2020-12-13T07_25_55-300_Running.tcx",
    "tcx/runpandas/2020-12-20T05_50_47-300_Running.tcx",
    "tcx/runpandas/stopped_example.tcx",
    "gpx/runpandas/stopped_example.gpx",
    "gpx/georust-gpx/garmin-activity.gpx",
    "series/runpandas-2020-2021/e2543c48-793c-45e0-8057-906422d45de7.gpx",
    "series/runpandas-2020-2021/c74b49c3-6505-4874-9ef1-9f9cbd149896.gpx",
    "series/runpandas-2020-2021/4383adb2-5170-467c-85b8-2d983c415e5b.gpx",
    "series/runpandas-2020-2021/f9f17bc7-6763-4bf4-8428-df0c95a9ac32.gpx",
]

# Reference athlete settings and the METRICS.md thresholds (all defaults).
SETTINGS = {
    "hr_max": 190.0,
    "hr_rest": 50.0,
    "lthr": 170.0,
    "sex": "male",
    "zone_model": "lthr_friel",
    "warmup_s": 600.0,
    "resample_max_gap_s": 5.0,
    "pause_gap_s": 10.0,
    "pause_speed_m_s": 0.3,
    "pause_min_s": 10.0,
    "speed_median_s": 5.0,
    "hr_valid_min": 30.0,
    "hr_valid_max": 230.0,
    "spike_bpm": 25.0,
    "spike_window_s": 11,
    "cadence_lock_bpm": 3.0,
    "cadence_lock_min_s": 60,
    "min_coverage": 0.8,
    "coverage_max_gap_s": 10.0,
    "recording_gap_max_s": 60.0,
    "gps_jump_speed_m_s": 7.0,
    "grade_clamp": 0.45,
    "altitude_smooth_s": 30,
    "decoupling_min_steady_s": 1200.0,
    "drift_min_steady_s": 1200.0,
    "ef_min_steady_s": 300.0,
    "unsteady_cv": 0.25,
    "steady_cv": 0.10,
    "steadiness_block_s": 30,
    "not_running_span_m_s": 7.0,
    "not_running_median_m_s": 6.0,
    "walk_cadence_spm": 140.0,
    "walk_min_s": 10.0,
    "walk_speed_m_s": 2.0,
    "walk_speed_ratio": 0.65,
    "run_walk_min_share": 0.05,
    "walk_recovery_s": 60.0,
    "zones_lthr_fractions": [0.85, 0.90, 0.95, 1.00],
    "seiler_s2_fraction": 0.89,
    "seiler_s3_fraction": 1.00,
    "hard_s3_s": 480.0,
    "hard_s2s3_s": 1500.0,
    "easy_s1_share": 0.85,
    "threshold_pace": "5:00/km",
    "pace_p2_from": 0.85,
    "pace_p3_from": 0.97,
    "hard_p3_s": 480.0,
    "hard_p2_p3_s": 2400.0,
    "easy_p1_share": 0.85,
    "fast_rep_min_s": 60.0,
    "trimp_k1": 0.64,
    "trimp_k2": 1.92,
}

EARTH_R = 6371008.8  # mean Earth radius (m), IUGG
GPS_JUMP_OTHER_M_S = 40.0    # docs/METRICS.md 1: the jump bound of sports not on foot
GPS_NOISE_M = 5.0            # ... "plus 5 m of GPS noise"
GPS_EXCURSION_FIXES = 4      # ... "if a fix within the next four is reachable again"
GPS_STEP_RATIO = 3.0         # ... "unless it is three times faster than they move"
MOVING_CADENCE = 40.0        # ... "unless the cadence shows steps (40 per minute or more)"
MIN_DDIST_FOR_GRADE_M = 0.5  # below this change of smoothed distance, grade is taken as 0
HIST_BIN_M_S = 0.02          # the crate's GAP speed histogram bin (tolerance diagnostic only)
COLLINEAR_ABS_CORR = 0.99    # |corr(t, GAP)| above this: drift_adj absent ("collinear")


# --------------------------------------------------------------------------
# decoding helpers
# --------------------------------------------------------------------------

def epoch(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.timestamp()


def num(value):
    if value is None or isinstance(value, bool) or isinstance(value, (list, tuple)):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(v) or math.isinf(v):
        return None
    return v


# A sample: dict with t (s since epoch, float) and optional hr, speed, dist, lat, lon, alt, spm.

def decode_fit(path):
    messages, errors = sdk_read(path)
    samples = []
    semi = 180.0 / 2 ** 31
    for rec in messages.get("record_mesgs", []) or []:
        ts = rec.get("timestamp")
        if not isinstance(ts, _dt.datetime):
            continue
        s = {"t": epoch(ts)}
        s["hr"] = num(rec.get("heart_rate"))
        sp = num(rec.get("enhanced_speed"))
        if sp is None:
            sp = num(rec.get("speed"))
        s["speed"] = sp
        s["dist"] = num(rec.get("distance"))
        lat, lon = num(rec.get("position_lat")), num(rec.get("position_long"))
        if lat is not None and lon is not None:
            s["lat"], s["lon"] = lat * semi, lon * semi
        alt = num(rec.get("enhanced_altitude"))
        if alt is None:
            alt = num(rec.get("altitude"))
        s["alt"] = alt
        cad = num(rec.get("cadence"))
        if cad is not None:
            frac = num(rec.get("fractional_cadence")) or 0.0
            s["spm"] = 2.0 * (cad + frac)
        s["power"] = num(rec.get("power"))
        samples.append(s)
    timer = []
    for ev in messages.get("event_mesgs", []) or []:
        if ev.get("event") != "timer":
            continue
        ts = ev.get("timestamp")
        if not isinstance(ts, _dt.datetime):
            continue
        timer.append((epoch(ts), str(ev.get("event_type"))))
    sports = [str(s.get("sport")) for s in messages.get("session_mesgs", []) or []
              if s.get("sport") is not None]
    return {"samples": samples, "timer": timer, "sport": sports[0] if sports else None,
            "decode_errors": [str(e) for e in errors]}


def _gpx_ext(elements):
    return extension_values(elements, ((HR_NAMES, parse_float), (CAD_NAMES, parse_float)))


def decode_gpx(path):
    import gpxpy

    with open(path, "r", encoding="utf-8-sig") as fh:
        gpx = gpxpy.parse(fh)
    samples = []
    sport = None
    for track in gpx.tracks:
        if sport is None and track.type:
            sport = str(track.type).lower()
        for seg in track.segments:
            for p in seg.points:
                if p.time is None:
                    continue
                hr, cad = _gpx_ext(p.extensions or [])
                samples.append({
                    "t": epoch(p.time), "hr": hr,
                    "speed": num(p.speed), "dist": None,
                    "lat": num(p.latitude), "lon": num(p.longitude),
                    "alt": num(p.elevation),
                    "spm": None if cad is None else 2.0 * cad,
                })
    return {"samples": samples, "timer": [], "sport": sport, "decode_errors": []}


def decode_tcx(path):
    root = ET.parse(path).getroot()
    sport = None
    for el in root.iter():
        if local_name(el.tag) == "Activity":
            sport = (el.get("Sport") or "").lower() or None
            break
    samples = []
    for tp in root.iter():
        if local_name(tp.tag) != "Trackpoint":
            continue
        t = child_named(tp, "Time")
        when = parse_iso_time(t.text) if t is not None else None
        if when is None:
            continue
        s = {"t": epoch(when), "hr": None, "speed": None, "dist": None, "alt": None, "spm": None}
        hrb = child_named(tp, "HeartRateBpm")
        if hrb is not None and child_named(hrb, "Value") is not None:
            s["hr"] = parse_float(child_named(hrb, "Value").text)
        d = child_named(tp, "DistanceMeters")
        if d is not None:
            s["dist"] = parse_float(d.text)
        a = child_named(tp, "AltitudeMeters")
        if a is not None:
            s["alt"] = parse_float(a.text)
        pos = child_named(tp, "Position")
        if pos is not None:
            la, lo = child_named(pos, "LatitudeDegrees"), child_named(pos, "LongitudeDegrees")
            if la is not None and lo is not None:
                lat, lon = parse_float(la.text), parse_float(lo.text)
                if lat is not None and lon is not None:
                    s["lat"], s["lon"] = lat, lon
        cad = child_named(tp, "Cadence")
        cv = parse_float(cad.text) if cad is not None else None
        for el in tp.iter():
            name = local_name(el.tag)
            if name == "Speed" and s["speed"] is None:
                s["speed"] = parse_float(el.text)
            elif name == "RunCadence" and cv is None:
                cv = parse_float(el.text)
        if cv is not None:
            s["spm"] = 2.0 * cv
        samples.append(s)
    return {"samples": samples, "timer": [], "sport": sport, "decode_errors": []}


# --------------------------------------------------------------------------
# section 1: samples and cleaning
# --------------------------------------------------------------------------

CHANNELS = ("hr", "speed", "dist", "lat", "lon", "alt", "spm", "power")


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(min(1.0, math.sqrt(a)))


def sanitize(samples, cfg):
    """Sort (stable), merge equal timestamps (first present value wins), range-check."""
    out_of_order = sum(1 for a, b in zip(samples, samples[1:]) if b["t"] < a["t"])
    ordered = sorted(samples, key=lambda s: s["t"])
    merged = []
    n_merged = 0
    for s in ordered:
        s = {k: s.get(k) for k in ("t",) + CHANNELS}
        if s["hr"] is not None and not (cfg["hr_valid_min"] <= s["hr"] <= cfg["hr_valid_max"]):
            s["hr"] = None  # zero / out of range: dropout
        if s["speed"] is not None and (s["speed"] < 0 or s["speed"] > 100):
            s["speed"] = None
        if s["lat"] is not None and (abs(s["lat"]) > 90 or s["lon"] is None or abs(s["lon"]) > 180):
            s["lat"] = s["lon"] = None
        if s["lat"] is not None and abs(s["lat"]) < 1e-7 and abs(s["lon"]) < 1e-7:
            s["lat"] = s["lon"] = None  # 0,0: no fix
        if s["dist"] is not None and s["dist"] < 0:
            s["dist"] = None
        if s["spm"] is not None and s["spm"] < 0:
            s["spm"] = None
        if s["power"] is not None and not (0 <= s["power"] <= 3000):
            s["power"] = None  # docs/METRICS.md 7: beyond 3,000 W a reading is a glitch
        if merged and merged[-1]["t"] == s["t"]:
            n_merged += 1
            for k in CHANNELS:
                if merged[-1][k] is None and s[k] is not None:
                    merged[-1][k] = s[k]
            continue
        merged.append(s)
    return merged, out_of_order, n_merged


def on_foot(sport):
    # "9" is running in the files' sport codes (a GPX <type>9</type>); see running_sport below.
    return sport is None or sport == "9" or any(w in sport for w in ("run", "walk", "hik"))


def track(smp, max_speed):
    """docs/METRICS.md section 1, "Distance": the length along the fixes in time order with GPS
    jumps left out. Returns (cumulative distance per sample or None, length, fixes, jumps)."""
    fixes = [(i, s["t"], s["lat"], s["lon"]) for i, s in enumerate(smp) if s["lat"] is not None]
    cum = [None] * len(smp)
    length, kept, jumps = 0.0, 0, 0
    last, suspect = None, []

    def dist(a, b):
        return haversine(a[2], a[3], b[2], b[3])

    def reachable(a, b):
        return dist(a, b) <= max_speed * max(0.0, b[1] - a[1]) + GPS_NOISE_M

    def keep(f, d):
        nonlocal length, kept
        length += d
        cum[f[0]] = length
        kept += 1

    def move_on(prev, run):
        nonlocal jumps
        speeds = sorted(dist(a, b) / (b[1] - a[1]) for a, b in zip(run, run[1:]) if b[1] > a[1])
        step = dist(prev, run[0])
        dt = run[0][1] - prev[1]
        step_speed = step / dt if dt > 0 else math.inf
        moving = speeds[len(speeds) // 2] if speeds else None
        if moving is None or step_speed > GPS_STEP_RATIO * max(moving, 1.0):
            jumps += 1
            keep(run[0], 0.0)
        else:
            keep(run[0], step)
        for a, b in zip(run, run[1:]):
            keep(b, dist(a, b))
        return run[-1]

    for f in fixes:
        if last is None:
            keep(f, 0.0)
            last = f
            continue
        if reachable(last, f):
            if suspect:
                jumps += 1
                suspect = []
            keep(f, dist(last, f))
            last = f
            continue
        suspect.append(f)
        if len(suspect) > GPS_EXCURSION_FIXES:
            last = move_on(last, suspect)
            suspect = []
    if last is not None and suspect:
        move_on(last, suspect)
    return cum, length, kept, jumps


def interpolate_between(ts, values):
    """A sample without a value between two with one gets it interpolated in time."""
    out = list(values)
    idx = [i for i, v in enumerate(values) if v is not None]
    for a, b in zip(idx, idx[1:]):
        for k in range(a + 1, b):
            f = (ts[k] - ts[a]) / (ts[b] - ts[a]) if ts[b] > ts[a] else 0.0
            out[k] = values[a] + (values[b] - values[a]) * f
    return out


def window_rate(ts, prog, half):
    """Rate of the (interpolated) distance over [t - half, t + half], shrunk to the span of
    the samples that carry it."""
    pts = [(t, v) for t, v in zip(ts, prog) if v is not None]
    rates = [None] * len(ts)
    if not pts:
        return rates
    pt = [p[0] for p in pts]

    def at(x):
        j = bisect.bisect_right(pt, x) - 1
        ta, va = pts[j]
        if j + 1 < len(pts) and pts[j + 1][0] > ta and x > ta:
            tb, vb = pts[j + 1]
            return va + (vb - va) * (x - ta) / (tb - ta)
        return va

    for i, t in enumerate(ts):
        if t < pt[0] or t > pt[-1]:
            continue
        lo, hi = max(t - half, pt[0]), min(t + half, pt[-1])
        if hi <= lo:
            continue
        r = (at(hi) - at(lo)) / (hi - lo)
        if 0.0 <= r <= 100.0:
            rates[i] = r
    return rates


def sample_speeds(smp, cfg, progress):
    """Device speed, else the windowed rate of the distance (device, else track)."""
    ts = [s["t"] for s in smp]
    dev = [s["speed"] for s in smp]
    half = max(cfg["speed_median_s"] / 2.0, 1.0)
    rate = window_rate(ts, progress, half)
    raw = []
    source = set()
    for i in range(len(smp)):
        for name, v in (("device", dev[i]), ("distance_rate", rate[i])):
            if v is not None:
                raw.append(v)
                source.add(name)
                break
        else:
            raw.append(None)
    # centred rolling median over a 5 s window (samples within +-2.5 s of wall time)
    half = cfg["speed_median_s"] / 2.0
    smooth = []
    for i, s in enumerate(smp):
        if raw[i] is None:
            smooth.append(None)
            continue
        lo = bisect.bisect_left(ts, ts[i] - half)
        hi = bisect.bisect_right(ts, ts[i] + half)
        vals = [raw[j] for j in range(lo, hi) if raw[j] is not None]
        smooth.append(statistics.median(vals))
    return smooth, sorted(source)


def merge_intervals(iv):
    iv = sorted((a, b) for a, b in iv if b > a)
    out = []
    for a, b in iv:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [tuple(x) for x in out]


def timer_pauses(timer):
    """Intervals (stop, next start) of a FIT activity's timer."""
    pauses = []
    running = True
    stop_t = None
    for t, kind in sorted(timer, key=lambda e: e[0]):
        if kind.startswith("stop"):
            if running:
                running, stop_t = False, t
        elif kind == "start":
            if not running:
                pauses.append((stop_t, t))
                running = True
    if not running:
        pauses.append((stop_t, math.inf))
    return pauses


def inferred_pauses(smp, speed, progress, cfg):
    """docs/METRICS.md section 1, "Moving time", without timer events."""
    ts = [x["t"] for x in smp]
    pauses = []
    for i, (a, b) in enumerate(zip(ts, ts[1:])):
        dt = b - a
        if dt <= cfg["pause_gap_s"]:
            continue
        pa, pb = progress[i], progress[i + 1]
        floor = cfg["pause_speed_m_s"]
        if pa is None or pb is None:
            moved = dt <= cfg["recording_gap_max_s"] and all(
                smp[k]["speed"] is not None and smp[k]["speed"] >= floor for k in (i, i + 1))
            if not moved:
                pauses.append((a, b))
            continue
        if pb - pa < floor * dt:
            pauses.append((a, b))
            continue
        # The progress takes d / v of the gap at the mean smoothed speed either side; the rest,
        # if pause_min_s or more, is a pause at the gap's end.
        if speed[i] is None or speed[i + 1] is None:
            continue
        v = (speed[i] + speed[i + 1]) / 2.0
        if v < floor:
            continue
        moving = (pb - pa) / v
        if dt - moving >= cfg["pause_min_s"]:
            pauses.append((a + round(moving * 1000.0) / 1000.0, b))
    n = len(ts)

    def slow(k):
        stepping = smp[k]["spm"] is not None and smp[k]["spm"] >= MOVING_CADENCE
        return speed[k] is not None and speed[k] < cfg["pause_speed_m_s"] and not stepping

    i = 0
    while i < n:
        if slow(i):
            j = i
            while j + 1 < n and slow(j + 1):
                j += 1
            end = ts[j + 1] if j + 1 < n else ts[j]
            if end - ts[i] >= cfg["pause_min_s"]:
                pauses.append((ts[i], end))
            i = j + 1
        else:
            i += 1
    return pauses


def clean(decoded, cfg):
    smp, out_of_order, n_merged = sanitize(decoded["samples"], cfg)
    info = {"samples": len(decoded["samples"]), "out_of_order": out_of_order, "merged": n_merged}
    if len(smp) < 2:
        return None, info
    ts = [s["t"] for s in smp]
    jump_bound = cfg["gps_jump_speed_m_s"] if on_foot(decoded["sport"]) else GPS_JUMP_OTHER_M_S
    cum, track_len, track_fixes, jumps = track(smp, jump_bound)
    info["gps_jumps"] = jumps
    dists = [s["dist"] for s in smp]
    progress = interpolate_between(ts, dists if any(d is not None for d in dists) else cum)
    speed, speed_sources = sample_speeds(smp, cfg, progress)
    info["speed_sources"] = speed_sources
    # The crate's reading of "without them" (clean/mod.rs step 3: "the activity's timer pauses when
    # it has any"): the timer decides only when it paused at least once, i.e. a stop followed by
    # a later start. A FIT file whose only timer events are the first start and the last stop
    # gets the gap / slow-speed rule like a GPX file.
    timer = timer_pauses(decoded["timer"])
    has_timer = any(b > a and b != math.inf for a, b in timer)
    info["pauses_from"] = "timer" if has_timer else "gaps_and_speed"
    pauses = merge_intervals(timer if has_timer else inferred_pauses(smp, speed, progress, cfg))
    t0, t1 = ts[0], ts[-1]
    pauses = [(max(a, t0), min(b, t1)) for a, b in pauses if b > t0 and a < t1]
    pauses = [(a, b) for a, b in pauses if b > a]
    info["pauses"] = len(pauses)
    info["paused_s"] = sum(b - a for a, b in pauses)

    def moving_clock(t):
        p = sum(min(b, t) - a for a, b in pauses if a < t)
        return t - t0 - p

    moving_s = (t1 - t0) - info["paused_s"]
    kept = []
    for i, s in enumerate(smp):
        if any(a < s["t"] < b for a, b in pauses):
            continue  # strictly inside a pause
        kept.append((moving_clock(s["t"]), s, speed[i]))
    info["samples_kept"] = len(kept)

    # --- 1 Hz grid on the moving clock; gaps > 5 s are not filled ---
    mt = [k[0] for k in kept]
    chans = {c: [k[1][c] for k in kept] for c in ("hr", "dist", "alt", "spm", "power")}
    chans["speed"] = [k[2] for k in kept]
    n_grid = int(math.ceil(moving_s)) if moving_s > 0 else 0
    grid = {c: [None] * n_grid for c in chans}
    wall = [None] * n_grid
    present = [False] * n_grid  # a grid point exists (not a hole beyond a long gap)
    maxgap = cfg["resample_max_gap_s"]
    # docs/METRICS.md 1: interpolated across a gap between consecutive moving samples up to
    # recording_gap_max_s (a recording gap), holes beyond.
    fillgap = max(maxgap, cfg["recording_gap_max_s"])
    for k in range(n_grid):
        i = bisect.bisect_right(mt, k) - 1  # last sample at or before k
        if i < 0:
            continue
        si = mt[i]
        j = i + 1
        near = j < len(mt) and mt[j] - si <= fillgap
        present[k] = k == si or near or k == math.ceil(si)
        for c, vals in chans.items():
            v = None
            if k == si:
                v = vals[i]
            elif near:
                if vals[i] is not None and vals[j] is not None:
                    w = (k - si) / (mt[j] - si)
                    v = vals[i] + w * (vals[j] - vals[i])
            elif k == math.ceil(si):  # first grid second after a sample followed by a long gap
                v = vals[i]
            grid[c][k] = v
        wall[k] = kept[i][1]["t"] + (k - si)  # approximate wall time (informational)

    # --- HR on only some samples (clean/mod.rs step 5, issue 21 follow-up) ---
    # A grid point left without HR (one of the samples around it has none) is filled from the
    # HR readings either side (kept samples with in-range HR) under the coverage rule: linearly
    # interpolated when the two readings are at most max(coverage_max_gap_s, resample_max_gap_s)
    # apart on the moving clock. (Readings further apart leave the point empty: the grid's own
    # fill already covers the second after a sample.)
    # Only where HR is a partial channel: fewer than 90 % of the kept samples carry a reading
    # (in a file that records HR with every sample, a sample without it is a dropout).
    rd = [(m, s["hr"]) for m, s, _ in kept if s["hr"] is not None]
    rd_t = [x[0] for x in rd]
    filled = 0
    partial = len(rd) < 0.9 * len(kept)
    for k in range(n_grid if partial else 0):
        if not present[k] or grid["hr"][k] is not None:
            continue
        a = bisect.bisect_right(rd_t, k) - 1
        if a < 0:
            continue
        ta, va = rd[a]
        b = a + 1
        if b < len(rd) and rd[b][0] - ta <= max(cfg["coverage_max_gap_s"], maxgap):
            tb, vb = rd[b]
            grid["hr"][k] = va + (vb - va) * (k - ta) / (tb - ta)
            filled += 1
    info["hr_filled_s"] = filled

    # --- HR validity on the grid: spikes then cadence lock ---
    hr = grid["hr"]
    info["hr_missing_s"] = sum(1 for v in hr if v is None)
    w = cfg["spike_window_s"] // 2
    spikes = []
    for k, v in enumerate(hr):
        if v is None:
            continue
        win = [x for x in hr[max(0, k - w):k + w + 1] if x is not None]
        if abs(v - statistics.median(win)) > cfg["spike_bpm"]:
            spikes.append(k)
    hr = list(hr)
    for k in spikes:
        hr[k] = None
    info["hr_spike_s"] = len(spikes)
    lock_s = 0
    locked = []
    running_sport = decoded["sport"] in (None, "running", "run", "9")
    info["sport_assumed_running"] = decoded["sport"] is None
    if running_sport:
        spm = grid["spm"]
        k = 0
        while k < n_grid:
            if hr[k] is not None and spm[k] is not None and abs(hr[k] - spm[k]) <= cfg["cadence_lock_bpm"]:
                j = k
                while (j + 1 < n_grid and hr[j + 1] is not None and spm[j + 1] is not None
                       and abs(hr[j + 1] - spm[j + 1]) <= cfg["cadence_lock_bpm"]):
                    j += 1
                if j - k + 1 >= cfg["cadence_lock_min_s"]:
                    for q in range(k, j + 1):
                        hr[q] = None
                        locked.append(q)
                    lock_s += j - k + 1
                k = j + 1
            else:
                k += 1
    info["hr_cadence_lock_s"] = lock_s
    grid["hr"] = hr

    # --- HR coverage time, on the moving clock from the samples (not grid seconds) ---
    # A valid reading: a kept sample with in-range HR whose grid second (ceil of its moving
    # time) was not removed as a spike or cadence lock. Two consecutive readings at most
    # coverage_max_gap_s apart cover the time between them; further apart, the earlier covers
    # only resample_max_gap_s. The last one covers up to resample_max_gap_s before the end.
    # Removed (spike / lock) grid seconds are then taken out again.
    removed = set(spikes) | set(locked)
    # Readings on consecutive kept samples (nothing recorded between) cover a recording gap up
    # to recording_gap_max_s.
    readings = [(q, m) for q, (m, s, _) in enumerate(kept)
                if s["hr"] is not None and math.ceil(m) not in removed]
    covered = 0.0
    for idx, (q, m) in enumerate(readings):
        if idx + 1 < len(readings):
            q2, m2 = readings[idx + 1]
            gap = m2 - m
            adjacent = q2 == q + 1 and gap <= cfg["recording_gap_max_s"]
            span = gap if gap <= cfg["coverage_max_gap_s"] or adjacent else min(gap, maxgap)
        else:
            span = min(moving_s - m, maxgap)
        lo, hi = max(m, 0.0), min(m + span, moving_s)
        if hi <= lo:
            continue
        covered += hi - lo
        for k in range(int(math.floor(lo)), int(math.ceil(hi))):
            if k in removed:
                covered -= max(0.0, min(hi, k + 1) - max(lo, k))
    info["hr_covered_s"] = covered

    # --- device distance, else the track's length, else the integral of speed ---
    dists = [s["dist"] for s in smp if s["dist"] is not None]
    if dists:
        distance = dists[-1] - dists[0]
        dist_source = "device"
    elif track_fixes >= 2:
        # Over the samples on the moving clock: straight across each pause (docs/METRICS.md 1).
        if pauses:
            _, track_len, _, jumps = track([k[1] for k in kept], jump_bound)
            info["gps_jumps"] = jumps
        distance, dist_source = track_len, "track"
    elif any(v is not None for v in grid["speed"]):
        distance = sum(v for v in grid["speed"] if v is not None)
        dist_source = "speed_integral"
    else:
        distance, dist_source = None, None
    info["distance_source"] = dist_source

    # --- section 2: grade and GAP on the grid ---
    gap, has_alt = gap_speed(grid, cfg)
    return {
        "moving_s": moving_s, "n_grid": n_grid, "hr": hr, "speed": grid["speed"],
        "spm": grid["spm"], "present": present, "power": grid["power"],
        "gap": gap, "has_alt": has_alt, "distance": distance, "running": running_sport,
        "lock_s": lock_s, "sport": decoded["sport"],
    }, info


# --------------------------------------------------------------------------
# section 2: grade-adjusted speed (Minetti 2002)
# --------------------------------------------------------------------------

def minetti(i):
    return 155.4 * i ** 5 - 30.4 * i ** 4 - 43.3 * i ** 3 + 46.3 * i ** 2 + 19.5 * i + 3.6


def gap_speed(grid, cfg):
    n = len(grid["speed"])
    speed = grid["speed"]
    alt = grid["alt"]
    if not any(a is not None for a in alt):
        return list(speed), False
    # cumulative distance on the grid: the integral of the (smoothed) grid speed, also when the
    # file has a device distance (the crate's reading, clean/mod.rs step 7: "Distance is the
    # integral of smoothed speed, so grade and GAP use one consistent source"). Until the
    # run-walk revision this used the device distance where present; that moved per-second GAP
    # by a median 1.4 % (p95 12 %) on the FIT files, harmless for EF but not for walking
    # detection and mean-maximal speeds.
    # A second without speed (a hole in the grid) keeps the last speed seen: the runner kept
    # moving through the gap, and grade is altitude over the distance actually run. Adding
    # nothing there made grade several times too steep on files with sparse samples (e.g. GPX
    # every 5-12 s).
    dist, acc, last = [], 0.0, 0.0
    for v in speed:
        dist.append(acc)
        if v is not None:
            last = v
        acc += last
    # 30 s centred rolling mean of altitude and of distance over the same points
    half = cfg["altitude_smooth_s"] // 2
    ok = [alt[k] is not None and dist[k] is not None for k in range(n)]
    pre_a, pre_d, pre_n = [0.0], [0.0], [0]
    for k in range(n):
        pre_a.append(pre_a[-1] + (alt[k] if ok[k] else 0.0))
        pre_d.append(pre_d[-1] + (dist[k] if ok[k] else 0.0))
        pre_n.append(pre_n[-1] + (1 if ok[k] else 0))
    sa, sd = [None] * n, [None] * n
    for k in range(n):
        if not ok[k]:
            continue
        lo, hi = max(0, k - half), min(n, k + half + 1)
        c = pre_n[hi] - pre_n[lo]
        sa[k] = (pre_a[hi] - pre_a[lo]) / c
        sd[k] = (pre_d[hi] - pre_d[lo]) / c
    clamp = cfg["grade_clamp"]
    c0 = minetti(0.0)
    gap = [None] * n
    for k in range(n):
        if speed[k] is None:
            continue
        a = k - 1 if k - 1 >= 0 and sa[k - 1] is not None else (k if sa[k] is not None else None)
        b = k + 1 if k + 1 < n and sa[k + 1] is not None else (k if sa[k] is not None else None)
        grade = 0.0
        if a is not None and b is not None and b > a:
            dd = sd[b] - sd[a]
            if dd >= MIN_DDIST_FOR_GRADE_M:
                grade = (sa[b] - sa[a]) / dd
        grade = max(-clamp, min(clamp, grade))
        gap[k] = speed[k] * minetti(grade) / c0
    return gap, True


# --------------------------------------------------------------------------
# section 3: per-activity metrics
# --------------------------------------------------------------------------

def trimp_per_min(hr, cfg):
    r = (hr - cfg["hr_rest"]) / (cfg["hr_max"] - cfg["hr_rest"])
    r = max(0.0, r)
    return r * cfg["trimp_k1"] * math.exp(cfg["trimp_k2"] * r)


def threshold_speed(text):
    """A pace "M:SS/km" or "M:SS/mi" as a speed (m/s)."""
    t = text.replace(" ", "").lower()
    time, unit = t.split("/")
    metres = {"km": 1000.0, "mi": 1609.344, "mile": 1609.344}[unit]
    m, sec = time.split(":")
    return metres / (int(m) * 60 + int(sec))


def mean(xs):
    return sum(xs) / len(xs) if xs else None


BEST_GAP_S = (60, 180, 300, 600, 1200, 1800, 3600)


def walking_seconds(gap, spm, cfg):
    """Section 3b (crate's reading): a grid second is slow when its cadence reading (> 0) is
    under walk_cadence_spm, or, without one, when its GAP speed is under walk_speed_m_s and under
    walk_speed_ratio x the median GAP speed of the grid; walking = maximal runs of consecutive
    slow seconds spanning >= walk_min_s. Returns a list of bools (one per grid index)."""
    n = len(gap)
    gaps = [g for g in gap if g is not None]
    med = statistics.median(gaps) if gaps else None

    def slow(k):
        cad = spm[k]
        if cad is not None and cad > 0:
            return cad < cfg["walk_cadence_spm"]
        g = gap[k]
        return (g is not None and med is not None and g < cfg["walk_speed_m_s"]
                and g < cfg["walk_speed_ratio"] * med)

    walking = [False] * n
    k = 0
    while k < n:
        if not slow(k):
            k += 1
            continue
        j = k
        while j + 1 < n and slow(j + 1):
            j += 1
        if j - k + 1 >= cfg["walk_min_s"]:
            for q in range(k, j + 1):
                walking[q] = True
        k = j + 1
    return walking


def best_rolling_means(gap, cap, durations):
    """Mean-maximal GAP speed: the best mean over `d` consecutive grid seconds each with a GAP
    speed <= cap; None when there is no such window."""
    n = len(gap)
    best = [None] * len(durations)
    k = 0
    while k < n:
        if gap[k] is None or gap[k] > cap:
            k += 1
            continue
        j = k
        while j + 1 < n and gap[j + 1] is not None and gap[j + 1] <= cap:
            j += 1
        seg = np.array(gap[k:j + 1], dtype=float)
        pre = np.concatenate([[0.0], np.cumsum(seg)])
        for i, d in enumerate(durations):
            if len(seg) >= d:
                m = float(np.max(pre[d:] - pre[:-d]) / d)
                if best[i] is None or m > best[i]:
                    best[i] = m
        k = j + 1
    return best


def compute_metrics(decoded, cfg):
    cl, info = clean(decoded, cfg)
    out = {"absent": {}, "flags": [], "cleaning": info}
    absent = out["absent"]
    all_metrics = ["avg_hr", "ef", "decoupling_pct", "drift_bpm_per_h", "drift_adj_bpm_per_h",
                   "drift_pct", "zones_s", "s_zones_s", "trimp", "hrtss", "hr_class", "class", "distance_m"]
    if cl is None or cl["moving_s"] <= 0:
        for m in all_metrics:
            absent[m] = "no_moving_time"
        out["moving_s"] = 0.0
        return out
    out["sport"] = cl["sport"]
    moving_s = cl["moving_s"]
    out["moving_s"] = moving_s
    if cl["distance"] is None:
        absent["distance_m"] = "no_distance"
    else:
        out["distance_m"] = cl["distance"]
    if cl["lock_s"] > 0:
        out["flags"].append("hr_cadence_lock")
    if info.get("sport_assumed_running"):
        out["flags"].append("sport_assumed_running")
    if not cl["has_alt"] and any(v is not None for v in cl["speed"]):
        out["flags"].append("gap_without_altitude")
    if info["out_of_order"]:
        out["flags"].append("samples_out_of_order")
    if info["merged"]:
        out["flags"].append("samples_merged")

    hr, gap = cl["hr"], cl["gap"]
    n = cl["n_grid"]
    valid = [k for k in range(n) if hr[k] is not None]
    valid_s = len(valid)
    coverage = min(1.0, info["hr_covered_s"] / moving_s)
    out["valid_hr_s"] = valid_s
    out["coverage"] = coverage
    gaps_all = [g for g in gap if g is not None]
    out["mean_gap_m_s"] = mean(gaps_all)

    # zones: all valid-HR moving seconds, any coverage (lower bound belongs to the zone)
    if valid_s == 0:
        hr_gate = "no_hr"
        absent["zones_s"] = absent["s_zones_s"] = "no_hr"
    else:
        hr_gate = None if coverage >= cfg["min_coverage"] else "low_coverage"
        lthr = cfg["lthr"]
        zb = [f * lthr for f in cfg["zones_lthr_fractions"]]
        sb = [cfg["seiler_s2_fraction"] * lthr, cfg["seiler_s3_fraction"] * lthr]
        zones = [0] * 5
        sz = [0] * 3
        for k in valid:
            zones[sum(1 for b in zb if hr[k] >= b)] += 1
            sz[sum(1 for b in sb if hr[k] >= b)] += 1
        out["zones_s"] = zones
        out["s_zones_s"] = sz

    warm = cfg["warmup_s"]
    steady_s = max(0.0, moving_s - warm)
    out["steady_s"] = steady_s
    mid = warm + steady_s / 2.0
    steady = [k for k in range(n) if k >= warm]
    st_valid = [k for k in steady if hr[k] is not None]
    st_valid_all = st_valid  # the HR class's S1 share counts every steady valid-HR second
    st_paired = [k for k in st_valid if gap[k] is not None]
    st_gap = [gap[k] for k in steady if gap[k] is not None]

    # --- section 3a: not running speed, mean-maximal GAP speed (running only) ---
    running = cl["running"]
    spd = cl["speed"]
    present = cl["present"]
    if running:
        speeds = [v for v in spd if v is not None]
        if speeds and statistics.median(speeds) > cfg["not_running_median_m_s"]:
            out["flags"].append("not_running_speed")
        out["best_gap_m_s"] = best_rolling_means(gap, cfg["not_running_span_m_s"], BEST_GAP_S)

    # --- section 3b: walking, run-walk and the seconds the steady metrics use ---
    walking = [False] * n
    run_walk = False
    if running:
        walking = walking_seconds(gap, cl["spm"], cfg)
        n_points = sum(1 for p in present if p)
        walk_s = sum(1 for w in walking if w)
        out["walk_share"] = walk_s / n_points if n_points else 0.0
        out["walk_s"] = walk_s
        run_walk = out["walk_share"] >= cfg["run_walk_min_share"]
        if run_walk:
            out["flags"].append("run_walk")
    used = [True] * n
    if run_walk:
        recover_until = -math.inf
        for k in range(n):
            if walking[k]:
                used[k] = False
                recover_until = k + 1 + cfg["walk_recovery_s"]
            elif k < recover_until:
                used[k] = False
        out["used_steady_s"] = sum(1 for k in steady if used[k])

    st_valid = [k for k in st_valid if used[k]]
    st_paired = [k for k in st_paired if used[k]]

    # steadiness: CV (population std / mean) of 30 s block means of GAP speed over the steady
    # portion's used, non-walking seconds with GAP <= 7 m/s; a block counts with >= 15 of them.
    block_s = cfg["steadiness_block_s"]
    blocks = {}
    for k in steady:
        g = gap[k]
        if g is None or walking[k] or not used[k] or g > cfg["not_running_span_m_s"]:
            continue
        blocks.setdefault(int(math.floor((k - warm) / block_s)), []).append(g)
    means = [sum(v) / len(v) for _, v in sorted(blocks.items()) if len(v) >= block_s / 2.0]
    unsteady = None
    cv = None
    if len(means) >= 2 and np.mean(means) > 0:
        cv = float(np.std(means) / np.mean(means))
        out["gap_block_cv"] = cv
        out["gap_blocks"] = len(means)
        unsteady = cv > cfg["unsteady_cv"]
        if unsteady:
            out["flags"].append("unsteady")
    out["unsteady"] = bool(unsteady)

    # --- section 3a: pace zones, session type and fast repetitions against v_t ---
    # Running seconds: grid seconds not walking (3b) whose GAP speed is <= 7 m/s. P1 below
    # 0.85 v_t, P2 from 0.85 v_t to 0.97 v_t (both included), P3 above.
    pace_typed = (running and any(v is not None for v in spd)
                  and "not_running_speed" not in out["flags"])
    fast_unsteady = False
    if pace_typed:
        vt = threshold_speed(cfg["threshold_pace"])
        p2_from, p3_from = cfg["pace_p2_from"] * vt, cfg["pace_p3_from"] * vt

        def pzone(g):
            return 0 if g < p2_from else (1 if g <= p3_from else 2)

        # Diagnostic for the comparison's tolerance (not a METRICS.md metric): the crate counts
        # the zones from a histogram of 0.02 m/s bins judged by their centres (docs/METRICS.md,
        # "How hrdrift computes 3a"), so the seconds of the bin holding a zone boundary that lie
        # between the boundary and the bin's far edge may legitimately land in the neighbouring
        # zone there. Per boundary (P1/P2, P2/P3): how many such seconds this run has.
        w = HIST_BIN_M_S

        def in_band(g, t):
            start = math.floor(t / w) * w
            if start + w / 2.0 <= t:
                return t < g < start + w
            return start <= g < t

        pz, st_pz, band, st_band = [0, 0, 0], [0, 0, 0], [0, 0], [0, 0]
        for k in range(n):
            g = gap[k]
            if g is None or walking[k] or g > cfg["not_running_span_m_s"]:
                continue
            pz[pzone(g)] += 1
            for b, t in enumerate((p2_from, p3_from)):
                if in_band(g, t):
                    band[b] += 1
                    if k >= warm:
                        st_band[b] += 1
            if k >= warm:
                st_pz[pzone(g)] += 1
        out["p_zones_s"] = pz
        out["steady_p_zones_s"] = st_pz
        out["p_zones_bin_band_s"] = band
        out["steady_p_zones_bin_band_s"] = st_band
        out["threshold_speed_m_s"] = vt
        out["threshold_source"] = "configured"
        # fast repetitions: maximal runs of consecutive counted blocks above P3, >= 60 s
        min_blocks = int(math.ceil(cfg["fast_rep_min_s"] / block_s - 1e-9))
        reps, run_len = 0, 0
        for bm in means + [-math.inf]:
            if bm > p3_from:
                run_len += 1
                continue
            if run_len >= min_blocks:
                reps += 1
            run_len = 0
        out["fast_reps"] = reps
        base = st_pz if sum(st_pz) > 0 else pz
        if pz[2] >= cfg["hard_p3_s"] or pz[1] + pz[2] >= cfg["hard_p2_p3_s"]:
            out["class"] = "hard"
            fast_unsteady = reps >= 2
        elif sum(base) == 0:
            absent["class"] = "too_short"  # no running second at all (none among the fixtures)
        else:
            out["steady_p1_share"] = base[0] / sum(base)
            out["class"] = "easy" if out["steady_p1_share"] >= cfg["easy_p1_share"] else "moderate"
        if "class" in out:
            out["class_basis"] = "pace"
        if sum(base) > 0 and "steady_p1_share" not in out:
            out["steady_p1_share"] = base[0] / sum(base)  # diagnostic (for the leeway)
        out["p1_share_of"] = "steady" if sum(st_pz) > 0 else "whole_run"
    if fast_unsteady:
        # a hard session with P3 repetitions: decoupling and drift absent as unsteady (3b)
        unsteady = True
    elif running and cv is not None and not unsteady:
        out["decoupling_quality"] = "steady" if cv <= cfg["steady_cv"] else "variable"

    def gate(metric, min_s, needs_speed=False, steady_even=False):
        if hr_gate:
            absent[metric] = hr_gate
            return False
        if steady_s < min_s:
            absent[metric] = "too_short"
            return False
        if needs_speed and not st_paired:
            absent[metric] = "no_speed" if not st_gap else "too_short"
            return False
        if steady_even and unsteady:
            absent[metric] = "unsteady"
            return False
        return True

    if hr_gate:
        absent["avg_hr"] = hr_gate
    else:
        out["avg_hr"] = mean([hr[k] for k in valid])

    # EF over paired seconds of the steady portion
    if gate("ef", cfg["ef_min_steady_s"], needs_speed=True):
        out["ef"] = mean([gap[k] for k in st_paired]) * 60.0 / mean([hr[k] for k in st_paired])
        # diagnostic only (not a METRICS.md metric): EF with plain speed, to show GAP's effect
        raw = [k for k in st_valid if spd[k] is not None]
        if raw:
            out["diag_ef_plain_speed"] = (mean([spd[k] for k in raw]) * 60.0
                                          / mean([hr[k] for k in raw]))

    h1 = [k for k in st_paired if k + 0.5 < mid]
    h2 = [k for k in st_paired if k + 0.5 >= mid]
    if gate("decoupling_pct", cfg["decoupling_min_steady_s"], needs_speed=True, steady_even=True):
        if h1 and h2:
            ef1 = mean([gap[k] for k in h1]) / mean([hr[k] for k in h1])
            ef2 = mean([gap[k] for k in h2]) / mean([hr[k] for k in h2])
            out["decoupling_pct"] = (ef1 - ef2) / ef1 * 100.0
        else:
            absent["decoupling_pct"] = "too_short"

    if gate("drift_bpm_per_h", cfg["drift_min_steady_s"], steady_even=True):
        t = np.array([(k + 0.5) / 3600.0 for k in st_valid])
        y = np.array([hr[k] for k in st_valid], dtype=float)
        if len(t) >= 2:
            out["drift_bpm_per_h"] = float(np.polyfit(t, y, 1)[0])
        else:
            absent["drift_bpm_per_h"] = "too_short"

    if gate("drift_pct", cfg["drift_min_steady_s"], steady_even=True):
        v1 = [hr[k] for k in st_valid if k + 0.5 < mid]
        v2 = [hr[k] for k in st_valid if k + 0.5 >= mid]
        if v1 and v2:
            out["drift_pct"] = (mean(v2) - mean(v1)) / mean(v1) * 100.0
        else:
            absent["drift_pct"] = "too_short"

    if gate("drift_adj_bpm_per_h", cfg["drift_min_steady_s"], needs_speed=True):
        t = np.array([(k + 0.5) / 3600.0 for k in st_paired])
        g = np.array([gap[k] for k in st_paired], dtype=float)
        y = np.array([hr[k] for k in st_paired], dtype=float)
        if len(t) < 3 or np.std(g) == 0:
            absent["drift_adj_bpm_per_h"] = "collinear"
        else:
            corr = float(np.corrcoef(t, g)[0, 1])
            if abs(corr) > COLLINEAR_ABS_CORR:
                absent["drift_adj_bpm_per_h"] = "collinear"
            else:
                X = np.column_stack([np.ones_like(t), t, g])
                beta = np.linalg.lstsq(X, y, rcond=None)[0]
                out["drift_adj_bpm_per_h"] = float(beta[1])

    # TRIMP over valid-HR seconds (dt in minutes), hrTSS against 60 min at LTHR
    if hr_gate:
        absent["trimp"] = absent["hrtss"] = hr_gate
    else:
        trimp = sum(trimp_per_min(hr[k], cfg) for k in valid) / 60.0
        out["trimp"] = trimp
        out["hrtss"] = trimp / (60.0 * trimp_per_min(cfg["lthr"], cfg)) * 100.0

    # HR class (running): what the session cost
    if not cl["running"]:
        absent["hr_class"] = "not_running"
    elif hr_gate:
        absent["hr_class"] = hr_gate
    else:
        sz = out["s_zones_s"]
        if sz[2] >= cfg["hard_s3_s"] or sz[1] + sz[2] >= cfg["hard_s2s3_s"]:
            out["hr_class"] = "hard"
        elif not st_valid_all:
            absent["hr_class"] = "too_short"
        else:
            s1 = sum(1 for k in st_valid_all if hr[k] < cfg["seiler_s2_fraction"] * cfg["lthr"])
            out["hr_class"] = "easy" if s1 / len(st_valid_all) >= cfg["easy_s1_share"] else "moderate"
            out["steady_s1_share"] = s1 / len(st_valid_all)
    # session type (section 3a): typed by pace above; a run without any speed is typed by its
    # HR class (basis hr).
    if not cl["running"]:
        absent["class"] = "not_running"
    elif pace_typed:
        if out.get("class") == "easy" and out.get("hr_class") in ("moderate", "hard"):
            out["flags"].append("effort_mismatch")
    elif any(v is not None for v in spd):
        absent["class"] = "not_running_speed"  # a ride saved as a run (none among the fixtures)
    elif "hr_class" in out:
        out["class"] = out["hr_class"]
        out["class_basis"] = "hr"
    else:
        absent["class"] = absent["hr_class"]
    out["flags"] = sorted(set(out["flags"]))
    return out


def rounded(value):
    if isinstance(value, float):
        return float("%.10g" % value)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return value


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    repo_root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    default_fixtures = os.path.normpath(os.path.join(repo_root, "tests", "fixtures"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixtures", nargs="?", default=default_fixtures)
    ap.add_argument("--out", default=os.path.join(here, "metrics.json"))
    args = ap.parse_args(argv)
    root = os.path.abspath(args.fixtures)
    if not os.path.isdir(root):
        ap.error("fixtures directory not found: %s" % root)

    files = {}
    for rel in FILES:
        path = os.path.join(root, rel)
        ext = rel.rsplit(".", 1)[1].lower()
        decoded = {"fit": decode_fit, "gpx": decode_gpx, "tcx": decode_tcx}[ext](path)
        m = compute_metrics(decoded, SETTINGS)
        m["decode_errors"] = decoded["decode_errors"]
        files[rel] = rounded(m)
        print("%-72s moving %7.0f s cov %.3f" % (rel, m["moving_s"], m.get("coverage", 0)),
              file=sys.stderr)

    data = {
        "generator": GENERATOR,
        "decoders": {
            "fit": "garmin-fit-sdk %s" % metadata.version("garmin-fit-sdk"),
            "gpx": "gpxpy %s" % metadata.version("gpxpy"),
            "tcx": "python xml.etree.ElementTree (Python %d.%d)" % sys.version_info[:2],
            "numpy": "numpy %s" % metadata.version("numpy"),
        },
        "settings": SETTINGS,
    }
    data.update(files)  # keys: fixture paths relative to the fixtures root
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text + "\n")
    print("wrote %s (%d files)" % (args.out, len(files)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
