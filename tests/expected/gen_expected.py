#!/usr/bin/env python3
"""Generate expected values for hrdrift's fixture tests with independent decoders.

FIT: the official Garmin FIT SDK (PyPI `garmin-fit-sdk`); for files the SDK
     stops on at a compressed-timestamp header, an extra "fitparse" object from
     python-fitparse (PyPI `fitparse`).
GPX: gpxpy (PyPI `gpxpy`), with an xml.etree fallback for files gpxpy rejects.
TCX: the standard library's xml.etree.ElementTree (namespace-agnostic).

Usage:
    python gen_expected.py [FIXTURES_DIR] [--out OUT_DIR]

FIXTURES_DIR defaults to tests/fixtures in the repository
(the repository root is two levels above this script). OUT_DIR defaults to the
directory holding this script. Writes fit.json, gpx.json and tcx.json.

Conventions (shared by all three formats):
  * Timestamps are UTC, RFC 3339, second precision (fractions truncated), with
    a trailing "Z". Naive times (no offset in the file) are taken as UTC.
  * "first_timestamp"/"last_timestamp" are the first and last timestamps in
    file order (not min/max), null when there are none.
  * Keys of "files" are paths relative to the fixtures root, with "/".
"""

import argparse
import datetime as _dt
import json
import math
import os
import sys
import xml.etree.ElementTree as ET
from importlib import metadata

from decoding import (
    CAD_NAMES,
    HR_NAMES,
    TEMP_NAMES,
    child_named,
    extension_values,
    local_name,
    parse_float,
    parse_int,
    parse_iso_time,
    sdk_read,
)

