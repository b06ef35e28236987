#!/usr/bin/env python3
"""Decodes a synthetic athlete's morning files (``hrdrift demo-data DIR --mornings fit``, or the
``mornings-2025.zip`` of data/synthetic) with the official Garmin FIT SDK and checks them against
``mornings.json`` (in the folder, or beside the zip): every file reads without an error, and the resting HR
(``monitoring_hr_data.current_day_resting_heart_rate``), overnight rMSSD
(``hrv_status_summary.last_night_average``) and sleep score
(``sleep_assessment.overall_sleep_score``) of each day are the truth's, exactly. The day of a file
is the local date of its ``monitoring_info`` (``local_timestamp``), as hrdrift reads it.

Usage:
    python3 -m venv /tmp/sdkvenv && /tmp/sdkvenv/bin/pip install garmin-fit-sdk==21.218.0
    /tmp/sdkvenv/bin/python tests/synth/check_mornings_with_garmin_sdk.py MORNINGS_DIR_OR_ZIP

Exit status 0 when every file passes; the failures are printed otherwise.
"""

import datetime as dt
import json
import pathlib
import sys
import zipfile

from garmin_fit_sdk import Decoder, Stream

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.timezone.utc)


def files(src):
    p = pathlib.Path(src)
    if p.suffix == ".zip":
        truth = json.loads(p.with_name("mornings.json").read_text())
        with zipfile.ZipFile(p) as z:
            for n in sorted(z.namelist()):
                if n.endswith(".fit"):
                    yield truth, n, z.read(n)
    else:
        truth = json.loads((p / "mornings.json").read_text())
        for f in sorted(p.rglob("*.fit")):
            yield truth, str(f.relative_to(p)), f.read_bytes()


def local_day(messages):
    info = messages["monitoring_info_mesgs"][0]
    local = info["local_timestamp"]
    # The SDK gives local_date_time as seconds since the FIT epoch (it has no zone to apply).
    if isinstance(local, (int, float)):
        local = FIT_EPOCH + dt.timedelta(seconds=local)
    return local.date().isoformat()


def main():
    failures, n, seen = [], 0, {}
    truth = None
    for truth, name, data in files(sys.argv[1]):
        n += 1
        if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
            failures.append(f"{name}: not a valid FIT file (header or CRC)")
            continue
        messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
        if errors:
            failures.append(f"{name}: SDK errors {errors}")
            continue
        day = seen.setdefault(local_day(messages), {})
        for m in messages.get("monitoring_hr_data_mesgs", []):
            day["resting_hr_bpm"] = m["current_day_resting_heart_rate"]
        for m in messages.get("hrv_status_summary_mesgs", []):
            day["rmssd_ms"] = m["last_night_average"]
        for m in messages.get("sleep_assessment_mesgs", []):
            day["sleep_score"] = m["overall_sleep_score"]
    truth = {t["date"]: t for t in truth or []}
    for date, got in sorted(seen.items()):
        want = truth.get(date)
        if want is None:
            failures.append(f"{date}: files of a day the truth does not have")
            continue
        for k in ("resting_hr_bpm", "rmssd_ms", "sleep_score"):
            if got.get(k) is None or float(got[k]) != float(want[k]):
                failures.append(f"{date}: {k} {got.get(k)} != truth {want[k]}")
    missing = sorted(set(truth) - set(seen))
    if missing:
        failures.append(f"days of the truth with no file: {missing[:5]}")
    for f in failures[:30]:
        print(f)
    print(f"{n} files, {len(seen)} days, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
