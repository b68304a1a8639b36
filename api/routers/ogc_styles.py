"""OGC API - Styles (a subset): each collection's default style as OGC SLD 1.0 and as a
QGIS layer style (QML), coloured as the web maps colour the layer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import StateDep
from api.errors import responses
from api.routers.ogc import CollectionId, base_url, find_collection
from kkpr import styles

router = APIRouter(prefix="/ogc", tags=["ogc"])
SLD = "application/vnd.ogc.sld+xml"
QML = "application/vnd.qgis.qml+xml"
FORMATS = {"sld": SLD, "qml": QML}


@router.get(
    "/collections/{collection_id}/styles",
    responses=responses(404),
    summary="Gaya peta koleksi / the collection's styles",
)
def list_styles(
    collection_id: CollectionId, request: Request, state: StateDep
) -> dict[str, object]:
    find_collection(state, collection_id)
    href = f"{base_url(request)}/collections/{collection_id}/styles/default"
    return {
        "default": "default",
        "styles": [
            {
                "id": "default",
                "title": "Gaya peta kkpr / the kkpr map style",
                "links": [
                    {"href": f"{href}?f={f}", "rel": "stylesheet", "type": media}
                    for f, media in FORMATS.items()
                ],
            }
        ],
    }


@router.get(
    "/collections/{collection_id}/styles/default",
    response_class=Response,
    responses={
        200: {"content": {SLD: {}, QML: {}}, "description": "SLD 1.0 or QGIS QML"},
        **responses(400, 404),
    },
    summary="Gaya bawaan (SLD atau QML) / the default style (SLD or QML)",
    description="`f=sld` (default) or `f=qml`: categorised by `kodszn` (zones), `jenis` "
    "(overlays) or `namobj` (RTRW) over the values the active version holds.",
)
def default_style(
    collection_id: CollectionId,
    state: StateDep,
    f: Annotated[str, Query(pattern="^(sld|qml)$")] = "sld",
) -> Response:
    info = find_collection(state, collection_id)
    values = state.features.categories(collection_id, styles.STYLED_BY[collection_id])
    if f == "qml":
        text = styles.qml(collection_id, values)
    else:
        text = styles.sld(collection_id, str(info.get("title", collection_id)), values)
    filename = f"{info.get('plan_id', 'kkpr')}-{collection_id}.{f}"
    return Response(
        text,
        media_type=FORMATS[f],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
