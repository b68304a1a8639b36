"""The SYNTHETIC road layer and GSB table of the Kupang sample (not real Kupang roads).

The sample's streets are the edges its blocks share (the generator's street lattice):
each shared edge becomes a road segment with KUGI ``JALAN_LN`` fields. The function
follows what the generator put beside the street: trade and mixed use (K-2, K-3, C-1)
on both sides make an arterial street, on one side (or the city centre and offices,
K-1, KT, SPU-1) a collector street, the rest are local streets. Names are invented from the kelurahan and marked
"(contoh)"; ``REMARK`` says the layer is synthetic. The GSB and JBB of ``gsb.csv`` are
plausible figures for a city RDTR, not an enacted table.

    python zoning_data/kupang/roads.py [--out DIR]   # reads DIR/pola_ruang.gpkg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
REMARK = "SINTETIS: contoh, bukan jaringan jalan Kota Kupang yang sebenarnya"
ARTERIAL = {"K-2", "K-3", "C-1"}
COLLECTOR = {"K-1", "KT", "SPU-1"}
# the roads' KUGI values: FGSRJL (function), KLSRJL (class), STARJL (status)
KINDS = {
    "arteri": ("Arteri Sekunder", "II", "Jalan Kota"),
    "kolektor": ("Kolektor Sekunder", "III", "Jalan Kota"),
    "lokal": ("Lokal Sekunder", "III", "Jalan Kota"),
}
GSB_CSV = """\
fungsi,kelas,status,gsb,jbb,keterangan
Arteri Sekunder,,,10,3,"SINTETIS: contoh, bukan Perwali yang berlaku"
Kolektor Sekunder,,,8,2,"SINTETIS: contoh, bukan Perwali yang berlaku"
Lokal Sekunder,,,5,1.5,"SINTETIS: contoh, bukan Perwali yang berlaku"
Lingkungan Sekunder,,,3,1,"SINTETIS: contoh, bukan Perwali yang berlaku"
"""


def build_roads(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One road segment per edge two blocks share, with its KUGI fields."""
    blocks = zones.dissolve(by="KODBLK", as_index=False)[["KODBLK", "WADMKD", "geometry"]]
    edges = np.asarray(shapely.boundary(blocks.geometry.values), dtype=object)
    tree = shapely.STRtree(edges)
    a, b = tree.query(edges, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.intersection(edges[a], edges[b])
    rows = []
    zone_geoms = np.asarray(zones.geometry.values, dtype=object)
    zone_tree = shapely.STRtree(zone_geoms)
    kodszn = zones["KODSZN"].to_numpy()
    kodblk = zones["KODBLK"].to_numpy()
    names = blocks["KODBLK"].to_numpy()
    for i, j, geom in zip(a.tolist(), b.tolist(), shared, strict=True):
        parts = [p for p in shapely.get_parts(shapely.line_merge(_lines(geom))) if p.length >= 20.0]
        for part in parts:
            beside = zone_tree.query(part.buffer(1.0), predicate="intersects")
            sides = [set(kodszn[beside][kodblk[beside] == names[k]].tolist()) for k in (i, j)]
            if all(side & ARTERIAL for side in sides):
                kind = "arteri"  # trade on both sides: an arterial street
            elif any(side & (COLLECTOR | ARTERIAL) for side in sides):
                kind = "kolektor"
            else:
                kind = "lokal"
            rows.append((part, kind, str(blocks["WADMKD"].iloc[i])))
    frame = gpd.GeoDataFrame(
        {"kind": [r[1] for r in rows], "kelurahan": [r[2] for r in rows]},
        geometry=[r[0] for r in rows],
        crs=zones.crs,
    )
    frame = frame.sort_values(["kelurahan", "kind"], kind="stable").reset_index(drop=True)
    counts: dict[tuple[str, str], int] = {}
    names = []
    for kind, kel in zip(frame["kind"], frame["kelurahan"], strict=True):
        n = counts[(kel, kind)] = counts.get((kel, kind), 0) + 1
        names.append(f"Jalan {kind.capitalize()} {kel} {n} (contoh)")
    return gpd.GeoDataFrame(
        {
            "NAMRJL": names,
            "FGSRJL": [KINDS[k][0] for k in frame["kind"]],
            "KLSRJL": [KINDS[k][1] for k in frame["kind"]],
            "STARJL": [KINDS[k][2] for k in frame["kind"]],
            "WADMKD": frame["kelurahan"].tolist(),
            "REMARK": [REMARK] * len(frame),
        },
        geometry=frame.geometry.values,
        crs=zones.crs,
    )


def _lines(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("LineString", "MultiLineString")]
    return shapely.union_all(parts) if parts else shapely.MultiLineString()


def write_roads(out: Path) -> None:
    """``jaringan_jalan.gpkg`` and ``gsb.csv`` beside ``out``'s pola_ruang.gpkg."""
    zones = gpd.read_file(out / "pola_ruang.gpkg", engine="pyogrio")
    roads = build_roads(zones)
    path = out / "jaringan_jalan.gpkg"
    path.unlink(missing_ok=True)
    roads.to_file(path, layer="jaringan_jalan", driver="GPKG", engine="pyogrio")
    (out / "gsb.csv").write_text(GSB_CSV, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    # GeoPackages carry a timestamp: pinned so that regenerating gives identical files
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2023-01-01T00:00:00.000Z"})
    write_roads(args.out)
    n = pyogrio.read_info(args.out / "jaringan_jalan.gpkg")["features"]
    print(f"wrote {args.out / 'jaringan_jalan.gpkg'} ({n} road segments) and gsb.csv")


if __name__ == "__main__":
    main()