GENERATOR = "tests/expected/gen_expected.py"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def rfc3339(value):
    """datetime -> 'YYYY-MM-DDTHH:MM:SSZ' in UTC (naive taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    value = value.astimezone(_dt.timezone.utc).replace(microsecond=0)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def list_files(root, subdirs, suffix):
    out = []
    for sub in subdirs:
        base = os.path.join(root, sub)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in filenames:
                if name.lower().endswith(suffix):
                    full = os.path.join(dirpath, name)
                    out.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(out)


def jsonable(value):
    """Make a FIT SDK value safe for JSON (strings, numbers, lists)."""
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


# --------------------------------------------------------------------------
# FIT (official Garmin SDK)
# --------------------------------------------------------------------------

def fit_expected(path):
    from garmin_fit_sdk import Decoder, Stream

    result = {
        "sdk_errors": [],
        "is_fit": None,
        "check_integrity": None,
        "records": 0,
        "records_with_timestamp": 0,
        "hr_count": 0,
        "hr_sum": 0,
        "first_timestamp": None,
        "last_timestamp": None,
        "last_distance_m": None,
        "max_distance_m": None,
        "distances_first5": [],
        "sessions": 0,
        "sports": [],
        "hrv_values": 0,
        "file_type": None,
        "manufacturer": None,
        "product": None,
        "developer_fields": [],
        "events_timer": 0,
    }
    try:
        result["is_fit"] = bool(Decoder(Stream.from_file(path)).is_fit())
    except Exception as exc:  # noqa: BLE001
        result["is_fit"] = False
        result.setdefault("exception", "is_fit: %s" % exc)
    try:
        result["check_integrity"] = bool(Decoder(Stream.from_file(path)).check_integrity())
    except Exception as exc:  # noqa: BLE001
        result["check_integrity"] = False
        result.setdefault("exception", "check_integrity: %s" % exc)

    try:
        messages, errors = sdk_read(path)
        result["sdk_errors"] = [str(e) for e in errors]
    except Exception as exc:  # noqa: BLE001
        result["exception"] = str(exc)
        return result

    try:
        _fit_summarise(messages, result)
    except Exception as exc:  # noqa: BLE001
        result["exception"] = "summarise: %s" % exc

    # The SDK does not support compressed-timestamp record headers and stops
    # at the first one. For those files only, add a cross-check from a second
    # independent decoder (python-fitparse) so the record values still exist.
    if any("Compressed timestamp" in e for e in result["sdk_errors"]):
        result["fitparse"] = fitparse_crosscheck(path)
    return result


FIT_EPOCH = _dt.datetime(1989, 12, 31, tzinfo=_dt.timezone.utc)


def _fitparse_time(value):
    """fitparse leaves FIT date_time values < 0x10000000 (device-relative
    'system time', not UTC) as raw integers; keep those as integers."""
    if isinstance(value, _dt.datetime):
        return rfc3339(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def fitparse_crosscheck(path):
    out = {
        "records": 0,
        "records_with_timestamp": 0,
        "first_timestamp": None,
        "last_timestamp": None,
        "hr_count": 0,
        "hr_sum": 0,
        "distances_first5": [],
        "last_distance_m": None,
        "max_distance_m": None,
    }
    try:
        import fitparse

        fit = fitparse.FitFile(path)
        times = []
        distances = []
        for mesg in fit.get_messages("record"):
            out["records"] += 1
            values = {d.name: d.value for d in mesg}
            ts = _fitparse_time(values.get("timestamp"))
            if ts is not None:
                times.append(ts)
            hr = values.get("heart_rate")
            if isinstance(hr, (int, float)) and not isinstance(hr, bool):
                out["hr_count"] += 1
                out["hr_sum"] += int(hr)
            dist = values.get("distance")
            if isinstance(dist, (int, float)) and not isinstance(dist, bool):
                distances.append(float(dist))
        out["records_with_timestamp"] = len(times)
        if times:
            out["first_timestamp"] = times[0]
            out["last_timestamp"] = times[-1]
        if distances:
            out["distances_first5"] = distances[:5]
            out["last_distance_m"] = distances[-1]
            out["max_distance_m"] = max(distances)
    except Exception as exc:  # noqa: BLE001
        out["exception"] = "%s: %s" % (type(exc).__name__, exc)
    return out


def _fit_summarise(messages, result):
    records = messages.get("record_mesgs", []) or []
    result["records"] = len(records)

    timestamps = []
    distances = []
    for rec in records:
        ts = rec.get("timestamp")
        if isinstance(ts, _dt.datetime):
            timestamps.append(ts)
        elif isinstance(ts, (int, float)) and not isinstance(ts, bool):
            # should not happen with convert_datetimes_to_dates=True
            timestamps.append(_dt.datetime(1989, 12, 31, tzinfo=_dt.timezone.utc)
                              + _dt.timedelta(seconds=ts))
        hr = rec.get("heart_rate")
        if hr is not None and not isinstance(hr, (list, tuple)):
            result["hr_count"] += 1
            result["hr_sum"] += int(hr)
        dist = rec.get("distance")
        if dist is not None and not isinstance(dist, (list, tuple)):
            distances.append(float(dist))

    result["records_with_timestamp"] = len(timestamps)
    if timestamps:
        result["first_timestamp"] = rfc3339(timestamps[0])
        result["last_timestamp"] = rfc3339(timestamps[-1])
    if distances:
        result["last_distance_m"] = distances[-1]
        result["max_distance_m"] = max(distances)
        result["distances_first5"] = distances[:5]

    sessions = messages.get("session_mesgs", []) or []
    result["sessions"] = len(sessions)
    result["sports"] = [None if s.get("sport") is None else str(s.get("sport")) for s in sessions]
    result["session_starts"] = [rfc3339(s["start_time"]) if isinstance(s.get("start_time"), _dt.datetime)
                                else None for s in sessions]

    hrv_count = 0
    for mesg in messages.get("hrv_mesgs", []) or []:
        for v in as_list(mesg.get("time")):
            if v is None:
                continue
            try:
                fv = float(v)
            except (TypeError, ValueError):
                continue
            if abs(fv - 65.535) < 1e-9 or fv == 65535:
                continue
            hrv_count += 1
    result["hrv_values"] = hrv_count

    file_ids = messages.get("file_id_mesgs", []) or []
    if file_ids:
        fid = file_ids[0]
        if fid.get("type") is not None:
            result["file_type"] = str(fid.get("type"))
        if fid.get("manufacturer") is not None:
            result["manufacturer"] = str(fid.get("manufacturer"))
        if fid.get("product") is not None:
            result["product"] = str(fid.get("product"))
        # expand_sub_fields adds e.g. garmin_product alongside product
        for sub in ("garmin_product", "favero_product"):
            if fid.get(sub) is not None:
                result["product_name"] = str(fid.get(sub))
                break
    result["file_ids"] = len(file_ids)

    # Developer fields: the SDK keys them by the index of the defining
    # field_description message in field_description_mesgs.
    descriptions = messages.get("field_description_mesgs", []) or []
    names = set()
    for rec in records:
        dev = rec.get("developer_fields")
        if not dev:
            continue
        for key in dev:
            name = None
            if isinstance(key, int) and 0 <= key < len(descriptions):
                name = descriptions[key].get("field_name")
                if isinstance(name, list):
                    name = name[0] if name else None
            names.add(str(name) if name else str(key))
    result["developer_fields"] = sorted(names)

    result["events_timer"] = sum(
        1 for ev in (messages.get("event_mesgs", []) or []) if ev.get("event") == "timer"
    )

    result["message_counts"] = {
        k: len(v) for k, v in sorted(messages.items()) if isinstance(v, list)
    }


# --------------------------------------------------------------------------
# GPX (gpxpy, with ElementTree fallback)
# --------------------------------------------------------------------------

def _ext_values(elements):
    """First hr / cad (integers) / temp value found (recursively) in a point's extension elements."""
    return extension_values(
        elements, ((HR_NAMES, parse_int), (CAD_NAMES, parse_int), (TEMP_NAMES, parse_float))
    )


