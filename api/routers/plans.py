"""Plans: list, metadata, versions, the ITBX matrix, validation; upload and activate (staff).

Reading is open to everyone (a spatial plan is a public regulation); loading,
activating and rolling back need a ``staff`` or ``admin`` key, or an admin's staff
session (``api.auth.PLAN_WRITERS``), and are attributed to it.
"""

from __future__ import annotations

import csv
import io
import shutil
import uuid
import zipfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from typing_extensions import TypedDict

from api.auth import Caller, PlanWriter
from api.deps import AppState, StateDep
from api.errors import responses
from api.schemas import (
    ActivationOut,
    ItbxOut,
    PlanDetail,
    PlanLoaded,
    PlanSummary,
    PlanVersionOut,
    ValidationOut,
)
from kkpr.errors import Conflict, InputTooLarge, NotFound, PlanError, Problem, ProblemJson
from kkpr.plan.package import Plan, checksum, read_meta
from kkpr.plan.validate import errors_of, validate, validate_dir
from kkpr.store.base import PlanEntry, VersionEntry
from kkpr.store.versions import VersionedMemoryStore
from kkpr.text import num_id, spreadsheet_safe

router = APIRouter(prefix="/v1/plans", tags=["plans"])
PlanId = Annotated[str, Path(min_length=1, max_length=100, examples=["kupang-rdtr"])]
Version = Annotated[str, Path(min_length=1, max_length=100, examples=["v2"])]
MAX_ZIP_MEMBERS = 10_000


def _plan_entry(state: AppState, plan_id: str) -> PlanEntry:
    for p in state.admin.plans():
        if p["id"] == plan_id:
            return p
    raise NotFound(
        f"Rencana {plan_id!r} tidak ada",
        f"Plan {plan_id!r} does not exist",
        where="plan_id",
        hint_id="Daftar rencana: GET /v1/plans",
        hint_en="List of plans: GET /v1/plans",
    )


@router.get(
    "",
    response_model=list[PlanSummary],
    summary="Daftar rencana / list plans",
)
def list_plans(state: StateDep) -> list[PlanEntry]:
    return state.admin.plans()


@router.get(
    "/{plan_id}",
    response_model=PlanDetail,
    responses=responses(404),
    summary="Metadata rencana / plan metadata",
)
def get_plan(plan_id: PlanId, state: StateDep) -> dict[str, Any]:
    entry = _plan_entry(state, plan_id)
    rules = state.pinned(plan_id).rules(plan_id)
    meta = rules.meta
    return {
        "id": meta.id,
        "name": meta.name,
        "region_code": meta.region_code,
        "legal_basis": meta.legal_basis,
        "effective_from": meta.effective_from.isoformat() if meta.effective_from else None,
        "crs": meta.crs,
        "tolerance": {
            "sliver_m2": meta.tolerance.sliver_m2,
            "sliver_share": meta.tolerance.sliver_share,
        },
        "version": meta.version,
        "checksum": meta.checksum,
        "active_version": entry.get("active_version"),
        "versions": entry.get("versions"),
        "subzones": list(rules.subzones),
        "activities": len(rules.activities),
        "kbli": len(rules.kbli),
        "collections": state.features.collections(plan_id),
    }


@router.get(
    "/{plan_id}/versions",
    response_model=list[PlanVersionOut],
    responses=responses(404),
    summary="Versi rencana / plan versions (newest first)",
)
def list_versions(plan_id: PlanId, state: StateDep) -> list[VersionEntry]:
    _plan_entry(state, plan_id)
    return state.admin.versions(plan_id)


# ---------------------------------------------------------------- ITBX


def itbx_table(state: AppState, plan_id: str) -> dict[str, Any]:
    rules = state.pinned(plan_id).rules(plan_id)
    return {
        "plan_id": rules.meta.id,
        "version": rules.meta.version,
        "subzones": list(rules.subzones),
        "activities": [
            {
                "kode_kegiatan": a.kode,
                "kegiatan": a.kegiatan,
                "cells": {z: rules.cell(a.kode, z) for z in rules.subzones},
            }
            for a in rules.activities.values()
        ],
        "conditions": {
            c.kode: {
                "teks": c.teks,
                "kind": c.kind,
                "max_floor_area_m2": c.max_floor_area_m2,
                "max_site_area_m2": c.max_site_area_m2,
                "max_floors": c.max_floors,
            }
            for c in rules.conditions.values()
        },
    }


