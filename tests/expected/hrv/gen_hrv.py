#!/usr/bin/env python3
"""Reference HRV fields (docs/METRICS.md section 5) of every file in the repository that
carries beat-to-beat intervals, from an implementation independent of hrdrift's.

Written from the text of docs/METRICS.md section 5 ("How hrdrift computes 5" lists the choices
the definitions leave open), not from crates/analytics/src/hrv. FIT is decoded with the official
Garmin SDK, in message order (its listener), so each `hrv` message's intervals are anchored to
the last `record` before it. The steady portion (the moving time after the 10-minute warm-up) and
the pauses come from gen_metrics.py's own cleaning (`../metrics`), itself independent of the Rust.

Usage:
    python3 -m venv /tmp/metricsvenv
    /tmp/metricsvenv/bin/pip install -r tests/expected/metrics/requirements.txt
    /tmp/metricsvenv/bin/python tests/expected/hrv/gen_hrv.py        # writes hrv.json beside it
"""

import datetime as _dt
import json
import math
import os
import statistics
import sys
import tempfile
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "metrics"))
import gen_metrics as gm  # noqa: E402

# Fixtures with RR (relative to tests/fixtures), and the synthetic athlete's files with beats
# (members of data/synthetic/athlete-2025.zip, listed in its truth.json as `hrv: true`).
FIXTURES = [
    "fit/python-fitparse/garmin-fenix-5-run.fit",
    "fit/python-fitparse/garmin-fenix-5-walk.fit",
    "fit/python-fitparse/garmin-edge-820-bike.fit",
    "fit/tormoder-fit/bpg--garmin.fit",
]
SYNTHETIC_ZIP = "data/synthetic/athlete-2025.zip"

RR_MIN_MS, RR_MAX_MS = 300.0, 2000.0
MEDIAN_SPAN = 11
MEDIAN_TOL = 0.20
MAX_ARTIFACT_SHARE = 0.05
MIN_COVERAGE = 0.90
RESYNC_S = 5.0
WINDOW_S, STEP_S = 120.0, 20.0
MIN_WINDOW_BEATS = 32
MAX_HR_CHANGE = 5.0
REPEATED_SHARE = 0.30
BOXES = range(4, 17)


def read_fit(path):
    """Records' times and the RR intervals (ms) with their anchors (ms), in file order."""
    from garmin_fit_sdk import Decoder, Stream

    state = {"last": None}
    rr = []

    def listener(num, msg):
        if num == 20:  # record
            ts = msg.get("timestamp")
            if isinstance(ts, _dt.datetime):
                state["last"] = ts.timestamp() * 1000.0
        elif num == 78:  # hrv: `time`, seconds, up to five a message
            times = msg.get("time")
            if times is None:
                return
            if not isinstance(times, (list, tuple)):
                times = [times]
            for t in times:
                # 0xFFFF (65.535 s once scaled) fills a message's unused slots: no beat.
                if t is None or not 0 < float(t) < 65.5:
                    continue
                rr.append((float(t) * 1000.0, state["last"]))

    Decoder(Stream.from_file(path)).read(
        apply_scale_and_offset=True,
        convert_datetimes_to_dates=True,
        mesg_listener=listener,
    )
    return rr


def steady_spans(path):
    """The steady portion as wall-clock spans (ms): moving time after the warm-up, pauses out."""
    cfg = gm.SETTINGS
    decoded = gm.decode_fit(path)
    smp, _, _ = gm.sanitize(decoded["samples"], cfg)
    if len(smp) < 2:
        return [], None
    ts = [s["t"] for s in smp]
    jump = cfg["gps_jump_speed_m_s"] if gm.on_foot(decoded["sport"]) else gm.GPS_JUMP_OTHER_M_S
    cum, _, _, _ = gm.track(smp, jump)
    dists = [s["dist"] for s in smp]
    progress = gm.interpolate_between(ts, dists if any(d is not None for d in dists) else cum)
    speed, _ = gm.sample_speeds(smp, cfg, progress)
    timer = gm.timer_pauses(decoded["timer"])
    has_timer = any(b > a and b != math.inf for a, b in timer)
    pauses = gm.merge_intervals(timer if has_timer else gm.inferred_pauses(smp, speed, progress, cfg))
    t0, t1 = ts[0], ts[-1]
    pauses = [(max(a, t0), min(b, t1)) for a, b in pauses if b > t0 and a < t1 and b > a]
    spans, moving, at = [], 0.0, t0
    for a, b in pauses + [(t1, t1)]:
        if a > at:
            lo = at
            if moving + (a - at) > cfg["warmup_s"]:
                lo = max(at, at + cfg["warmup_s"] - moving)
                spans.append((lo * 1000.0, a * 1000.0))
            moving += a - at
        at = max(at, b)
    return spans, t0 * 1000.0


