"""Conformity checks: ``POST /v1/checks``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import AppState, app_state
from kkpr.check import check
from kkpr.model import Proposal

router = APIRouter(prefix="/v1", tags=["checks"])


class ProposalIn(BaseModel):
    land_area_m2: float | None = Field(None, ge=0)
    footprint_m2: float | None = Field(None, ge=0)
    floor_area_m2: float | None = Field(None, ge=0)
    floors: int | None = Field(None, ge=0)
    height_m: float | None = Field(None, ge=0)
    green_area_m2: float | None = Field(None, ge=0)


class CheckIn(BaseModel):
    site: dict[str, Any] = Field(..., description="GeoJSON geometry or Feature (EPSG:4326)")
    kbli: str = Field(..., examples=["47111"])
    proposal: ProposalIn = ProposalIn()
    crs: str | None = None


@router.post("/checks", summary="Check a site / Periksa kesesuaian lokasi")
def post_check(body: CheckIn, state: AppState = Depends(app_state)) -> dict[str, Any]:
    result = check(
        state.store, body.site, body.kbli, Proposal(**body.proposal.model_dump()), crs=body.crs
    )
    return result.to_dict()
