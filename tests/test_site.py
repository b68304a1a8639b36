"""kkpr.site: what a site derives from its geometry is worked out once and kept on it
(the API's limits and the store both validate and project the same site), and keeping
it changes no answer."""

from __future__ import annotations

import pickle

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box

from kkpr.errors import InputTooLarge, SiteError
from kkpr.model import Site
from kkpr.site import as_lonlat_geojson, check_site_geometry, to_crs, to_plan_crs
from tests.mini_plan import CRS, X0, Y0

LONLAT = Site(box(123.59, -10.172, 123.5906, -10.1714), "EPSG:4326")


def test_a_valid_site_is_checked_once_and_its_vertex_limit_always() -> None:
    site = Site(box(X0, Y0, X0 + 50, Y0 + 50), CRS)  # 5 vertices
    check_site_geometry(site)
    check_site_geometry(site, max_vertices=5)
    with pytest.raises(InputTooLarge) as exc:  # the remembered check still applies a limit
        check_site_geometry(site, max_vertices=4)
    assert exc.value.where == "geometry.coordinates"
    fresh = Site(box(X0, Y0, X0 + 50, Y0 + 50), CRS)
    with pytest.raises(InputTooLarge) as first:  # the same error as a first check gives
        check_site_geometry(fresh, max_vertices=4)
    assert first.value.to_dict() == exc.value.to_dict()


def test_an_invalid_site_is_refused_every_time() -> None:
    bowtie = Site(Polygon([(X0, Y0), (X0 + 50, Y0 + 50), (X0 + 50, Y0), (X0, Y0 + 50)]), CRS)
    for _ in range(2):
        with pytest.raises(SiteError, match="crosses itself near") as exc:
            check_site_geometry(bowtie)
        # the GEOS reason is kept for software, out of the sentence a person reads
        assert exc.value.extra["reason"].startswith("Self-intersection")
        assert "Self-intersection" not in exc.value.message_en
    far = Site(box(200, 10, 201, 11), "EPSG:4326")  # longitude out of range
    for _ in range(2):
        with pytest.raises(SiteError, match="longitude"):
            check_site_geometry(far)


def test_a_site_is_projected_once_per_crs_and_as_a_fresh_projection() -> None:
    utm = to_plan_crs(LONLAT, CRS)
    assert to_plan_crs(LONLAT, CRS) is utm
    assert shapely.equals_exact(utm, to_crs(LONLAT.geometry, "EPSG:4326", CRS), tolerance=0)
    mercator = to_plan_crs(LONLAT, "EPSG:3857")  # another CRS, its own projection
    assert mercator is not utm and to_plan_crs(LONLAT, "EPSG:3857") is mercator
    assert to_plan_crs(LONLAT, "EPSG:4326") is LONLAT.geometry


def test_what_is_kept_changes_neither_equality_nor_copies() -> None:
    site = Site(box(123.59, -10.172, 123.5906, -10.1714), "EPSG:4326")
    twin = Site(box(123.59, -10.172, 123.5906, -10.1714), "EPSG:4326")
    check_site_geometry(site)
    to_plan_crs(site, CRS)
    assert site == twin and hash(site) == hash(twin) and repr(site) == repr(twin)
    copy = pickle.loads(pickle.dumps(site))  # Dask workers get sites pickled
    assert copy == site
    assert shapely.equals_exact(to_plan_crs(copy, CRS), to_plan_crs(site, CRS), tolerance=0)


def test_a_site_is_given_to_a_web_map_in_longitude_latitude() -> None:
    # a site sent in UTM 51S comes out as RFC 7946 GeoJSON, corner by corner as PROJ has it
    utm = Site(box(X0, Y0, X0 + 80, Y0 + 60), CRS)
    out = as_lonlat_geojson(utm)
    assert out["type"] == "Polygon"
    back = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    corners = list(utm.geometry.exterior.coords)
    assert len(out["coordinates"][0]) == len(corners)
    for (lon, lat), (x, y) in zip(out["coordinates"][0], corners, strict=True):
        assert (lon, lat) == pytest.approx(back.transform(x, y), abs=1e-9)
        assert 123 < lon < 124 and -11 < lat < -10  # Kupang
    # a site already in longitude, latitude is given back as it came
    assert as_lonlat_geojson(LONLAT) == dict(shapely.geometry.mapping(LONLAT.geometry))
