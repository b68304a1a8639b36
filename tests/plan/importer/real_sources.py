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


def skrk_records(seed: Path) -> list[dict[str, Any]]:
    """The objects passed to ``Skrk.create(...)`` in ``seed.js``."""
    text = seed.read_text(encoding="utf-8")
    start = text.index("Skrk.create(") + len("Skrk.create(")
    end = text.index(".then(() => console.log('finished populating skrk'))")
    body = text[start:end].rstrip().removesuffix(")")
    quoted = re.sub(r"(?m)^(\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', body)
    return list(json.loads(f"[{quoted}]"))


def write_skrk_workbook(seed: Path, path: Path) -> tuple[int, int]:
    """``seed.js``'s ITBX table as an .xlsx; returns (activities, sub-zones)."""
    import openpyxl

    records = skrk_records(seed)
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
