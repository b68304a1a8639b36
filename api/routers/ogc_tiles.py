"""OGC API - Tiles: Mapbox Vector Tiles of zones, overlays and the RTRW in the
``WebMercatorQuad`` tile matrix set (EPSG:3857, 256-pixel tiles, levels 0-24).

``/ogc/collections/{id}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}``
answers ``application/vnd.mapbox-vector-tile`` with one layer named after the
collection and the properties a map popup needs (``kkpr.store.tiles``), or 204 where
nothing lies in the tile. The maps of the service draw from these tiles. A tile's ETag
names the plan version (versions never change); ``?v=<version>`` makes it immutable.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from api.deps import AppState, StateDep
from api.errors import responses
from api.routers.ogc import CollectionId, as_400, base_url, find_collection
from kkpr.errors import NotFound
from kkpr.store import tiles
from kkpr.store.base import TileSource

router = APIRouter(prefix="/ogc", tags=["ogc"])
MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
Level = Annotated[int, Path(ge=0, le=tiles.MAX_ZOOM)]
Index = Annotated[int, Path(ge=0, le=2**tiles.MAX_ZOOM - 1)]
# a URL that names the version (?v=) is the same tile for ever; one that does not is
# kept a short while and then asked again with its ETag (a 304 when unchanged)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300"


def tile_source(state: AppState) -> TileSource:
    if not isinstance(state.store, TileSource):
        raise NotFound(
            "Penyimpanan ini tidak menyajikan ubin vektor",
            "This store does not serve vector tiles",
            where="tiles",
        )
    return state.store


def tile_matrix_set() -> dict[str, Any]:
    """The WebMercatorQuad definition (OGC Two Dimensional Tile Matrix Set 2.0)."""
    size = 2 * tiles.HALF_WORLD
    matrices = []
    for z in range(tiles.MAX_ZOOM + 1):
        cell = size / 256 / (1 << z)
        matrices.append(
            {
                "id": str(z),
                "scaleDenominator": cell / 0.00028,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-tiles.HALF_WORLD, tiles.HALF_WORLD],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 1 << z,
                "matrixHeight": 1 << z,
            }
        )
    return {
        "id": TMS_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }


@router.get("/tileMatrixSets", summary="Set matriks ubin / tile matrix sets")
def tile_matrix_sets(request: Request) -> dict[str, Any]:
    href = f"{base_url(request)}/tileMatrixSets/{TMS_ID}"
    return {
        "tileMatrixSets": [
            {
                "id": TMS_ID,
                "title": "WebMercatorQuad",
                "uri": TMS_URI,
                "links": [{"href": href, "rel": "self", "type": "application/json"}],
            }
        ]
    }


@router.get(
    "/tileMatrixSets/{tms_id}",
    responses=responses(404),
    summary="Definisi WebMercatorQuad / the WebMercatorQuad definition",
)
def get_tile_matrix_set(tms_id: Annotated[str, Path(max_length=50)]) -> dict[str, Any]:
    _check_tms(tms_id)
    return tile_matrix_set()


def _check_tms(tms_id: str) -> None:
    if tms_id != TMS_ID:
        raise NotFound(
            f"Set matriks ubin {tms_id!r} tidak ada",
            f"Tile matrix set {tms_id!r} does not exist",
            where="tileMatrixSetId",
            hint_id=f"Yang ada: {TMS_ID}",
            hint_en=f"Available: {TMS_ID}",
        )


def _tileset(collection_id: str, info: dict[str, Any], base: str) -> dict[str, Any]:
    href = f"{base}/collections/{collection_id}/tiles/{TMS_ID}"
    out: dict[str, Any] = {
        "title": f"{info.get('title', collection_id)} (MVT)",
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "layers": [{"id": collection_id, "dataType": "vector", "geometryDimension": 2}],
        "links": [
            {"href": href, "rel": "self", "type": "application/json"},
            {
                "href": f"{base}/tileMatrixSets/{TMS_ID}",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                "type": "application/json",
            },
            {
                "href": href + "/{tileMatrix}/{tileRow}/{tileCol}",
                "rel": "item",
                "type": MVT,
                "templated": True,
            },
        ],
    }
    if info.get("bbox"):
        out["boundingBox"] = {
            "lowerLeft": info["bbox"][:2],
            "upperRight": info["bbox"][2:],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
    return out


@router.get(
    "/collections/{collection_id}/tiles",
    responses=responses(404),
    summary="Set ubin koleksi / the collection's tilesets",
)
def tilesets(collection_id: CollectionId, request: Request, state: StateDep) -> dict[str, Any]:
    info = find_collection(state, collection_id)
    return {"tilesets": [_tileset(collection_id, info, base_url(request))]}


@router.get(
    "/collections/{collection_id}/tiles/{tms_id}",
    responses=responses(404),
    summary="Metadata set ubin / tileset metadata",
)
def tileset(
    collection_id: CollectionId,
    tms_id: Annotated[str, Path(max_length=50)],
    request: Request,
    state: StateDep,
) -> dict[str, Any]:
    _check_tms(tms_id)
    info = find_collection(state, collection_id)
    return _tileset(collection_id, info, base_url(request))


@router.get(
    "/collections/{collection_id}/tiles/{tms_id}/{tile_matrix}/{tile_row}/{tile_col}",
    response_class=Response,
    responses={
        200: {"content": {MVT: {}}, "description": "A Mapbox Vector Tile"},
        204: {"description": "Nothing of the collection lies in this tile"},
        **responses(400, 404),
    },
    summary="Satu ubin vektor / one vector tile",
)
def tile(
    collection_id: CollectionId,
    tms_id: Annotated[str, Path(max_length=50)],
    tile_matrix: Level,
    tile_row: Index,
    tile_col: Index,
    state: StateDep,
    v: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The plan version the tile is asked of (the maps send it): "
            "when it is the active one the answer may be cached for ever",
        ),
    ] = None,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    _check_tms(tms_id)
    info = find_collection(state, collection_id)
    source = tile_source(state)
    version = f"{info.get('plan_id')}-{info.get('plan_version')}"
    headers = {
        "Cache-Control": IMMUTABLE
        if v is not None and v == str(info.get("plan_version"))
        else REVALIDATE,
        "ETag": f'"{version}-{collection_id}-{tile_matrix}-{tile_row}-{tile_col}"',
    }
    if if_none_match and headers["ETag"] in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    body = as_400(lambda: source.tile(collection_id, tile_matrix, tile_col, tile_row))
    if not body:
        return Response(status_code=204, headers=headers)
    return Response(body, media_type=MVT, headers=headers)
