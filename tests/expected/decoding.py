"""Decoding helpers shared by the reference generators (gen_expected.py and
metrics/gen_metrics.py): element names matched by local name, numbers and times read from
text, and the Garmin FIT SDK's read with the options both use. Nothing here comes from hrdrift.
"""

import datetime as _dt
import math


def local_name(tag):
    """Strip '{namespace}' and any 'prefix:' from an element tag."""
    if not isinstance(tag, str):  # comments / processing instructions
        return ""
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    if ":" in tag:
        tag = tag.rsplit(":", 1)[1]
    return tag


def child_named(el, name):
    """The first child of `el` with the local name `name`, or None."""
    for c in el:
        if local_name(c.tag) == name:
            return c
    return None


def parse_float(text):
    """A finite number, or None (no text, not a number, NaN or infinite)."""
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    return value


def parse_int(text):
    """parse_float truncated to an integer."""
    value = parse_float(text)
    return None if value is None else int(value)


# Local names (lower case) of the GPX extension elements holding heart rate, cadence and
# temperature, whatever the namespace.
HR_NAMES = {"hr", "heartrate"}
CAD_NAMES = {"cad", "cadence"}
TEMP_NAMES = {"atemp", "temp", "temperature"}


def extension_values(elements, kinds):
    """The first value of each kind found (recursively) in a point's extension elements: `kinds`
    pairs a set of local names with the parser of the element's text; None where none parses."""
    found = [None] * len(kinds)
    for top in elements:
        for el in top.iter():
            name = local_name(el.tag).lower()
            for i, (names, parse) in enumerate(kinds):
                if found[i] is None and name in names:
                    found[i] = parse(el.text)
    return found


def parse_iso_time(text):
    """Parse an ISO 8601 / XML dateTime string; returns an aware UTC datetime or None."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    # fromisoformat (3.11) handles fractions of any length and offsets.
    try:
        value = _dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def sdk_read(path):
    """(messages, errors) of the SDK's Decoder.read: scale/offset, datetimes, type strings, CRC
    check, sub-field and component expansion on; heart rates from `hr` messages merged into the
    records (as hrdrift merges a strap's stored HR, METRICS.md 7)."""
    from garmin_fit_sdk import Decoder, Stream

    return Decoder(Stream.from_file(path)).read(
        apply_scale_and_offset=True,
        convert_datetimes_to_dates=True,
        convert_types_to_strings=True,
        enable_crc_check=True,
        expand_sub_fields=True,
        expand_components=True,
        merge_heart_rates=True,
    )