def judge(rr):
    """Per interval: its value (ms) or None when it takes no time, and whether it is an artifact."""
    vals = [v if v is not None and math.isfinite(v) and 0 < v < 5000 else None for v in rr]
    ok = [v if v is not None and RR_MIN_MS <= v <= RR_MAX_MS else None for v in vals]
    art = []
    for i, v in enumerate(vals):
        if ok[i] is None:
            art.append(True)
            continue
        half = MEDIAN_SPAN // 2
        around = [x for x in ok[max(0, i - half):i + half + 1] if x is not None]
        med = statistics.median(around)
        art.append(abs(v - med) > MEDIAN_TOL * med)
    return vals, art


def clock(vals, anchors, start_ms):
    """End time (ms) of each interval, and whether it follows a re-synchronisation."""
    ends, jumped = [], []
    first = next((a for a in anchors if a is not None), None)
    t = first if first is not None else start_ms
    for v, a in zip(vals, anchors):
        j = False
        if v is not None:
            t += v
        if a is not None and t < a - RESYNC_S * 1000.0:
            t, j = a, True
        ends.append(t)
        jumped.append(j)
    return ends, jumped


def dfa_alpha1(x):
    x = np.asarray(x, dtype=float)
    y = np.cumsum(x - x.mean())
    ns, fs = [], []
    for n in BOXES:
        k = len(y) // n
        if k < 1:
            continue
        sq = []
        t = np.arange(n, dtype=float)
        for b in range(k):
            seg = y[b * n:(b + 1) * n]
            p = np.polyfit(t, seg, 1)
            sq.append(np.mean((seg - np.polyval(p, t)) ** 2))
        f = math.sqrt(np.mean(sq))
        if f > 0:
            ns.append(math.log(n))
            fs.append(math.log(f))
    if len(ns) < 2 or max(fs) - min(fs) == 0:
        return None
    return float(np.polyfit(ns, fs, 1)[0])