def _gpx_empty():
    return {
        "points": 0,
        "points_with_time": 0,
        "first_timestamp": None,
        "last_timestamp": None,
        "hr_count": 0,
        "hr_sum": 0,
        "cad_count": 0,
        "cad_sum": 0,
        "temp_count": 0,
        "tracks": 0,
        "has_elevation_count": 0,
    }


def _gpx_accumulate(result, times, hr, cad, temp, ele_present, when):
    result["points"] += 1
    if when is not None:
        times.append(when)
    if hr is not None:
        result["hr_count"] += 1
        result["hr_sum"] += hr
    if cad is not None:
        result["cad_count"] += 1
        result["cad_sum"] += cad
    if temp is not None:
        result["temp_count"] += 1
    if ele_present:
        result["has_elevation_count"] += 1


def _gpx_finish(result, times):
    result["points_with_time"] = len(times)
    if times:
        result["first_timestamp"] = rfc3339(times[0])
        result["last_timestamp"] = rfc3339(times[-1])


def gpx_expected(path):
    import gpxpy

    result = _gpx_empty()
    try:
        with open(path, "r", encoding="utf-8-sig") as fh:
            gpx = gpxpy.parse(fh)
    except Exception as exc:  # noqa: BLE001
        result["gpxpy_error"] = "%s: %s" % (type(exc).__name__, exc)
        result["fallback"] = True
        try:
            _gpx_fallback(path, result)
        except Exception as exc2:  # noqa: BLE001
            result["fallback_error"] = "%s: %s" % (type(exc2).__name__, exc2)
        return result

    times = []
    result["tracks"] = len(gpx.tracks)
    for track in gpx.tracks:
        for segment in track.segments:
            for p in segment.points:
                hr, cad, temp = _ext_values(p.extensions or [])
                _gpx_accumulate(result, times, hr, cad, temp,
                                p.elevation is not None, p.time)
    _gpx_finish(result, times)
    return result


def _gpx_fallback(path, result):
    tree = ET.parse(path)
    root = tree.getroot()
    times = []
    tracks = [el for el in root.iter() if local_name(el.tag) == "trk"]
    result["tracks"] = len(tracks)
    for trk in tracks:
        for pt in trk.iter():
            if local_name(pt.tag) != "trkpt":
                continue
            when = None
            ele_present = False
            exts = []
            for child in pt:
                name = local_name(child.tag)
                if name == "time":
                    when = parse_iso_time(child.text)
                elif name == "ele":
                    ele_present = parse_float(child.text) is not None
                elif name == "extensions":
                    exts.extend(list(child))
            hr, cad, temp = _ext_values(exts)
            _gpx_accumulate(result, times, hr, cad, temp, ele_present, when)
    _gpx_finish(result, times)


