"""``import_plan`` on what cities publish: the Bintan annex workbooks, Yogyakarta's
tables and layer, a qgis2web export of Rantauprapat. Skipped where the shared real data
is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from kkpr.check import check
from kkpr.errors import MappingNeeded, PlanError
from kkpr.plan.importer import ImportSpec, import_plan
from kkpr.plan.importer.matrix import normal_cell
from kkpr.plan.package import read_plan
from kkpr.plan.validate import errors_of
from tests.plan.importer.real_sources import (
    BINTAN,
    RANTAUPRAPAT,
    YOGYAKARTA,
    write_intensity_table,
    write_qgis2web,
    write_skrk_workbook,
)

needs = pytest.mark.skipif


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def bintan_layer(tmp_path: Path, codes: list[str]) -> Path:
    """A stand-in layer for the Bintan annex (published without geometry): one 100 m
    square per sub-zone column, in longitude/latitude near Bandar Seri Bentan."""
    squares = [
        shapely.box(104.45 + 0.001 * i, 1.05, 104.451 + 0.001 * i, 1.051) for i in range(len(codes))
    ]
    path = tmp_path / "pola_ruang_bsb.geojson"
    gpd.GeoDataFrame({"KODSZN": codes}, geometry=squares, crs="EPSG:4326").to_file(path)
    return path


@needs(not BINTAN.is_dir(), reason=f"{BINTAN} is absent")
def test_bintan_workbook_becomes_the_published_matrix(tmp_path: Path) -> None:
    flat = BINTAN / "itbx_bsb_lampiran_xv.csv"
    with flat.open(encoding="utf-8") as f:
        codes = next(csv.reader(f))[2:]
    out = tmp_path / "bsb"
    result = import_plan(
        ImportSpec(
            layer=bintan_layer(tmp_path, codes),
            itbx=BINTAN / "lampiran_xv_bsb.xlsx",
            out=out,
            plan_id="bintan-bsb",
            name="RDTR WP Bandar Seri Bentan",
            intensity=BINTAN / "intensitas_v4.csv",
        )
    )
    # every cell of the workbook equals the published flattened table (',' -> ';');
    # its three empty cells (R-2 of three clay industries) are reported where they are
    written = _csv(out / "itbx.csv")
    published = _csv(flat)
    assert len(written) == len(published) == 1801
    empty = {(n.row, n.column) for n in result.notes if n.code == "import.empty_cell"}
    differing = []
    for w, p in zip(written, published, strict=True):
        if p["kode_kegiatan"] != "-":
            assert w["kode_kegiatan"] == p["kode_kegiatan"]
        for code in codes:
            if w[code] != normal_cell(p[code]):
                differing.append((w["kode_kegiatan"], code, w[code], p[code]))
    assert differing == []
    assert empty == {(539, "Y"), (540, "Y"), (541, "Y")}
    assert [w["R-2"] for w in written if w["kegiatan"].startswith("Industri Genteng")] == [""]
    # the eight '-' rows get codes of their own, reported where the workbook has them
    placeholders = [n for n in result.notes if n.code == "import.placeholder_code"]
    assert [n.row for n in placeholders] == list(range(1808, 1816))
    assert written[-8]["kode_kegiatan"] == "RUMAH-TINGGAL"
    assert len({w["kode_kegiatan"] for w in written}) == 1801
    # KBLI rows map to themselves; the legend under the table gives T1-T3, B1-B3, T, B
    kbli = _csv(out / "kbli.csv")
    assert len(kbli) == 1793 and kbli[0] == {
        "kbli": "01111",
        "judul": "Pertanian Jagung",
        "kode_kegiatan": "01111",
    }
    texts = {r["kode"]: r["teks"] for r in _csv(out / "ketentuan.csv")}
    assert set(texts) == {"T", "T1", "T2", "T3", "B", "B1", "B2", "B3"}
    assert texts["T3"].startswith("Terbatas dengan jarak minimal 100 meter")
    # intensity by sub-zone name; K-1 and KT have two variants each: left out, said
    intensity = {r["kodszn"]: r for r in _csv(out / "intensitas.csv")}
    assert (intensity["R-2"]["kdb"], intensity["R-2"]["klb"], intensity["R-2"]["kdh"]) == (
        "80",
        "2.4",
        "20",
    )
    assert "K-1" not in intensity and "KT" not in intensity
    variants = {
        n.message_en.split()[1] for n in result.notes if n.code == "import.intensity_variants"
    }
    assert variants == {"K-1", "KT"}
    # the two 'B1.B2' typos are warnings located in itbx.csv; its one error is the
    # three blank cells, which the annex must fill or plan.toml declare (issue 18 item 7)
    assert [(p.code, p.row, p.column) for p in errors_of(result.problems)] == [
        ("itbx.empty_cell", 526, "R-2")
    ]
    bad = [(p.row, p.column) for p in result.problems if p.code == "itbx.bad_cell"]
    assert bad == [(1708, "R-4"), (1709, "R-4")]
    # and it is checked: a site inside the R-3 square gets the R-3 cell of KBLI 01111
    plan = read_plan(out)
    assert plan.meta.crs == "EPSG:32648"
    i = codes.index("R-3")
    site = shapely.geometry.mapping(
        shapely.box(104.4502 + 0.001 * i, 1.0502, 104.4508 + 0.001 * i, 1.0508)
    )
    res = check(plan, site, "01111", crs="EPSG:4326")
    assert [p.kodszn for p in res.parts] == ["R-3"] and res.parts[0].cell == "T1"


@needs(not BINTAN.is_dir(), reason=f"{BINTAN} is absent")
def test_legend_file_with_two_plans_keeps_the_last_and_says_so(tmp_path: Path) -> None:
    codes = ["BA", "R-2", "K-2"]
    result = import_plan(
        ImportSpec(
            layer=bintan_layer(tmp_path, codes),
            itbx=BINTAN / "lampiran_xiv_trikora.xlsx",
            out=tmp_path / "trikora",
            plan_id="bintan-trikora",
            name="RDTR Kawasan Wisata Pantai Trikora",
            legend=BINTAN / "catatan.txt",
        )
    )
    twice = [n for n in result.notes if n.code == "import.legend_twice"]
    assert twice and all(n.file == "catatan.txt" and n.row for n in twice)
    texts = {r["kode"]: r["teks"] for r in _csv(tmp_path / "trikora" / "ketentuan.csv")}
    assert "diluar zona/sub zona" in texts["T2"]  # the BSB text, the last in the file


@needs(not YOGYAKARTA.is_dir(), reason=f"{YOGYAKARTA} is absent")
def test_yogyakarta_tables_and_layer(tmp_path: Path) -> None:
    workbook = tmp_path / "skrk_yogyakarta.xlsx"
    activities, subzones = write_skrk_workbook(YOGYAKARTA / "seed.js", workbook)
    assert (activities, subzones) == (147, 15)
    layer = YOGYAKARTA / "rdtr_yogyakarta_sample.geojson"
    spec = ImportSpec(
        layer=layer,
        itbx=workbook,
        out=tmp_path / "jogja",
        plan_id="yogyakarta-rdtr",
        name="RDTR Kota Yogyakarta",
    )
    with pytest.raises(MappingNeeded) as asked:
        import_plan(spec)
    assert asked.value.option == "kodszn_field" and "SIMBOL" in asked.value.found
    assert not spec.out.exists()
    spec.kodszn_field = "SIMBOL"
    result = import_plan(spec)
    notes = {n.code: [m for m in result.notes if m.code == n.code] for n in result.notes}
    assert len(notes["import.empty_cell"]) == 5
    assert all(
        n.file == "skrk_yogyakarta.xlsx [SKRK]" and n.row and n.column
        for n in notes["import.empty_cell"]
    )
    (fffd,) = notes["import.replacement_character"]
    assert "Caf\ufffd" in fffd.message_en
    assert notes["import.no_code_column"]
    assert "EPSG:32749" in notes["import.crs"][0].message_en  # UTM 49S, from lon/lat
    written = _csv(spec.out / "itbx.csv")
    assert len(written) == 147 and len({w["kode_kegiatan"] for w in written}) == 147
    cells = [v for w in written for k, v in w.items() if k not in ("kode_kegiatan", "kegiatan")]
    assert set(cells) == {"I", "T", "B", "X", ""} and cells.count("") == 5
    # bare T and B cells need texts for T and B; none was given: errors, one per code
    by_code = {p.code: p for p in errors_of(result.problems)}
    missing = [p for p in result.problems if p.code == "itbx.no_condition_text"]
    assert sorted(p.message_en.split()[1] for p in missing) == ["B", "T"]
    # the road polygons (JLN) have no column in the SKRK table: said with their ids
    assert "JLN" in by_code["itbx.no_column"].message_en
    assert 'kodszn = "SIMBOL"' in (spec.out / "plan.toml").read_text()
    plan = read_plan(spec.out)
    assert plan.zones.total_bounds[0] > 400_000  # metres, read longitude first
    # with a legend for bare cells the T/B errors are gone
    legend = tmp_path / "legenda.txt"
    legend.write_text("T : Pemanfaatan terbatas (uji)\nB : Pemanfaatan bersyarat (uji)\n")
    # intensity per lot-size class has no place in the format: a sub-zone whose five
    # classes differ is left out and said; one whose classes agree is written
    table = tmp_path / "intensitas_kelas.csv"
    write_intensity_table(YOGYAKARTA / "seed.js", table)
    spec.legend, spec.intensity, spec.overwrite = legend, table, True
    again = import_plan(spec)
    assert not [p for p in again.problems if p.code == "itbx.no_condition_text"]
    varied = {n.message_en.split()[1] for n in again.notes if n.code == "import.intensity_variants"}
    written_codes = {r["kodszn"] for r in _csv(spec.out / "intensitas.csv")}
    assert varied and varied.isdisjoint(written_codes)
    assert varied | written_codes == set(plan.rules.subzones)
    assert "K" in varied  # KDB of K changes with the lot size


@needs(not RANTAUPRAPAT.exists(), reason=f"{RANTAUPRAPAT} is absent")
def test_qgis2web_export_is_read_as_its_layer(tmp_path: Path) -> None:
    export = tmp_path / "RDTR_KOTA_RANTAUPRAPAT_4.js"
    write_qgis2web(RANTAUPRAPAT, export)
    matrix = tmp_path / "itbx.csv"
    matrix.write_text(
        "Kode,Kegiatan,31010000,32112100,32103200\n47111,Minimarket,X,I,T1\n",
        encoding="utf-8",
    )
    (tmp_path / "legenda.txt").write_text("T1 : Luas lantai paling banyak 200 m2\n")
    result = import_plan(
        ImportSpec(
            layer=export,
            itbx=matrix,
            out=tmp_path / "rantauprapat",
            plan_id="rantauprapat-rdtr",
            name="RDTR Kota Rantauprapat",
            legend=tmp_path / "legenda.txt",
        )
    )
    assert errors_of(result.problems) == []
    plan = read_plan(result.root)
    assert len(plan.zones) == 10 and plan.meta.crs == "EPSG:32647"
    source = gpd.read_file(RANTAUPRAPAT)
    shop = source[source["KODSZN"].astype(str).str.startswith("32112100")].geometry.iloc[0]
    radius = shapely.maximum_inscribed_circle(shop)  # centre -> nearest edge
    inner = shapely.Point(radius.coords[0]).buffer(radius.length / 2)
    res = check(plan, shapely.geometry.mapping(inner), "47111", crs="EPSG:4326")
    assert [p.kodszn for p in res.parts] == ["32112100"] and res.outcome == "sesuai"


def test_an_existing_package_is_never_overwritten_by_default(
    tmp_path: Path, mini_plan_dir: Path
) -> None:
    out = tmp_path / "exists"
    out.mkdir()
    (out / "plan.toml").write_text('id = "x"\n')
    spec = ImportSpec(
        layer=mini_plan_dir / "pola_ruang.gpkg",
        itbx=mini_plan_dir / "itbx.csv",
        out=out,
        plan_id="mini-import",
        name="Mini",
    )
    with pytest.raises(PlanError, match="not empty"):
        import_plan(spec)
    assert (out / "plan.toml").read_text() == 'id = "x"\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists"]


def test_a_failing_import_leaves_nothing_behind(tmp_path: Path, mini_plan_dir: Path) -> None:
    bad = tmp_path / "matrix.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(MappingNeeded):
        import_plan(
            ImportSpec(
                layer=mini_plan_dir / "pola_ruang.gpkg",
                itbx=bad,
                out=tmp_path / "new",
                plan_id="mini-import",
                name="Mini",
            )
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.csv"]


def test_a_package_imported_from_its_own_tables_checks_the_same(
    tmp_path: Path, mini_plan_dir: Path
) -> None:
    """Round trip: the mini plan's layer, matrix, legend and intensity imported again
    give the same answers, with the KBLI mapping given as --kbli-map."""
    legend = tmp_path / "legenda.txt"
    legend.write_text(
        "".join(f"{r['kode']} : {r['teks']}\n" for r in _csv(mini_plan_dir / "ketentuan.csv"))
    )
    result = import_plan(
        ImportSpec(
            layer=mini_plan_dir / "pola_ruang.gpkg",
            itbx=mini_plan_dir / "itbx.csv",
            out=tmp_path / "again",
            plan_id="mini-again",
            name="Mini",
            crs="EPSG:32751",
            legend=legend,
            intensity=mini_plan_dir / "intensitas.csv",
            kbli_map=mini_plan_dir / "kbli.csv",
        )
    )
    assert errors_of(result.problems) == []
    original, again = read_plan(mini_plan_dir), read_plan(result.root)
    assert again.rules.itbx == original.rules.itbx
    assert again.rules.intensity == original.rules.intensity
    assert {k: e.kode_kegiatan for k, e in again.rules.kbli.items()} == {
        k: e.kode_kegiatan for k, e in original.rules.kbli.items()
    }
    site = shapely.geometry.mapping(shapely.box(560_090, 8_870_040, 560_130, 8_870_080))
    for kbli in original.rules.kbli:
        a, b = (
            check(original, site, kbli, crs="EPSG:32751"),
            check(again, site, kbli, crs="EPSG:32751"),
        )
        assert (a.outcome, [p.cell for p in a.parts]) == (b.outcome, [p.cell for p in b.parts])


@needs(not BINTAN.is_dir(), reason=f"{BINTAN} is absent")
def test_a_published_road_layer_and_gsb_table_come_along(tmp_path: Path) -> None:
    """``--roads`` and ``--gsb``: a KUGI JALAN_LN layer (as published, in lon/lat) is
    written as jaringan_jalan.gpkg and the table as gsb.csv; a check then gives the GSB
    of the road the site fronts. A road layer without classes is reported, not fixed."""
    export = tmp_path / "RDTR_KOTA_RANTAUPRAPAT_4.js"
    write_qgis2web(RANTAUPRAPAT, export)
    matrix = tmp_path / "itbx.csv"
    matrix.write_text("Kode,Kegiatan,31010000,32112100,32103200\n47111,Minimarket,X,I,I\n")
    source = gpd.read_file(RANTAUPRAPAT)
    shop = source[source["KODSZN"].astype(str).str.startswith("32112100")].geometry.iloc[0]
    edge = shapely.LineString(shapely.get_coordinates(shop.exterior if hasattr(shop, "exterior")
                                                      else shop.geoms[0].exterior)[:2])  # fmt: skip
    roads = tmp_path / "jalan.geojson"
    gpd.GeoDataFrame(
        {"NAMRJL": ["Jalan Uji"], "FGSRJL": ["Kolektor Sekunder"], "KLSRJL": ["III"],
         "STARJL": ["Jalan Kabupaten"]},
        geometry=[edge], crs="EPSG:4326",
    ).to_file(roads)  # fmt: skip
    gsb = tmp_path / "gsb_kabupaten.csv"
    gsb.write_text("fungsi,gsb,jbb\nKolektor Sekunder,7,2\n", encoding="utf-8")
    spec = ImportSpec(
        layer=export, itbx=matrix, out=tmp_path / "rp", plan_id="rp", name="RDTR uji",
        roads=roads, gsb=gsb,
    )  # fmt: skip
    result = import_plan(spec)
    assert errors_of(result.problems) == []
    plan = read_plan(result.root)
    assert plan.roads is not None and plan.roads.iloc[0].fungsi == "Kolektor Sekunder"
    res = check(plan, shapely.geometry.mapping(shop), "47111", crs="EPSG:4326")
    front = next(s for s in res.setbacks if s.kind == "frontage")
    assert (front.nama, front.gsb, front.jbb) == ("Jalan Uji", 7.0, 2.0)
    # the same road without its function, class or status: a located error
    gpd.GeoDataFrame({"NAMRJL": ["Jalan Uji"]}, geometry=[edge], crs="EPSG:4326").to_file(roads)
    spec.overwrite = True
    problems = import_plan(spec).problems
    assert [p.code for p in errors_of(problems)] == ["roads.no_class"]
