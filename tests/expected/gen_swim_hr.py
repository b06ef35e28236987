#!/usr/bin/env python3
"""The heart rate per record of the pool swim with a strap's stored HR, as the official Garmin FIT
SDK merges its `hr` messages into the records (merge_heart_rates=True): the reference for
hrdrift's own merge (crates/ingest/tests/it/swim_hr.rs). Writes swim_hr.json
beside it: [[unix seconds, bpm or null], ...] in record order.

Usage: /tmp/sdkvenv/bin/python tests/expected/gen_swim_hr.py   (garmin-fit-sdk==21.218.0)
"""

import json
import os

from garmin_fit_sdk import Decoder, Stream

HERE = os.path.dirname(os.path.abspath(__file__))
FILE = os.path.join(HERE, "..", "fixtures", "fit", "tormoder-fit", "fitsdk--activity_poolswim_with_hr.fit")

messages, errors = Decoder(Stream.from_file(FILE)).read(merge_heart_rates=True)
assert not errors, errors
rows = [[int(r["timestamp"].timestamp()), r.get("heart_rate")] for r in messages["record_mesgs"]]
with open(os.path.join(HERE, "swim_hr.json"), "w", encoding="utf-8", newline="\n") as fh:
    json.dump({"file": "fit/tormoder-fit/fitsdk--activity_poolswim_with_hr.fit",
               "sdk": "garmin-fit-sdk 21.218.0, merge_heart_rates=True",
               "records": rows}, fh)
    fh.write("\n")
print(len(rows), "records,", sum(1 for r in rows if r[1] is not None), "with HR")