# --------------------------------------------------------------------------
# TCX (xml.etree.ElementTree)
# --------------------------------------------------------------------------

def tcx_expected(path):
    result = {
        "trackpoints": 0,
        "trackpoints_with_time": 0,
        "first_timestamp": None,
        "last_timestamp": None,
        "hr_count": 0,
        "hr_sum": 0,
        "cad_count": 0,
        "last_distance_m": None,
        "laps": 0,
        "sport": None,
        "activities": 0,
    }
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        result["parse_error"] = str(exc)
        return result

    activities = [el for el in root.iter() if local_name(el.tag) == "Activity"]
    result["activities"] = len(activities)
    if activities:
        result["sport"] = activities[0].get("Sport")
    result["laps"] = sum(1 for el in root.iter() if local_name(el.tag) == "Lap")

    times = []
    for tp in root.iter():
        if local_name(tp.tag) != "Trackpoint":
            continue
        result["trackpoints"] += 1
        t = child_named(tp, "Time")
        when = parse_iso_time(t.text) if t is not None else None
        if when is not None:
            times.append(when)
        hrb = child_named(tp, "HeartRateBpm")
        if hrb is not None:
            hr = parse_int(child_named(hrb, "Value").text if child_named(hrb, "Value") is not None else None)
            if hr is not None:
                result["hr_count"] += 1
                result["hr_sum"] += hr
        cad = child_named(tp, "Cadence")
        cad_val = parse_int(cad.text) if cad is not None else None
        if cad_val is None:
            for el in tp.iter():
                if local_name(el.tag) == "RunCadence":
                    cad_val = parse_int(el.text)
                    if cad_val is not None:
                        break
        if cad_val is not None:
            result["cad_count"] += 1
        dist = child_named(tp, "DistanceMeters")
        dval = parse_float(dist.text) if dist is not None else None
        if dval is not None:
            result["last_distance_m"] = dval

    result["trackpoints_with_time"] = len(times)
    if times:
        result["first_timestamp"] = rfc3339(times[0])
        result["last_timestamp"] = rfc3339(times[-1])
    return result


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def write_json(path, data):
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                      default=jsonable)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text + "\n")


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    repo_root = os.path.dirname(os.path.dirname(here))
    default_fixtures = os.path.normpath(os.path.join(repo_root, "tests", "fixtures"))

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixtures", nargs="?", default=default_fixtures,
                    help="fixtures root (default: %(default)s)")
    ap.add_argument("--out", default=here, help="output directory (default: script dir)")
    args = ap.parse_args(argv)

    root = os.path.abspath(args.fixtures)
    if not os.path.isdir(root):
        ap.error("fixtures directory not found: %s" % root)

    fit_ver = metadata.version("garmin-fit-sdk")
    fitparse_ver = metadata.version("fitparse")
    gpx_ver = metadata.version("gpxpy")
    py_ver = "%d.%d.%d" % sys.version_info[:3]

    fit_files = list_files(root, ["fit"], ".fit")
    gpx_files = list_files(root, ["gpx", "series"], ".gpx")
    tcx_files = list_files(root, ["tcx"], ".tcx")

    outputs = {
        "fit.json": ("garmin-fit-sdk %s" % fit_ver, fit_files, fit_expected),
        "gpx.json": ("gpxpy %s" % gpx_ver, gpx_files, gpx_expected),
        "tcx.json": ("python xml.etree.ElementTree (Python %s)" % py_ver.rsplit(".", 1)[0],
                     tcx_files, tcx_expected),
    }
    for out_name, (decoder, files, fn) in outputs.items():
        data = {
            "generator": GENERATOR,
            "decoder": decoder,
            "files": {rel: fn(os.path.join(root, rel)) for rel in files},
        }
        if out_name == "fit.json":
            data["crosscheck_decoder"] = "fitparse %s" % fitparse_ver
        out_path = os.path.join(args.out, out_name)
        write_json(out_path, data)
        print("wrote %s (%d files)" % (out_path, len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