def itbx_csv(table: dict[str, Any]) -> str:
    """The matrix wide, as regulations print it (and as itbx.csv is written)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [spreadsheet_safe(t) for t in ("kode_kegiatan", "kegiatan", *table["subzones"])]
    )
    for a in table["activities"]:
        cells = [a["cells"].get(z) or "" for z in table["subzones"]]
        writer.writerow([spreadsheet_safe(t) for t in (a["kode_kegiatan"], a["kegiatan"], *cells)])
    return out.getvalue()


@router.get(
    "/{plan_id}/itbx",
    response_model=ItbxOut,
    responses={
        200: {
            "description": "JSON, or CSV with `?format=csv` or `Accept: text/csv`",
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "kode_kegiatan,kegiatan,K-1,R-2\nPERDAG-MINI,Minimarket,I,T1\n",
                }
            },
        },
        **responses(404),
    },
    summary="Matriks ITBX / the ITBX matrix (JSON or CSV)",
)
def get_itbx(
    plan_id: PlanId,
    request: Request,
    state: StateDep,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Any:
    _plan_entry(state, plan_id)
    table = itbx_table(state, plan_id)
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        return Response(
            itbx_csv(table),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="itbx-{plan_id}-{table["version"]}.csv"'
            },
        )
    return table


# ---------------------------------------------------------------- validation


class ValidationReport(TypedDict):
    """A version's validation report (``GET /v1/plans/{id}/validation``, ValidationOut)."""

    plan_id: str
    version: str
    valid: bool
    errors: int
    warnings: int
    problems: list[ProblemJson]


class PlanLoadedJson(TypedDict):
    """A package loaded as a new version (``POST /v1/plans``, PlanLoaded)."""

    plan_id: str
    version: str
    active: bool
    loaded_by: str
    warnings: int
    problems: list[ProblemJson]


def _report(problems: list[Problem], plan_id: str, version: str) -> ValidationReport:
    errors = errors_of(problems)
    return {
        "plan_id": plan_id,
        "version": version,
        "valid": not errors,
        "errors": len(errors),
        "warnings": len(problems) - len(errors),
        "problems": [p.to_dict() for p in problems],
    }


def _package_dirs(state: AppState, plan_id: str) -> list[FsPath]:
    uploads = FsPath(state.settings.data_dir) / "plans" / plan_id
    found = sorted(uploads.glob("*/**/plan.toml")) if uploads.is_dir() else []
    return [state.settings.plan_dir, *(p.parent for p in found)]


def validation_report(state: AppState, plan_id: str) -> ValidationReport:
    rules = state.pinned(plan_id).rules(plan_id)
    version = rules.meta.version
    cached = state.reports.get((plan_id, version))
    if cached is not None:
        return {**_report([], plan_id, version), **cached}
    if isinstance(state.store, VersionedMemoryStore):
        report = _report(validate(state.store.plan(plan_id)), plan_id, version)
    else:
        # a database store keeps no package: validate the package it was loaded from
        for folder in _package_dirs(state, plan_id):
            if (folder / "plan.toml").exists() and checksum(folder) == rules.meta.checksum:
                _plan, problems = validate_dir(folder)
                report = _report(problems, plan_id, version)
                break
        else:
            raise NotFound(
                "Paket rencana versi aktif tidak ditemukan untuk divalidasi ulang",
                "The package of the active version is not at hand to validate again",
                where="plan_id",
                hint_id="Jalankan `kkpr plan validate` pada paketnya",
                hint_en="Run `kkpr plan validate` on its package",
            )
    state.reports[(plan_id, version)] = report
    return report


@router.get(
    "/{plan_id}/validation",
    response_model=ValidationOut,
    responses=responses(404),
    summary="Laporan validasi versi aktif / validation report of the active version",
)
def get_validation(plan_id: PlanId, state: StateDep) -> ValidationReport:
    _plan_entry(state, plan_id)
    return validation_report(state, plan_id)


# ---------------------------------------------------------------- loading (staff)


MAX_FORM_FIELDS = 10  # the form carries the package (and perhaps a CSRF token)


async def _receive_upload(request: Request, dest: FsPath) -> None:
    """The zip into ``dest``: the raw body (application/zip) or the form field ``package``."""
    ctype = request.headers.get("content-type", "")
    with dest.open("wb") as fh:
        if ctype.startswith("multipart/form-data"):
            try:
                form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
            except StarletteHTTPException as exc:  # too many files or fields, a broken part
                raise PlanError(
                    f"Formulir unggahan tidak terbaca ({exc.detail})",
                    f"The upload form cannot be read ({exc.detail})",
                    where="package",
                    hint_id="Kirim satu berkas zip di kolom 'package' saja",
                    hint_en="Send one zip file in the field 'package', nothing else",
                ) from exc
            upload = form.get("package")
            if upload is None or isinstance(upload, str):
                raise PlanError(
                    "Formulir tidak memuat berkas 'package'",
                    "The form holds no 'package' file",
                    where="package",
                )
            while chunk := await upload.read(1 << 20):
                fh.write(chunk)
        else:
            async for chunk in request.stream():
                fh.write(chunk)


