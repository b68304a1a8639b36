"""Places to find a plot by, offline: names from the zones and the plan's tempat.csv,
found whole, while typing, and through a typo."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkpr.places import Place, landmark_places, places_from_zones, search_places
from kkpr.plan.landmarks import read_landmarks


def zone(kel: str, kec: str, blk: str, x: float, y: float) -> dict[str, object]:
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"WADMKD": kel, "WADMKC": kec, "KODBLK": blk},
    }


ZONES = [
    zone("Kelapa Lima", "Kelapa Lima", "A.1", 123.60, -10.16),
    zone("Kelapa Lima", "Kelapa Lima", "A.2", 123.62, -10.15),
    zone("Oesapa", "Kelapa Lima", "B.1", 123.64, -10.14),
    zone("Oebobo", "Oebobo", "C.1", 123.58, -10.17),
]


def test_zones_give_villages_districts_and_blocks_with_their_extent() -> None:
    places = places_from_zones(ZONES)
    village = next(p for p in places if p.kind == "kelurahan" and p.name == "Kelapa Lima")
    assert village.bbox == pytest.approx((123.60, -10.16, 123.63, -10.14))  # both zones
    assert village.detail == "Kelapa Lima"  # its kecamatan
    district = next(p for p in places if p.kind == "kecamatan" and p.name == "Kelapa Lima")
    assert district.bbox[2] == pytest.approx(123.65)  # Oesapa lies in it too
    assert {p.name for p in places if p.kind == "blok"} == {"A.1", "A.2", "B.1", "C.1"}


def test_search_finds_whole_names_beginnings_and_typos() -> None:
    places = places_from_zones(ZONES)
    assert search_places(places, "oebobo")[0].name == "Oebobo"
    assert search_places(places, "oes")[0].name == "Oesapa"  # while typing
    assert search_places(places, "kelapa lma")[0].name == "Kelapa Lima"  # a typo
    assert search_places(places, "oesappa")[0].name == "Oesapa"
    first = search_places(places, "kelapa lima")
    assert [p.kind for p in first[:2]] == ["kelurahan", "kecamatan"]  # the village first
    assert search_places(places, "jakarta") == []
    assert search_places(places, "") == []


def test_landmarks_and_streets_from_tempat_csv(tmp_path: Path) -> None:
    path = tmp_path / "tempat.csv"
    path.write_text(
        "nama,jenis,lat,lon\n"
        "Pasar Kuanino,pasar,-10.17,123.58\n"
        "Jalan Timor Raya,jalan,-10.15,123.61\n"
        "Tanpa koordinat,pasar,,\n"
        ",pasar,-10.1,123.5\n",
        encoding="utf-8",
    )
    marks = landmark_places(read_landmarks(tmp_path))
    assert marks == [
        Place("Pasar Kuanino", "tempat", (123.58, -10.17, 123.58, -10.17), "pasar"),
        Place("Jalan Timor Raya", "jalan", (123.61, -10.15, 123.61, -10.15), "jalan"),
    ]
    assert search_places(marks, "jl timor")[0].name == "Jalan Timor Raya"  # "jl." is jalan
    assert read_landmarks(tmp_path / "no package") == ()


def test_streets_of_the_plans_road_layer_are_found_through_a_typo(tmp_path: Path) -> None:
    """Issue 19: the named streets of jaringan_jalan (NAMRJL here) join the search, the
    segments of one street as one place spanning them all."""
    from kkpr.places import places_from_roads
    from kkpr.plan.package import read_plan
    from kkpr.store.memory import MemoryStore
    from tests.roads_plan import write_roads_plan

    store = MemoryStore(read_plan(write_roads_plan(tmp_path / "plan")))
    streets = places_from_roads(store.road_rows(), store.crs)
    names = sorted(p.name for p in streets)
    assert names == ["Jalan Uji Arteri", "Jalan Uji Lingkungan", "Jalan Uji Lokal",
                     "Jalan Uji Taman"]  # fmt: skip
    arteri = next(p for p in streets if p.name == "Jalan Uji Arteri")
    assert (arteri.kind, arteri.detail) == ("jalan", "Arteri Sekunder")
    west, _s, east, _n = arteri.bbox  # both segments: x -10..310 m, about 0.003°
    assert 0.0025 < east - west < 0.0035
    assert all(isinstance(v, float) for v in arteri.bbox)
    places = places_from_zones(ZONES) + streets
    assert search_places(places, "jl uji arteri")[0].name == "Jalan Uji Arteri"
    assert search_places(places, "jalan uji artri")[0].name == "Jalan Uji Arteri"  # a typo
    assert search_places(places, "uji lok")[0].name == "Jalan Uji Lokal"  # while typing
    assert places_from_roads([], store.crs) == []  # a plan without roads: no streets
