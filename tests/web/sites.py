"""The Kupang example sites as a browser test needs them: files of every upload kind,
and what the API itself answers for each, to compare with what the page shows."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import shapely
from shapely.geometry import shape

from kkpr.settings import SAMPLE_PLAN_DIR

EXAMPLES = SAMPLE_PLAN_DIR / "examples"

# the three sites a new user checks, and the outcome each was generated to give
CONFORMING = "k1_minimarket"  # a minimarket in a city-scale trade zone: I
CONDITIONAL = "r_minimarket_terbatas"  # a minimarket in housing: T
FORBIDDEN = "rth_minimarket_dilarang"  # a minimarket in a city park: X
TO_REVIEW = "sebagian_di_luar_rdtr"  # partly outside the RDTR: staff review (PKKPR)


def example(name: str) -> dict[str, Any]:
    feature: dict[str, Any] = json.loads((EXAMPLES / f"{name}.geojson").read_text("utf-8"))
    return feature


def centroid_latlon(name: str) -> tuple[float, float]:
    c = shape(example(name)["geometry"]).centroid
    return c.y, c.x


def ring_latlon(name: str) -> list[tuple[float, float]]:
    """The site's exterior ring as (lat, lon), without the closing point."""
    geom = shape(example(name)["geometry"])
    return [(y, x) for x, y in list(geom.exterior.coords)[:-1]]


def frame(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(EXAMPLES / f"{name}.geojson")


def write_kml(name: str, folder: Path) -> Path:
    path = folder / f"{name}.kml"
    frame(name)[["geometry"]].assign(Name=name).to_file(path, driver="KML")
    return path


def write_zipped_shapefile(name: str, folder: Path, *, with_prj: bool = True) -> Path:
    """The site as an ESRI Shapefile in UTM 51S (as GIS staff would send it), zipped."""
    shp_dir = folder / f"{name}-shp"
    shp_dir.mkdir(exist_ok=True)
    frame(name)[["geometry"]].assign(nama=name[:10]).to_crs("EPSG:32751").to_file(
        shp_dir / "tapak.shp", driver="ESRI Shapefile"
    )
    path = folder / f"{name}{'' if with_prj else '-noprj'}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for part in sorted(shp_dir.iterdir()):
            if with_prj or part.suffix != ".prj":
                z.write(part, part.name)
    return path


def api_result(base_url: str, name: str, proposal: dict[str, float]) -> dict[str, Any]:
    """What POST /v1/precheck answers for an example site (the page must show this)."""
    feature = example(name)
    return api_result_for(base_url, feature["geometry"], feature["properties"]["kbli"], proposal)


def api_result_for(
    base_url: str, geometry: dict[str, Any], kbli: str, proposal: dict[str, float]
) -> dict[str, Any]:
    resp = httpx.post(
        f"{base_url}/v1/precheck",
        json={"site": geometry, "kbli": kbli, "proposal": proposal},
        timeout=60,
    )
    resp.raise_for_status()
    body: dict[str, Any] = resp.json()
    return body.get("result", body)


def area_m2(geometry: dict[str, Any]) -> float:
    geom = gpd.GeoSeries([shape(geometry)], crs="EPSG:4326").to_crs("EPSG:32751")
    return float(shapely.area(geom.values[0]))