def hrv_fields(path, start_ms_fallback=None):
    rr = read_fit(path)
    out = {"rr_beats": len(rr)}
    fields = ["rmssd_ms", "dfa_a1_mean", "a1_drift"]
    if not rr:
        return dict(out, rr_artifact_pct=None, **{f: None for f in fields},
                    absent={f: "no_rr" for f in fields + ["rr_artifact_pct"]})
    values = [v for v, _ in rr]
    vals, art = judge(values)
    out["rr_artifact_pct"] = 100.0 * sum(art) / len(art)
    repeated = sum(1 for i in range(1, len(values)) if values[i] == values[i - 1])
    if repeated > REPEATED_SHARE * (len(values) - 1):
        return dict(out, **{f: None for f in fields}, absent={f: "rr_repeated" for f in fields})
    spans, start = steady_spans(path)
    ends, jumped = clock(vals, [a for _, a in rr], start or 0.0)
    taken = [v if v is not None else 0.0 for v in vals]

    def in_spans(t):
        return any(a <= t < b for a, b in spans)

    absent = {}
    # rMSSD over the intervals that ended in the steady portion.
    idx = [i for i in range(len(rr)) if in_spans(ends[i])]
    steady_s = sum(b - a for a, b in spans) / 1000.0
    covered = sum(taken[i] for i in idx) / 1000.0
    if steady_s <= 0 or not idx:
        out["rmssd_ms"] = None
        absent["rmssd_ms"] = "too_short"
    elif covered < MIN_COVERAGE * steady_s:
        out["rmssd_ms"] = None
        absent["rmssd_ms"] = "rr_sparse"
    elif sum(art[i] for i in idx) > MAX_ARTIFACT_SHARE * len(idx):
        out["rmssd_ms"] = None
        absent["rmssd_ms"] = "too_many_artifacts"
    else:
        sel = set(idx)
        d = [vals[i] - vals[i - 1] for i in idx
             if i - 1 in sel and not art[i] and not art[i - 1] and not jumped[i]]
        out["rmssd_ms"] = math.sqrt(sum(x * x for x in d) / len(d)) if d else None
        if not d:
            absent["rmssd_ms"] = "too_short"

    # Windows of 120 s every 20 s from the first beat; an interval belongs where it ended.
    first = ends[0] - taken[0]
    windows = []
    w0 = first
    while w0 + WINDOW_S * 1000.0 <= ends[-1] + 1e-6:
        w1 = w0 + WINDOW_S * 1000.0
        ids = [i for i in range(len(rr)) if w0 <= ends[i] < w1]
        mid = (w0 + w1) / 2.0
        clean = [vals[i] for i in ids if not art[i]]
        why, a1 = None, None
        if sum(taken[i] for i in ids) < MIN_COVERAGE * WINDOW_S * 1000.0:
            why = "rr_sparse"
        elif sum(art[i] for i in ids) > MAX_ARTIFACT_SHARE * len(ids):
            why = "too_many_artifacts"
        else:
            halves = [[vals[i] for i in ids if not art[i] and (ends[i] < mid) == h] for h in (True, False)]
            hr = [60000.0 / statistics.mean(h) if h else None for h in halves]
            if None not in hr and abs(hr[0] - hr[1]) > MAX_HR_CHANGE:
                why = "hr_changing"
            elif len(clean) < MIN_WINDOW_BEATS:
                why = "too_short"
            else:
                a1 = dfa_alpha1(clean)
                if a1 is None:
                    why = "too_short"
        windows.append((mid, a1, why))
        w0 += STEP_S * 1000.0
    steady = [w for w in windows if in_spans(w[0])]
    with_a1 = [w for w in steady if w[1] is not None]
    if with_a1:
        out["dfa_a1_mean"] = statistics.mean(w[1] for w in with_a1)
    else:
        out["dfa_a1_mean"] = None
        reasons = [w[2] for w in steady if w[2]]
        absent["dfa_a1_mean"] = (max(set(reasons), key=reasons.count) if reasons else "too_short")
    # Drift: the windows of the second half of the steady moving time minus the first.
    if with_a1 and spans:
        total = sum(b - a for a, b in spans)
        half_at, acc = None, 0.0
        for a, b in spans:
            if acc + (b - a) >= total / 2.0:
                half_at = a + (total / 2.0 - acc)
                break
            acc += b - a
        first_h = [w[1] for w in with_a1 if w[0] < half_at]
        second_h = [w[1] for w in with_a1 if w[0] >= half_at]
        if first_h and second_h:
            out["a1_drift"] = statistics.mean(second_h) - statistics.mean(first_h)
        else:
            out["a1_drift"] = None
            absent["a1_drift"] = "too_short"
    else:
        out["a1_drift"] = None
        absent["a1_drift"] = absent.get("dfa_a1_mean", "too_short")
    out["windows_with_alpha1"] = len(with_a1)
    out["absent"] = absent
    return out


def rounded(v):
    if isinstance(v, float):
        return float("%.10g" % v)
    if isinstance(v, dict):
        return {k: rounded(x) for k, x in v.items()}
    return v


def main():
    files = {}
    for rel in FIXTURES:
        files["tests/fixtures/" + rel] = rounded(hrv_fields(os.path.join(ROOT, "tests/fixtures", rel)))
    zpath = os.path.join(ROOT, SYNTHETIC_ZIP)
    truth = json.load(open(os.path.join(ROOT, "data/synthetic/truth.json")))
    with_beats = sorted(a["file"] for a in truth["activities"] if a.get("hrv"))
    with zipfile.ZipFile(zpath) as z, tempfile.TemporaryDirectory() as tmp:
        for name in with_beats:
            p = os.path.join(tmp, name)
            with open(p, "wb") as fh:
                fh.write(z.read(name))
            files[SYNTHETIC_ZIP + "!/" + name] = rounded(hrv_fields(p))
    for k, v in files.items():
        print("%-70s beats %6d art %5.2f rmssd %s a1 %s drift %s %s" % (
            k[-70:], v["rr_beats"], v["rr_artifact_pct"] or 0, v.get("rmssd_ms"),
            v.get("dfa_a1_mean"), v.get("a1_drift"), v.get("absent")), file=sys.stderr)
    out = {"generator": "tests/expected/hrv/gen_hrv.py", "files": files}
    with open(os.path.join(HERE, "hrv.json"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(out, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
