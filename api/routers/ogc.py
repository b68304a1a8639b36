"""OGC API - Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS by reference).

Zones, overlays and (when the plan has it) the RTRW of the active version, for GIS
clients: QGIS and GDAL (``ogrinfo OAPIF:http://host/ogc``) read them as layers.
Coordinates are CRS84 (longitude, latitude) unless ``crs`` names another of the
collection's CRSs; a CRS whose first axis is latitude (EPSG:4326) is answered in
that axis order, as OGC API Part 2 requires, and ``bbox-crs`` is read the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pyproj import CRS

from api.deps import AppState, StateDep
from api.errors import InvalidParameter, responses
from kkpr.errors import InvalidInput, NotFound
from kkpr.store import filters

router = APIRouter(prefix="/ogc", tags=["ogc"])

GEOJSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"
JSON_SCHEMA = "application/schema+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    # api.routers.ogc_tiles
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
# the query parameters of /items that are not properties (anything else must be one)
ITEMS_PARAMS = {"bbox", "bbox-crs", "crs", "limit", "offset", "filter", "filter-lang", "f"}
FILTER_LANGS = ("cql2-text", "cql-text")
CollectionId = Annotated[str, Path(min_length=1, max_length=50, examples=["zones"])]


# ---------------------------------------------------------------- CRS


def crs_uri(crs: str) -> str:
    """``EPSG:32751`` -> its OGC URI; ``EPSG:4326`` as kkpr uses it (lon, lat) is CRS84."""
    return EPSG_URI + crs.split(":", 1)[1]


@lru_cache(maxsize=64)
def _lat_first(code: str) -> bool:
    axes = CRS.from_user_input(f"EPSG:{code}").axis_info
    return bool(axes) and axes[0].direction in ("north", "south")


def parse_crs(value: str, supported: list[str], param: str) -> tuple[str, bool]:
    """An OGC CRS parameter as (kkpr CRS in x, y order, whether to swap axes)."""
    text = value.strip().strip("[]")
    if text in (CRS84, "OGC:CRS84", "CRS84"):
        uri = CRS84
    elif text.upper().startswith("EPSG:"):
        uri = EPSG_URI + text.split(":", 1)[1]
    else:
        uri = text
    if uri not in supported:
        raise InvalidParameter(
            f"CRS {value!r} tidak didukung untuk {param}",
            f"CRS {value!r} is not supported for {param}",
            where=param,
            hint_id="CRS yang didukung: " + ", ".join(supported),
            hint_en="Supported CRSs: " + ", ".join(supported),
        )
    if uri == CRS84:
        return "EPSG:4326", False
    code = uri.removeprefix(EPSG_URI)
    return f"EPSG:{code}", _lat_first(code)


def swap_xy(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [coords[1], coords[0], *coords[2:]]
    return [swap_xy(c) for c in coords]


def _swapped(feature: dict[str, Any]) -> dict[str, Any]:
    geom = feature.get("geometry")
    if not geom:
        return feature
    if geom.get("type") == "GeometryCollection":
        parts = [{**g, "coordinates": swap_xy(g["coordinates"])} for g in geom["geometries"]]
        return {**feature, "geometry": {**geom, "geometries": parts}}
    return {**feature, "geometry": {**geom, "coordinates": swap_xy(geom["coordinates"])}}


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) == 6:  # with heights: minx, miny, minz, maxx, maxy, maxz
        values = [values[0], values[1], values[3], values[4]]
    ok = len(values) == 4 and all(v == v and abs(v) != float("inf") for v in values)
    if not ok or values[0] > values[2] or values[1] > values[3]:
        raise InvalidParameter(
            f"bbox {text!r} tidak sah",
            f"bbox {text!r} is not valid",
            where="bbox",
            hint_id="Tulis minx,miny,maxx,maxy (mis. 123.55,-10.2,123.65,-10.1)",
            hint_en="Write minx,miny,maxx,maxy (e.g. 123.55,-10.2,123.65,-10.1)",
        )
    return values[0], values[1], values[2], values[3]


# ---------------------------------------------------------------- documents


def _collection(info: dict[str, Any], base: str) -> dict[str, Any]:
    cid = info["id"]
    storage = info.get("storage_crs")
    crs_list = [CRS84, EPSG_URI + "4326", EPSG_URI + "3857"]
    if storage and crs_uri(storage) not in crs_list:
        crs_list.append(crs_uri(storage))
    out: dict[str, Any] = {
        "id": cid,
        "title": info.get("title", cid),
        "description": info.get("description", ""),
        "itemType": "feature",
        "crs": crs_list,
        "links": [
            {"href": f"{base}/collections/{cid}", "rel": "self", "type": "application/json"},
            {"href": f"{base}/collections/{cid}/items", "rel": "items", "type": GEOJSON},
            {
                "href": f"{base}/collections/{cid}/queryables",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": JSON_SCHEMA,
                "title": "Properti yang dapat disaring / queryables",
            },
            {
                "href": f"{base}/collections/{cid}/schema",
                "rel": "describedby",
                "type": JSON_SCHEMA,
                "title": "Skema fitur / feature schema",
            },
            {
                "href": f"{base}/collections/{cid}/tiles",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                "type": "application/json",
                "title": "Ubin vektor / vector tiles (MVT)",
            },
            {
                "href": f"{base}/collections/{cid}/styles",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/styles",
                "type": "application/json",
                "title": "Gaya peta (SLD, QML) / map styles",
            },
            # GDAL up to 3.6 matches the relation case-sensitively as "describedBy"
            {"href": f"{base}/collections/{cid}/schema", "rel": "describedBy", "type": JSON_SCHEMA},
        ],
    }
    if storage:
        out["storageCrs"] = crs_uri(storage)
    if info.get("bbox"):
        out["extent"] = {"spatial": {"bbox": [info["bbox"]], "crs": CRS84}}
    if info.get("count") is not None:
        out["numberOfFeatures"] = info["count"]
    return out


def base_url(request: Request) -> str:
    return str(request.url_for("ogc_landing")).rstrip("/")


def find_collection(state: AppState, collection_id: str) -> dict[str, Any]:
    infos = state.features.collections()
    for info in infos:
        if info["id"] == collection_id:
            return info
    raise NotFound(
        f"Koleksi {collection_id!r} tidak ada",
        f"Collection {collection_id!r} does not exist",
        where="collectionId",
        hint_id="Koleksi yang ada: " + ", ".join(i["id"] for i in infos),
        hint_en="Collections: " + ", ".join(i["id"] for i in infos),
    )


@router.get("", name="ogc_landing", summary="Halaman awal / landing page")
@router.get("/", include_in_schema=False)
def landing(request: Request, state: StateDep) -> dict[str, Any]:
    base = base_url(request)
    meta = state.pinned().rules().meta
    return {
        "title": f"kkpr — {meta.name}",
        "description": "Zona, ketentuan khusus dan RTRW versi aktif rencana / zones, "
        "overlays and RTRW of the active plan version (OGC API - Features).",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "Landing page"},
            {"href": f"{base}/api", "rel": "service-desc", "type": OPENAPI_30, "title": "API"},
            {"href": f"{request.base_url}docs", "rel": "service-doc", "type": "text/html"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json"},
            {
                "href": f"{base}/tileMatrixSets",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                "type": "application/json",
            },
        ],
    }


@router.get("/conformance", summary="Kelas kesesuaian / conformance classes")
def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


@router.get(
    "/api",
    response_class=JSONResponse,
    responses={200: {"content": {OPENAPI_30: {}}, "description": "OpenAPI 3.0 (JSON)"}},
    summary="Dokumen OpenAPI 3.0 / the OpenAPI 3.0 document",
)
def api_document(request: Request, state: StateDep) -> JSONResponse:
    ids = [c["id"] for c in state.features.collections()]
    types = {cid: state.features.queryables(cid) for cid in ids}
    doc = ogc_document(as_oas30(request.app.openapi()), base_url(request), types)
    return JSONResponse(doc, media_type=OPENAPI_30)


def ogc_document(
    doc: dict[str, Any], base: str, types: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """The OGC API's own OpenAPI document: the paths under ``/ogc`` written from its
    landing page (``servers``), and each collection's items path with its
    queryables as query parameters (how GIS clients learn what they may filter)."""
    prefix = router.prefix
    paths = {
        path.removeprefix(prefix) or "/": item
        for path, item in doc["paths"].items()
        if path == prefix or path.startswith(prefix + "/")
    }
    generic = paths.get("/collections/{collection_id}/items", {}).get("get")
    if generic is not None:
        for cid, props in types.items():
            op = copy.deepcopy(generic)
            op["operationId"] = f"items_{cid}"
            op["parameters"] = [
                p for p in op.get("parameters", []) if p.get("name") != "collection_id"
            ] + [
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": f"{name} = nilai / value (equality)",
                    "schema": {"type": kind},
                }
                for name, kind in props.items()
            ]
            paths[f"/collections/{cid}/items"] = {"get": op}
    return {**doc, "servers": [{"url": base}], "paths": paths}


@router.get("/collections", summary="Koleksi / collections")
def collections(request: Request, state: StateDep) -> dict[str, Any]:
    base = base_url(request)
    return {
        "links": [
            {"href": f"{base}/collections", "rel": "self", "type": "application/json"},
        ],
        "collections": [_collection(c, base) for c in state.features.collections()],
        "crs": [CRS84, EPSG_URI + "4326"],
    }


@router.get(
    "/collections/{collection_id}",
    responses=responses(404),
    summary="Satu koleksi / one collection",
)
def collection(collection_id: CollectionId, request: Request, state: StateDep) -> dict[str, Any]:
    return _collection(find_collection(state, collection_id), base_url(request))


@router.get(
    "/collections/{collection_id}/items",
    response_class=JSONResponse,
    responses={
        200: {"content": {GEOJSON: {}}, "description": "A GeoJSON FeatureCollection page"},
        **responses(400, 404),
    },
    summary="Fitur koleksi / features of a collection",
    description="Paged with `limit` and `offset` (the `next`/`prev` links carry them); "
    "`bbox` in `bbox-crs` (CRS84 by default); coordinates in `crs` (CRS84 by default), "
    "named in the `Content-Crs` header. A `limit` over the maximum is read as the maximum.",
)
def items(
    collection_id: CollectionId,
    request: Request,
    state: StateDep,
    bbox: Annotated[
        str | None, Query(max_length=200, examples=["123.55,-10.2,123.65,-10.1"])
    ] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs", max_length=200)] = None,
    crs: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, description="Default 100; maximum `ogc_max_limit`")] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    filter_text: Annotated[
        str | None,
        Query(
            alias="filter",
            max_length=4000,
            description="CQL2 text: comparisons, LIKE, IN, BETWEEN, IS NULL, AND, OR, NOT "
            "over the collection's queryables",
            examples=["kodszn = 'K-1' AND kdb >= 60"],
        ),
    ] = None,
    filter_lang: Annotated[
        str | None,
        Query(alias="filter-lang", json_schema_extra={"enum": list(FILTER_LANGS)}),
    ] = None,
    f: Annotated[str | None, Query(max_length=20, include_in_schema=False)] = None,
) -> JSONResponse:
    info = find_collection(state, collection_id)
    supported = _collection(info, "")["crs"]
    out_crs, swap_out = parse_crs(crs or CRS84, supported, "crs")
    in_crs, swap_in = parse_crs(bbox_crs or CRS84, supported, "bbox-crs")
    box = parse_bbox(bbox) if bbox is not None else None
    if box is not None and swap_in:
        box = (box[1], box[0], box[3], box[2])
    where = property_filter(state, collection_id, request, filter_text, filter_lang)
    limit = min(limit, state.settings.ogc_max_limit)
    features, matched = as_400(
        lambda: state.features.features(
            collection_id,
            bbox=box,
            bbox_crs=in_crs,
            crs=out_crs,
            limit=limit,
            offset=offset,
            where=where,
        )
    )
    if swap_out:
        features = [_swapped(f) for f in features]
    links = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON},
        {
            "href": f"{base_url(request)}/collections/{collection_id}",
            "rel": "collection",
            "type": "application/json",
        },
    ]
    if offset + len(features) < matched:
        nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
        links.append({"href": str(nxt), "rel": "next", "type": GEOJSON})
    if offset > 0:
        prev = request.url.include_query_params(offset=max(0, offset - limit), limit=limit)
        links.append({"href": str(prev), "rel": "prev", "type": GEOJSON})
    body = {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    uri = CRS84 if out_crs == "EPSG:4326" and not swap_out else crs_uri(out_crs)
    return JSONResponse(body, media_type=GEOJSON, headers={"Content-Crs": f"<{uri}>"})


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    response_class=JSONResponse,
    responses={
        200: {"content": {GEOJSON: {}}, "description": "One feature"},
        **responses(400, 404),
    },
    summary="Satu fitur / one feature",
)
def item(
    collection_id: CollectionId,
    request: Request,
    state: StateDep,
    feature_id: Annotated[str, Path(min_length=1, max_length=100)],
    crs: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    info = find_collection(state, collection_id)
    out_crs, swap_out = parse_crs(crs or CRS84, _collection(info, "")["crs"], "crs")
    feature = _one_feature(state, collection_id, feature_id, out_crs)
    if feature is None:
        raise NotFound(
            f"Fitur {feature_id!r} tidak ada di koleksi {collection_id!r}",
            f"Feature {feature_id!r} is not in collection {collection_id!r}",
            where="featureId",
        )
    if swap_out:
        feature = _swapped(feature)
    base = base_url(request)
    feature["links"] = [
        {"href": str(request.url), "rel": "self", "type": GEOJSON},
        {"href": f"{base}/collections/{collection_id}", "rel": "collection"},
    ]
    uri = CRS84 if out_crs == "EPSG:4326" and not swap_out else crs_uri(out_crs)
    return JSONResponse(feature, media_type=GEOJSON, headers={"Content-Crs": f"<{uri}>"})


T = TypeVar("T")


def as_400(fn: Callable[[], T]) -> T:
    """``fn()``, a filter's InvalidInput answered as OGC API's 400."""
    try:
        return fn()
    except InvalidInput as exc:
        raise InvalidParameter(
            exc.message_id,
            exc.message_en,
            where=exc.where,
            hint_id=exc.hint_id,
            hint_en=exc.hint_en,
        ) from exc


def property_filter(
    state: AppState,
    collection_id: str,
    request: Request,
    filter_text: str | None,
    filter_lang: str | None,
) -> filters.Filter | None:
    """The request's property filter: ``?prop=value`` equalities (any other query
    parameter must be a queryable) and the CQL2 ``filter``, joined by AND."""
    if filter_lang is not None and filter_lang not in FILTER_LANGS:
        raise InvalidParameter(
            f"filter-lang {filter_lang!r} tidak didukung",
            f"filter-lang {filter_lang!r} is not supported",
            where="filter-lang",
            hint_id="Gunakan cql2-text",
            hint_en="Use cql2-text",
        )
    equal = {k: v for k, v in request.query_params.items() if k not in ITEMS_PARAMS}
    if not equal and filter_text is None:
        return None
    types = state.features.queryables(collection_id)
    return as_400(
        lambda: filters.combine(
            filters.equalities(equal, types),
            filters.parse_cql2(filter_text) if filter_text is not None else None,
        )
    )


@router.get(
    "/collections/{collection_id}/queryables",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_SCHEMA: {}}}, **responses(404)},
    summary="Properti yang dapat disaring / queryables (JSON Schema)",
)
def queryables(collection_id: CollectionId, request: Request, state: StateDep) -> JSONResponse:
    find_collection(state, collection_id)
    base = base_url(request)
    types = state.features.queryables(collection_id)
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{collection_id}/queryables",
        "type": "object",
        "title": collection_id,
        "properties": {k: {"title": k, "type": t} for k, t in types.items()},
        "additionalProperties": False,
    }
    return JSONResponse(doc, media_type=JSON_SCHEMA)


@router.get(
    "/collections/{collection_id}/schema",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_SCHEMA: {}}}, **responses(404)},
    summary="Skema fitur / the schema of a GeoJSON feature of the collection",
)
def schema(collection_id: CollectionId, request: Request, state: StateDep) -> JSONResponse:
    """A GeoJSON Feature as JSON Schema, each property with its one type (GDAL's OAPIF
    driver types its fields from it; a value may still be null where the plan left
    it empty)."""
    info = find_collection(state, collection_id)
    base = base_url(request)
    types = state.features.queryables(collection_id)
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{collection_id}/schema",
        "title": info.get("title", collection_id),
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"$ref": "https://geojson.org/schema/Geometry.json"},
            "properties": {
                "type": "object",
                "properties": {k: {"title": k, "type": t} for k, t in types.items()},
            },
        },
    }
    return JSONResponse(doc, media_type=JSON_SCHEMA)


def _one_feature(
    state: AppState, collection_id: str, feature_id: str, crs: str
) -> dict[str, Any] | None:
    direct = getattr(state.store, "feature", None)
    if callable(direct):
        found: dict[str, Any] | None = direct(collection_id, feature_id, crs=crs)
        return found
    # a store without lookup by id: page through (zones of a city: a few pages)
    page, offset = state.settings.ogc_max_limit, 0
    while True:
        feats, matched = state.features.features(collection_id, crs=crs, limit=page, offset=offset)
        for f in feats:
            if str(f.get("id")) == feature_id:
                return f
        offset += page
        if offset >= matched or not feats:
            return None


# ---------------------------------------------------------------- OpenAPI 3.0


def as_oas30(doc: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's OpenAPI 3.1 document rewritten as 3.0 (``nullable``, ``example``)."""
    out: dict[str, Any] = _oas30(copy.deepcopy(doc))
    out["openapi"] = "3.0.3"
    return out


def _oas30(node: Any) -> Any:
    if isinstance(node, list):
        return [_oas30(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _oas30(v) for k, v in node.items()}
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and {"type": "null"} in any_of:
        rest = [s for s in any_of if s != {"type": "null"}]
        node.pop("anyOf")
        if len(rest) == 1 and "$ref" not in rest[0]:
            node = {**rest[0], **node}
        elif len(rest) == 1:
            node["allOf"] = rest
        else:
            node["anyOf"] = rest
        node["nullable"] = True
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        node["nullable"] = len(types) < len(node["type"])
        node["type"] = types[0] if types else "string"
    if isinstance(node.get("examples"), list):  # a schema's; an OpenAPI map is a dict
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), (int, float)) and not isinstance(node[bound], bool):
            node[plain] = node[bound]
            node[bound] = True
    node.pop("contentMediaType", None)
    return node
