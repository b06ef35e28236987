#!/usr/bin/env python3
"""Decodes a synthetic athlete's FIT files with the official Garmin FIT SDK and checks them
against the athlete's truth.json: the SDK reads every file without an error, with one session
and its records in time order, and the session's times, distance and record count agree with the
truth. The encoder is hrdrift's own (crates/synth/src/fit_encode.rs); this is its independent check.

Usage:
    python3 -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install garmin-fit-sdk==21.218.0
    /tmp/sdkvenv/bin/python tests/synth/check_with_garmin_sdk.py ATHLETE_DIR_OR_ZIP [truth.json]

Exit status 0 when every file passes; the failures are printed otherwise.
"""

import datetime as dt
import io
import json
import pathlib
import sys
import zipfile

from garmin_fit_sdk import Decoder, Stream


def files(src):
    p = pathlib.Path(src)
    if p.suffix == ".zip":
        with zipfile.ZipFile(p) as z:
            for n in sorted(z.namelist()):
                if n.endswith(".fit"):
                    yield n, z.read(n)
    else:
        for f in sorted(p.glob("*.fit")):
            yield f.name, f.read_bytes()


def utc(v):
    return v if v.tzinfo else v.replace(tzinfo=dt.timezone.utc)


def main():
    src = sys.argv[1]
    truth_path = sys.argv[2] if len(sys.argv) > 2 else str(pathlib.Path(src).with_name("truth.json")) \
        if src.endswith(".zip") else str(pathlib.Path(src) / "truth.json")
    truth = {a["file"]: a for a in json.load(open(truth_path))["activities"]}
    failures, n, records, hr_values = [], 0, 0, 0
    for name, data in files(src):
        n += 1
        # Each check reads the stream from its start, so each gets its own decoder.
        if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
            failures.append(f"{name}: not a valid FIT file (header or CRC)")
            continue
        decoder = Decoder(Stream.from_byte_array(bytearray(data)))
        messages, errors = decoder.read(convert_datetimes_to_dates=True)
        if errors:
            failures.append(f"{name}: SDK errors {errors}")
            continue
        recs = messages.get("record_mesgs", [])
        sessions = messages.get("session_mesgs", [])
        records += len(recs)
        hr_values += sum(1 for r in recs if r.get("heart_rate") is not None)
        t = truth.get(name)
        if t is None:
            failures.append(f"{name}: not in truth.json")
            continue
        if len(sessions) != 1:
            failures.append(f"{name}: {len(sessions)} sessions")
            continue
        s = sessions[0]
        times = [utc(r["timestamp"]) for r in recs]
        if times != sorted(times):
            failures.append(f"{name}: records out of time order")
        start = utc(s["start_time"])
        want_start = dt.datetime.fromisoformat(t["start"].replace("Z", "+00:00"))
        if abs((start - want_start).total_seconds()) > 1:
            failures.append(f"{name}: session start {start} != truth {want_start}")
        if abs(s.get("total_timer_time", 0) - t["moving_s"]) > 2:
            failures.append(f"{name}: timer time {s.get('total_timer_time')} != truth moving_s {t['moving_s']}")
        if abs(s.get("total_distance", 0) - t["distance_m"]) > max(2.0, 0.001 * t["distance_m"]):
            failures.append(f"{name}: distance {s.get('total_distance')} != truth {t['distance_m']}")
        if times and abs((times[-1] - times[0]).total_seconds() - t["elapsed_s"]) > 2:
            failures.append(f"{name}: records span {(times[-1] - times[0]).total_seconds()} s != truth elapsed_s {t['elapsed_s']}")
    print(f"{n} files, {records} records ({hr_values} with heart rate), {len(failures)} failures")
    for f in failures:
        print("  " + f)
    return 1 if failures or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
