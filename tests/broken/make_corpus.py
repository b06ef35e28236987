#!/usr/bin/env python3
"""Writes the broken-input corpus (tests/broken/corpus/) from real fixtures, deterministically.

Each file's name says how it was damaged; MANIFEST.json gives, per file, what an importer must do:
  "import"  - a good file: imported;
  "keep"    - damaged after good data: imported with what came before the damage;
  "fail"    - nothing usable: reported as failed with a cause;
  "either"  - damaged so that whether anything survives depends on where the cut fell.
Usage: python3 tests/broken/make_corpus.py [FIXTURES_DIR]   (default tests/fixtures)
"""
import gzip, json, os, random, struct, sys, pathlib

root = pathlib.Path(__file__).resolve().parent
fixtures = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "../../tests/fixtures").resolve()
out = root / "corpus"
out.mkdir(exist_ok=True)
for old in out.iterdir():
    old.unlink()
rng = random.Random(20261125)
manifest = {}

def put(name, data, expect):
    (out / name).write_bytes(data)
    manifest[name] = expect

def fit_crc(data):
    table = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]
    crc = 0
    for b in data:
        tmp = table[crc & 0xF]; crc = (crc >> 4) & 0x0FFF; crc = crc ^ tmp ^ table[b & 0xF]
        tmp = table[crc & 0xF]; crc = (crc >> 4) & 0x0FFF; crc = crc ^ tmp ^ table[(b >> 4) & 0xF]
    return crc

FIT = ["fit/runpandas/run.fit", "fit/python-fitparse/2013-02-06-12-11-14.fit",
       "fit/tormoder-fit/misc--0134902991.fit", "fit/python-fitparse/20170518-191602-1740899583.fit"]
for rel in FIT:
    data = (fixtures / rel).read_bytes()
    stem = pathlib.Path(rel).stem
    put(f"{stem}.good.fit", data, "import")
    hs = data[0]
    for frac in (0.25, 0.5, 0.9):
        put(f"{stem}.cut{int(frac*100)}.fit", data[: int(len(data) * frac)], "keep")
    put(f"{stem}.cut-in-header.fit", data[: hs - 3], "fail")
    flipped = bytearray(data)
    for _ in range(8):
        i = rng.randrange(hs, len(data) - 2)
        flipped[i] ^= 1 << rng.randrange(8)
    put(f"{stem}.flipped.fit", bytes(flipped), "either")
    bad_crc = bytearray(data); bad_crc[-1] ^= 0xFF; bad_crc[-2] ^= 0x55
    put(f"{stem}.bad-crc.fit", bytes(bad_crc), "import")
    lie = bytearray(data)
    size = struct.unpack_from("<I", lie, 4)[0]
    struct.pack_into("<I", lie, 4, size * 3)
    if hs == 14:
        struct.pack_into("<H", lie, 12, fit_crc(lie[:12]))
    put(f"{stem}.header-too-big.fit", bytes(lie), "keep")
    short = bytearray(data)
    struct.pack_into("<I", short, 4, size // 2)
    if hs == 14:
        struct.pack_into("<H", short, 12, fit_crc(short[:12]))
    put(f"{stem}.header-too-small.fit", bytes(short), "keep")

put("zero-bytes.fit", b"", "fail")
put("zero-bytes.gpx", b"", "fail")
for ext in ("fit", "gpx", "tcx", "fit.gz", "zip"):
    put(f"random.{ext}", bytes(rng.randrange(256) for _ in range(2048)), "fail")

GPX = ["gpx/runpandas/run.gpx", "gpx/georust-gpx/garmin-activity.gpx", "gpx/runpandas/garmin_connect.gpx"]
for rel in GPX:
    data = (fixtures / rel).read_bytes()
    stem = pathlib.Path(rel).stem
    put(f"{stem}.good.gpx", data, "import")
    # Cut in the middle of a tag, after some points.
    cut = data.rfind(b"<trkpt", 0, len(data) * 2 // 3) + 9
    put(f"{stem}.cut-mid-tag.gpx", data[:cut], "keep")
    put(f"{stem}.bom-and-space.gpx", b"\xef\xbb\xbf  \r\n" + data, "import")
    put(f"{stem}.gpx.gz", gzip.compress(data, mtime=0), "import")
    broken_gz = gzip.compress(data, mtime=0)
    put(f"{stem}.broken.gpx.gz", broken_gz[: len(broken_gz) // 2], "fail")

# An undeclared namespace prefix, HR sentinels and timestamps that misbehave, in small GPX files.
def gpx(points, prefix="gpxtpx"):
    body = "".join(
        f'<trkpt lat="46.0" lon="{14 + i * 1e-4:.5f}"><time>{t}</time>'
        f"<extensions><{prefix}:TrackPointExtension><{prefix}:hr>{hr}</{prefix}:hr>"
        f"</{prefix}:TrackPointExtension></extensions></trkpt>"
        for i, (t, hr) in enumerate(points))
    return f'<?xml version="1.0"?><gpx version="1.1" creator="corpus"><trk><type>running</type><trkseg>{body}</trkseg></trk></gpx>'.encode()

base = [f"2021-03-0{1 + i // 3600}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z" for i in range(0, 600, 5)]
put("undeclared-prefix.gpx", gpx([(t, 140) for t in base], prefix="zz"), "import")
put("hr-sentinels.gpx", gpx([(t, [0, 255, 150][i % 3]) for i, t in enumerate(base)]), "import")
back = list(base); back[40], back[41] = back[41], back[40]
put("time-backwards.gpx", gpx([(t, 140) for t in back]), "import")
ahead = list(base); ahead[-1] = "2085-12-21T00:00:00Z"
put("time-years-ahead.gpx", gpx([(t, 140) for t in ahead]), "import")
rep = list(base); rep[10] = rep[9]
put("time-repeated.gpx", gpx([(t, 140) for t in rep]), "import")

TCX = ["tcx/runpandas/run_garmin.tcx", "tcx/runpandas/basic.tcx"]
for rel in TCX:
    data = (fixtures / rel).read_bytes()
    stem = pathlib.Path(rel).stem
    put(f"{stem}.good.tcx", data, "import")
    cut = data.rfind(b"<Trackpoint>", 0, len(data) // 2) + 5
    put(f"{stem}.cut-mid-tag.tcx", data[:cut], "keep")

(root / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
print(f"{len(manifest)} files, {sum(f.stat().st_size for f in out.iterdir()) / 1e6:.1f} MB in {out}")