# below this unpacked size the ratio is not asked (an empty table zips to nothing)
ZIP_RATIO_FLOOR_BYTES = 50_000_000


def unpack(zip_path: FsPath, dest: FsPath, max_bytes: int, max_ratio: float = 100.0) -> FsPath:
    """Extract a zipped package safely; the folder holding plan.toml."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise PlanError(
            "Unggahan bukan berkas zip", "The upload is not a zip file", where="body"
        ) from exc
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        if total > max_ratio * max(packed, 1) and total > ZIP_RATIO_FLOOR_BYTES:
            # a zip bomb: padding that would be unpacked and then kept with the package
            raise InputTooLarge(
                f"Isi zip {num_id(total / max(packed, 1), 0)} kali ukuran zipnya: bukan paket rencana",
                f"The zip unpacks to {total / max(packed, 1):,.0f} times its size: not a plan package",
                where="body",
                hint_id="Zip hanya berkas paket rencana (plan.toml, lapisan, tabel, raster)",
                hint_en="Zip the plan package's files only (plan.toml, layers, tables, rasters)",
                extra={"limit_ratio": max_ratio},
            )
        if len(members) > MAX_ZIP_MEMBERS or total > max_bytes:
            raise InputTooLarge(
                f"Isi zip terlalu besar ({num_id(len(members), 0)} berkas, {num_id(total, 0)} bita)",
                f"The zip holds too much ({len(members):,} files, {total:,} bytes)",
                where="body",
                extra={"limit_bytes": max_bytes, "limit_files": MAX_ZIP_MEMBERS},
            )
        for m in members:
            target = (dest / m.filename).resolve()
            if not target.is_relative_to(dest.resolve()) or m.filename.startswith("/"):
                raise PlanError(
                    "Zip memuat jalur di luar foldernya",
                    "The zip holds a path outside its folder",
                    where=m.filename,
                )
            is_link = (m.external_attr >> 16) & 0o170000 == 0o120000
            if is_link:
                raise PlanError(
                    "Zip memuat tautan simbolik", "The zip holds a symbolic link", where=m.filename
                )
        try:
            archive.extractall(dest)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise PlanError(
                "Zip rusak atau tidak dapat dibuka",
                "The zip is damaged or cannot be opened",
                where="body",
                hint_id=str(exc),
                hint_en=str(exc),
            ) from exc
    tomls = sorted(dest.rglob("plan.toml"), key=lambda p: len(p.parts))
    if not tomls:
        raise PlanError(
            "Zip tidak memuat plan.toml: ini bukan paket rencana",
            "The zip holds no plan.toml: it is not a plan package",
            where="body",
            hint_id="Zip folder paket rencana (plan.toml, pola_ruang, itbx.csv, kbli.csv, ...)",
            hint_en="Zip the plan package folder (plan.toml, pola_ruang, itbx.csv, kbli.csv, ...)",
        )
    return tomls[0].parent


def unpack_upload(state: AppState, zip_path: FsPath, work: FsPath) -> FsPath:
    """The uploaded zip unpacked under ``work/package`` within the settings' limits."""
    settings = state.settings
    return unpack(
        zip_path, work / "package", settings.max_plan_unzipped_bytes, settings.max_plan_zip_ratio
    )


def invalid_package(problems: list[Problem], **extra: Any) -> PlanError:
    errors = errors_of(problems)
    return PlanError(
        f"Paket rencana tidak sah: {len(errors)} galat",
        f"The plan package is not valid: {len(errors)} errors",
        where="body",
        hint_id="Perbaiki galat pada daftar `problems` lalu unggah lagi",
        hint_en="Fix the errors listed in `problems` and upload again",
        problems=problems,
        extra=extra or None,
    )


def load_package(
    state: AppState, zip_path: FsPath, work: FsPath, caller: Caller, activate: bool
) -> PlanLoadedJson:
    root = unpack_upload(state, zip_path, work)
    plan, problems = validate_dir(root, state.settings)
    if plan is None or errors_of(problems):
        raise invalid_package(problems)
    return keep_and_load(state, plan, problems, root, work, caller, activate)


