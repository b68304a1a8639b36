"""A plan version as a file for GIS tools: one GeoPackage of its zones, overlays and
RTRW, styled for QGIS. Open to everyone, as the plan itself is a public regulation."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from api.deps import StateDep
from api.errors import responses
from kkpr.store.gpkg import write_gpkg

router = APIRouter(prefix="/v1/plans", tags=["plans"])
GPKG = "application/geopackage+sqlite3"
PlanId = Annotated[str, Path(min_length=1, max_length=100, examples=["kupang-rdtr"])]
Version = Annotated[str, Path(min_length=1, max_length=100, examples=["v2"])]


@router.get(
    "/{plan_id}/versions/{version}/gpkg",
    response_class=FileResponse,
    responses={200: {"content": {GPKG: {}}, "description": "A GeoPackage"}, **responses(404)},
    summary="Versi rencana sebagai GeoPackage / a plan version as a GeoPackage",
    description="Layers `pola_ruang` (each zone with the intensity the check applies), "
    "`ketentuan_khusus` and `pola_ruang_rtrw` in the plan CRS, with their QGIS styles "
    "(`layer_styles`). Any loaded version, active or not.",
)
def version_gpkg(plan_id: PlanId, version: Version, state: StateDep) -> FileResponse:
    layers = state.admin.layers_of(plan_id, version)
    folder = FsPath(tempfile.mkdtemp(prefix="kkpr-gpkg-"))
    try:
        path = write_gpkg(folder / f"{plan_id}-{version}.gpkg", layers)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=GPKG,
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
