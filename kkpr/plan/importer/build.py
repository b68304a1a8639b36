"""``import_plan``: a plan package written from what a city publishes, then validated.

The package is written into a new folder beside the target and moved into place only
when complete, so an import that fails leaves nothing half-written and never touches
an existing package (``overwrite`` replaces one only at the very end).
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kkpr.errors import PlanError, Problem
from kkpr.plan.importer.intensity import IntensityTable, read_intensity
from kkpr.plan.importer.layer import Layer, read_source_layer, with_codes
from kkpr.plan.importer.legend import Legend, legend_file, legend_rows
from kkpr.plan.importer.matrix import Matrix, Progress, find_columns, read_matrix
from kkpr.plan.importer.tables import read_sheet
from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.plan.meta import PLAN_ID_RULE, valid_plan_id
from kkpr.plan.roads import GSB_TABLE, ROADS_LAYER
from kkpr.plan.validate import validate_dir


@dataclass
class ImportSpec:
    """What to import and how its columns map; None means 'find it' (or ask)."""

    layer: Path
    itbx: Path
    out: Path
    plan_id: str
    name: str
    crs: str | None = None  # metric CRS of the plan; None: the UTM zone of the layer
    layer_crs: str | None = None  # for a layer that declares none
    kodszn_field: str | None = None
    itbx_sheet: str | None = None
    header_row: int | None = None  # 1-based row of the sub-zone codes
    kegiatan_column: str | None = None
    kode_column: str | None = None
    legend: Path | None = None  # T/B texts; None: the legend printed in the matrix sheet
    intensity: Path | None = None
    intensity_sheet: str | None = None
    intensity_subzone_column: str | None = None
    intensity_columns: dict[str, str] = field(default_factory=dict)
    kbli_map: Path | None = None  # CSV kbli,kode_kegiatan for activities without KBLI
    roads: Path | None = None  # the road layer (KUGI JALAN_LN), any format GDAL reads
    gsb: Path | None = None  # the GSB table by road class (CSV, as gsb.csv)
    region_code: str = ""
    legal_basis: str = ""
    effective_from: date | None = None
    overwrite: bool = False


@dataclass
class ImportResult:
    root: Path
    notes: list[Problem]  # what the import met in the sources
    problems: list[Problem]  # ``plan validate`` of the written package


def import_plan(spec: ImportSpec, progress: Progress | None = None) -> ImportResult:
    def step(label: str, done: int, total: int) -> None:
        if progress:
            progress(label, done, total)

    if not valid_plan_id(spec.plan_id):
        raise PlanError(
            f"id rencana {spec.plan_id!r} tidak sah: {PLAN_ID_RULE[0]}",
            f"Plan id {spec.plan_id!r} is not valid: {PLAN_ID_RULE[1]}",
            where="--id",
        )
    if spec.out.exists() and any(spec.out.iterdir()) and not spec.overwrite:
        raise PlanError(
            "Folder tujuan sudah berisi; tidak ditimpa",
            "The target folder is not empty; it is not overwritten",
            where=str(spec.out),
            hint_id="Pilih folder baru atau pakai --overwrite",
            hint_en="Choose a new folder or use --overwrite",
        )
    step("lapisan / layer", 0, 1)
    frame = read_source_layer(spec.layer, spec.layer_crs)
    layer = with_codes(frame, spec.layer.name, spec.kodszn_field)
    crs, crs_note = _plan_crs(layer, spec.crs)
    step("lapisan / layer", 1, 1)
    sheet = read_sheet(spec.itbx, spec.itbx_sheet)
    columns = find_columns(
        sheet,
        layer.codes,
        header_row=spec.header_row,
        kegiatan=spec.kegiatan_column,
        kode=spec.kode_column,
    )
    matrix = read_matrix(sheet, columns, progress)
    legend = legend_file(spec.legend) if spec.legend else legend_rows(sheet.rows, sheet.source)
    intensity = (
        read_intensity(
            read_sheet(spec.intensity, spec.intensity_sheet),
            matrix,
            subzone_column=spec.intensity_subzone_column,
            columns=spec.intensity_columns,
        )
        if spec.intensity
        else None
    )
    kbli_rows = _kbli_rows(matrix, spec.kbli_map)
    roads = read_source_layer(spec.roads, spec.layer_crs) if spec.roads else None
    notes = [crs_note, *matrix.notes, *legend.notes, *(intensity.notes if intensity else [])]

    spec.out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.out.name}-", dir=spec.out.parent))
    try:
        step("menulis / writing", 0, 1)
        _write_toml(staging, spec, crs, layer)
        _write_itbx(staging, matrix)
        _write_csv(staging / "kbli.csv", ["kbli", "judul", "kode_kegiatan"], kbli_rows)
        _write_conditions(staging, legend)
        if intensity is not None:
            _write_intensity(staging, intensity)
        layer.frame.to_file(staging / "pola_ruang.gpkg", driver="GPKG")
        if roads is not None:  # as published: validation says what it lacks
            roads.to_file(staging / f"{ROADS_LAYER}.gpkg", driver="GPKG")
        if spec.gsb is not None:
            shutil.copyfile(spec.gsb, staging / GSB_TABLE)
        step("menulis / writing", 1, 1)
        if spec.out.exists():
            shutil.rmtree(spec.out)
        staging.rename(spec.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    step("memeriksa / validating", 0, 1)
    _plan, problems = validate_dir(spec.out)
    step("memeriksa / validating", 1, 1)
    return ImportResult(spec.out, notes, problems)


def _plan_crs(layer: Layer, given: str | None) -> tuple[str, Problem]:
    frame = layer.frame
    if given:
        crs = given
        how_id, how_en = "sesuai --crs", "as given by --crs"
    elif frame.crs is not None and frame.crs.is_projected:
        crs = frame.crs.to_string()
        how_id, how_en = "CRS lapisan", "the layer's CRS"
    else:
        crs = frame.estimate_utm_crs().to_string()
        how_id = "zona UTM dari cakupan lapisan (lapisan bergeografis, derajat)"
        how_en = "the UTM zone of the layer's extent (the layer is geographic, in degrees)"
    layer_crs = frame.crs.to_string() if frame.crs is not None else "?"
    note = Problem(
        "import.crs",
        f"CRS rencana {crs}: {how_id}; CRS lapisan {layer_crs}",
        f"Plan CRS {crs}: {how_en}; layer CRS {layer_crs}",
        file=layer.source,
        severity="info",
    )
    return crs, note


def _kbli_rows(matrix: Matrix, kbli_map: Path | None) -> list[list[str]]:
    rows = [[r.kbli, r.kegiatan, r.kode] for r in matrix.rows if r.kbli]
    if kbli_map is None:
        return rows
    names = {r.kode: r.kegiatan for r in matrix.rows}
    sheet = read_sheet(kbli_map)
    head = [c.lower() for c in sheet.rows[0]] if sheet.rows else []
    if "kbli" not in head or "kode_kegiatan" not in head:
        raise PlanError(
            "Pemetaan KBLI perlu kolom kbli dan kode_kegiatan",
            "The KBLI mapping needs the columns kbli and kode_kegiatan",
            where=kbli_map.name,
        )
    k, a = head.index("kbli"), head.index("kode_kegiatan")
    j = head.index("judul") if "judul" in head else None
    for line in sheet.rows[1:]:
        if len(line) <= max(k, a) or not line[k]:
            continue
        kbli, kode = line[k].zfill(5) if line[k].isdigit() else line[k], line[a]
        judul = line[j] if j is not None and j < len(line) else names.get(kode, "")
        rows.append([kbli, judul, kode])
    return rows


def _write_csv(path: Path, head: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(head)
        out.writerows(rows)


def _write_itbx(root: Path, matrix: Matrix) -> None:
    _write_csv(
        root / "itbx.csv",
        ["kode_kegiatan", "kegiatan", *matrix.codes],
        [[r.kode, r.kegiatan, *r.cells] for r in matrix.rows],
    )


def _write_conditions(root: Path, legend: Legend) -> None:
    _write_csv(
        root / "ketentuan.csv",
        ["kode", "teks", "max_floor_area_m2", "max_site_area_m2", "max_floors"],
        [[code, text, "", "", ""] for code, text in sorted(legend.texts.items())],
    )


def _write_intensity(root: Path, table: IntensityTable) -> None:
    _write_csv(
        root / "intensitas.csv",
        ["kodszn", *INTENSITY_FIELDS],
        [
            [code, *(v.get(f, "") for f in INTENSITY_FIELDS)]
            for code, v in sorted(table.rows.items())
        ],
    )


def _write_toml(root: Path, spec: ImportSpec, crs: str, layer: Layer) -> None:
    def s(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = [
        f"# Dibuat oleh / made by `kkpr plan import` dari / from {layer.source}, {spec.itbx.name}",
        f"id = {s(spec.plan_id)}",
        f"name = {s(spec.name)}",
        f"region_code = {s(spec.region_code)}",
        f"legal_basis = {s(spec.legal_basis)}",
    ]
    if spec.effective_from:
        lines.append(f"effective_from = {spec.effective_from.isoformat()}")
    lines.append(f"crs = {s(crs)}")
    if layer.field.lower() != "kodszn":
        lines += ["", "[fields]", f"kodszn = {s(layer.field)}"]
    (root / "plan.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
