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
    """One road segment per edge two blocks share, with its KUGI fields (vectorised:
    the 500,000-zone benchmark plans get their roads too)."""
    blocks = zones.dissolve(by="KODBLK", as_index=False)[["KODBLK", "WADMKD", "geometry"]]
    edges = np.asarray(shapely.boundary(blocks.geometry.values), dtype=object)
    a, b = shapely.STRtree(edges).query(edges, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.intersection(edges[a], edges[b])
    # the lines of each shared edge (touching corners are points), merged, long enough
    parts, owner = shapely.get_parts(shared, return_index=True)
    lines = np.isin(shapely.get_type_id(parts), (1, 5))
    parts, owner = parts[lines], owner[lines]
    pair, index = np.unique(owner, return_inverse=True)
    merged = shapely.line_merge(shapely.multilinestrings(parts, indices=index))
    segs, which = shapely.get_parts(merged, return_index=True)
    which = pair[which]
    long = shapely.length(segs) >= 20.0
    segs, which = segs[long], which[long]
    # the sub-zones beside each segment, on each of its two blocks
    zone_geoms = np.asarray(zones.geometry.values, dtype=object)
    kodszn = zones["KODSZN"].to_numpy()
    kodblk = zones["KODBLK"].to_numpy()
    names = blocks["KODBLK"].to_numpy()
    seg_i, zone_j = shapely.STRtree(zone_geoms).query(
        shapely.buffer(segs, 1.0), predicate="intersects"
    )
    art = np.isin(kodszn[zone_j], list(ARTERIAL))
    col = np.isin(kodszn[zone_j], list(COLLECTOR | ARTERIAL))
    flags = np.zeros((len(segs), 2, 2), dtype=bool)  # segment, side (block a, b), art/col
    for side, blk in enumerate((a[which], b[which])):
        on = kodblk[zone_j] == names[blk][seg_i]
        np.logical_or.at(flags[:, side, 0], seg_i[on], art[on])
        np.logical_or.at(flags[:, side, 1], seg_i[on], col[on])
    kind = np.where(
        flags[:, 0, 0] & flags[:, 1, 0],  # trade on both sides: an arterial street
        "arteri",
        np.where(flags[:, :, 1].any(axis=1), "kolektor", "lokal"),
    )
    frame = gpd.GeoDataFrame(
        {"kind": kind, "kelurahan": blocks["WADMKD"].to_numpy()[a[which]].astype(str)},
        geometry=segs,
        crs=zones.crs,
    )
    frame = frame.sort_values(["kelurahan", "kind"], kind="stable").reset_index(drop=True)
    counts: dict[tuple[str, str], int] = {}
    labels = []
    for street, kel in zip(frame["kind"], frame["kelurahan"], strict=True):
        n = counts[(kel, street)] = counts.get((kel, street), 0) + 1
        labels.append(f"Jalan {street.capitalize()} {kel} {n} (contoh)")
    return gpd.GeoDataFrame(
        {
            "NAMRJL": labels,
            "FGSRJL": [KINDS[k][0] for k in frame["kind"]],
            "KLSRJL": [KINDS[k][1] for k in frame["kind"]],
            "STARJL": [KINDS[k][2] for k in frame["kind"]],
            "WADMKD": frame["kelurahan"].tolist(),
            "REMARK": [REMARK] * len(frame),
        },
        geometry=frame.geometry.values,
        crs=zones.crs,
    )


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
