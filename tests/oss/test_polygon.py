"""The site polygon from OSS's numbered "latitude, longitude" vertices."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from kkpr.oss.fields import OssValueError
from kkpr.oss.polygon import ring_from_vertices, vertices_of

SQUARE = [
    {"serial": 1, "lat_lng": "-10.1665151, 123.6061293"},
    {"serial": 2, "lat_lng": "-10.1662618, 123.6061288"},
    {"serial": 3, "lat_lng": "-10.1662623, 123.6058732"},
    {"serial": 4, "lat_lng": "-10.1665155, 123.6058737"},
]


def test_vertices_are_ordered_by_serial_and_closed() -> None:
    shuffled = [SQUARE[2], SQUARE[0], SQUARE[3], {"serial": "2", "lat_lng": SQUARE[1]["lat_lng"]}]
    polygon = ring_from_vertices(shuffled, "lokasi")
    assert polygon.equals(ring_from_vertices(SQUARE, "lokasi"))
    x, y = polygon.exterior.coords[0]
    assert (x, y) == (123.6061293, -10.1665151)  # longitude first, as GeoJSON is
    assert polygon.exterior.is_closed and polygon.is_valid
    assert ring_from_vertices(
        [*SQUARE, {"serial": 5, "lat_lng": SQUARE[0]["lat_lng"]}], "l"
    ).equals(polygon)


def test_round_trip_through_oss_vertices() -> None:
    polygon = ring_from_vertices(SQUARE, "lokasi")
    again = ring_from_vertices(
        vertices_of({"type": "Polygon", "coordinates": [list(polygon.exterior.coords)]}), "l"
    )
    assert again.symmetric_difference(shape(polygon.__geo_interface__)).area < 1e-14


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("123.6061293, -10.1665151", "swapped"),  # longitude first
        ("-10,1665151; 123,6061293", "is not"),  # decimal commas
        ("-10.1665151 123.6061293", "is not"),
        ("", "is not"),
        ("-95.0, 123.6", "outside -90..90"),
    ],
)
def test_a_vertex_not_written_as_documented_is_refused_by_its_serial(text: str, said: str) -> None:
    vertices = [*SQUARE[:2], {"serial": 3, "lat_lng": text}, SQUARE[3]]
    with pytest.raises(OssValueError) as caught:
        ring_from_vertices(
            vertices, "dataNIB.data_proyek[0].data_lokasi_proyek[0].data_lokasi_proyek"
        )
    assert said in caught.value.message_en
    assert "[serial 3].lat_lng" in caught.value.where


def test_rings_that_are_no_polygon_are_refused() -> None:
    with pytest.raises(OssValueError, match="used twice"):
        ring_from_vertices([*SQUARE, {"serial": 2, "lat_lng": "-10.1, 123.6"}], "l")
    with pytest.raises(OssValueError, match="at least 3"):
        ring_from_vertices(SQUARE[:2], "l")
    bowtie = [SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3]]
    bowtie = [{"serial": i, "lat_lng": v["lat_lng"]} for i, v in enumerate(bowtie, 1)]
    with pytest.raises(OssValueError, match=r"Self-intersection"):
        ring_from_vertices(bowtie, "l")
    with pytest.raises(OssValueError, match="integer"):
        ring_from_vertices([{"serial": "satu", "lat_lng": "-10.1, 123.6"}], "l")