def keep_and_load(
    state: AppState,
    plan: Plan,
    problems: list[Problem],
    root: FsPath,
    work: FsPath,
    caller: Caller,
    activate: bool,
) -> PlanLoadedJson:
    """A validated package (unpacked at ``root`` under ``work/package``) kept under the
    data folder and loaded as a new version, active at once if ``activate``."""
    # keep the package where later validation reports and rasters can read it
    home = FsPath(state.settings.data_dir) / "plans" / plan.meta.id / work.name
    home.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(work / "package"), home)
    package = home / root.relative_to(work / "package")
    store = state.store
    if isinstance(store, VersionedMemoryStore):
        plan.root = package
        version = store.add(plan, loaded_by=caller.id, activate=activate)
    else:
        version = state.admin.load(package, loaded_by=caller.id, activate=activate)
    meta = read_meta(package)
    state.reports[(meta.id, version)] = _report(problems, meta.id, version)
    return {
        "plan_id": meta.id,
        "version": version,
        "active": activate,
        "loaded_by": caller.id,
        "warnings": len(problems),
        "problems": [p.to_dict() for p in problems],
    }


@router.post(
    "",
    status_code=201,
    response_model=PlanLoaded,
    responses={
        201: {"model": PlanLoaded, "description": "Validated and loaded as a new version"},
        **responses(401, 403, 413, 422),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The zipped plan package (shared/PLAN_FORMAT.md), as the body "
            "(`application/zip`) or as the form field `package`",
            "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"package": {"type": "string", "format": "binary"}},
                        "required": ["package"],
                    }
                },
            },
        }
    },
    summary="Muat versi baru rencana / load a new plan version (staff)",
    description="Validates the package (as `kkpr plan validate`) and loads it as a new "
    "version, active at once unless `activate=false`. Errors answer 422 with every "
    "problem. Key: `staff`.",
)
async def post_plan(
    request: Request, caller: PlanWriter, state: StateDep, activate: bool = True
) -> PlanLoadedJson:
    work = FsPath(state.settings.data_dir) / "uploads" / uuid.uuid4().hex
    work.mkdir(parents=True)
    try:
        await _receive_upload(request, work / "upload.zip")
        return await run_in_threadpool(
            load_package, state, work / "upload.zip", work, caller, activate
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


@router.post(
    "/{plan_id}/versions/{version}/activate",
    response_model=ActivationOut,
    responses=responses(401, 403, 404, 409),
    summary="Aktifkan versi / activate a version (staff)",
)
def activate_version(
    plan_id: PlanId,
    version: Version,
    caller: PlanWriter,
    state: StateDep,
) -> dict[str, Any]:
    _plan_entry(state, plan_id)
    state.admin.activate(plan_id, version, by=caller.id)
    return {"plan_id": plan_id, "active_version": version, "by": caller.id}


@router.post(
    "/{plan_id}/rollback",
    response_model=ActivationOut,
    responses=responses(401, 403, 404, 409),
    summary="Kembali ke versi sebelumnya / roll back to the previous version (staff)",
)
def rollback(
    plan_id: PlanId,
    caller: PlanWriter,
    state: StateDep,
) -> dict[str, Any]:
    _plan_entry(state, plan_id)
    version = state.admin.rollback(plan_id, by=caller.id)
    return {"plan_id": plan_id, "active_version": version, "by": caller.id}


@router.post(
    "/{plan_id}/versions/{version}/rollback",
    response_model=ActivationOut,
    responses=responses(401, 403, 404, 409),
    summary="Tarik versi aktif / roll back from this (active) version (staff)",
    description="As `/{plan_id}/rollback`, but only while `version` is the active one "
    "(409 otherwise): a retried request cannot roll back twice.",
)
def rollback_version(
    plan_id: PlanId,
    version: Version,
    caller: PlanWriter,
    state: StateDep,
) -> dict[str, Any]:
    entry = _plan_entry(state, plan_id)
    if entry.get("active_version") != version:
        raise Conflict(
            f"Versi {version!r} tidak aktif; versi aktif: {entry.get('active_version')}",
            f"Version {version!r} is not active; the active version is "
            f"{entry.get('active_version')}",
            where="version",
            hint_id="Baca versi aktif di GET /v1/plans/{plan_id}/versions",
            hint_en="Read the active version at GET /v1/plans/{plan_id}/versions",
        )
    previous = state.admin.rollback(plan_id, by=caller.id)
    return {"plan_id": plan_id, "active_version": previous, "by": caller.id}
