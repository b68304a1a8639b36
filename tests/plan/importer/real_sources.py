"""The shared real data as a city would hand it over, for the import tests.

``seed.js`` of Yogyakarta holds its ITBX ("SKRK") table as a JavaScript seed: it is
turned back into the spreadsheet it came from (activity group, activity, one column
per sub-zone). The Rantauprapat sample becomes the qgis2web ``.js`` export it was
taken from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

REAL_DATA = Path(__file__).resolve().parents[4] / "shared" / "real_data"
BINTAN = REAL_DATA / "bintan_itbx"
YOGYAKARTA = REAL_DATA / "yogyakarta"
RANTAUPRAPAT = REAL_DATA / "rdtr_rantauprapat_sample.geojson"


def seed_records(seed: Path, model: str, done: str) -> list[dict[str, Any]]:
    """The objects passed to ``<model>.create(...)`` in ``seed.js`` (up to the log line
    ``finished populating <done>``)."""
    text = seed.read_text(encoding="utf-8")
    start = text.index(f"{model}.create(") + len(f"{model}.create(")
    end = text.index(f".then(() => console.log('finished populating {done}'))")
    body = text[start:end].rstrip().removesuffix(")")
    quoted = re.sub(r"(?m)^(\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', body)
    return list(json.loads(f"[{quoted}]"))


def write_skrk_workbook(seed: Path, path: Path) -> tuple[int, int]:
    """``seed.js``'s ITBX table as an .xlsx; returns (activities, sub-zones)."""
    import openpyxl

    records = seed_records(seed, "Skrk", "skrk")
    codes = list(records[0]["skrk"])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "SKRK"
    sheet.append(["Ketentuan kegiatan dan penggunaan lahan (Perda Kota Yogyakarta 1/2015)"])
    sheet.append([])
    sheet.append(["Zonasi", "Kegiatan", *codes])
    for r in records:
        sheet.append([r["Zonasi"], r["Kegiatan"], *(r["skrk"].get(c, "") for c in codes)])
    book.save(path)
    return len(records), len(codes)


def write_qgis2web(geojson: Path, path: Path) -> None:
    """A GeoJSON layer as qgis2web exports it: ``var json_NAME_1 = {...};``."""
    path.write_text(f"var json_{path.stem} = {geojson.read_text(encoding='utf-8')};\n")


def write_intensity_table(seed: Path, path: Path) -> None:
    """``seed.js``'s intensity table (per lot-size class, five classes) as a CSV: one row
    per class and sub-zone, as the Perda prints it."""
    records = seed_records(seed, "Intensitasruang", "intensitas")
    with path.open("w", encoding="utf-8") as f:
        f.write("Kelas,Keterangan,Sub Zona,KDB,KLB,KDH,Tinggi\n")
        for r in records:
            for code in r["KDB"]:
                values = [r[k].get(code, "") for k in ("KDB", "KLB", "KDH", "Tinggi")]
                f.write(f"{r['Kelas']},{r['Keterangan']},{code},{','.join(map(str, values))}\n")
