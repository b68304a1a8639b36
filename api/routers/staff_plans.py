"""Plans from the web (``/staf/rencana``, admin): upload, validation report on the map,
diff against the active version, re-check impact, then activate or roll back.

An upload is validated and, if valid, loaded as an **inactive** version: nothing the
service answers changes until an admin activates it. A package with errors is refused
(422 with every problem, placed on the map where it can be) and nothing is kept. The
diff (``kkpr.revision.diff``, as ``kkpr plan diff``) and the re-check impact
(``kkpr.revision.impact`` over the check log and the applications, a background job
with progress) read the
two versions' packages from disk, so the memory and PostGIS stores answer alike.

Every step is recorded with who and when in ``plan_events`` (kkpr.records.plan_events),
readable at ``.../plans/{plan_id}/events``. Activation and rollback also stay in each
store's own history (``kkpr.activations`` in PostGIS). All JSON routes here need an
``admin`` key or an admin's staff session (with its CSRF token for POSTs).
"""

from __future__ import annotations

import shutil
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from shapely.geometry import mapping
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from api import i18n
from api.auth import SESSION_COOKIE, Admin, Caller, csrf_token, current_caller
from api.deps import AppState, StateDep, state_of
from api.pipeline_deps import pipeline_db
from api.plan_desk import Desk, ImpactJob, ImpactJobJson, PlacedProblem, PlacedReport
from api.routers.pages import render
from api.routers.plans import (
    ValidationReport,
    _package_dirs,
    _plan_entry,
    _receive_upload,
    _report,
    invalid_package,
    keep_and_load,
    unpack_upload,
)
from kkpr.db.database import Database
from kkpr.errors import Conflict, KkprError, NotFound, PlanError, Problem
from kkpr.plan.package import Plan, checksum, read_plan
from kkpr.plan.validate import errors_of, validate_dir
from kkpr.records.plan_events import PlanEventJson
from kkpr.revision.diff import diff_plans
from kkpr.revision.impact import (
    SourceCount,
    impact,
    recorded_applications,
    recorded_sites,
)
from kkpr.site import WGS84, to_crs
from kkpr.store.base import PlanEntry, VersionEntry

# The answers are TypedDicts declared beside what builds them, so that mypy checks their
# keys; each route names its response model (ANSWER, a plain JSON object) so that FastAPI
# encodes the dict as it is and does not validate it against the TypedDict it returns.
router = APIRouter(include_in_schema=False)
ANSWER = dict[str, Any]
PAGE = "/staf/rencana"
API = f"{PAGE}/api"
UPLOAD_PATH = f"{API}/upload"  # streamed with the plan upload limit (api.main)
PlanId = Annotated[str, Path(min_length=1, max_length=100)]
Version = Annotated[str, Path(min_length=1, max_length=100)]
MAX_PLACED_PROBLEMS = 2000  # problems sent with a place on the map; the rest are listed
MAX_DIFF_FEATURES = 2000  # changed zone pieces sent with their geometry
IMPACT_MAX_CHECKS = 20_000  # the newest recorded checks re-checked for the impact


# ---------------------------------------------------------------- shared state


def desk_of(request: Request) -> Desk:
    return state_of(request).plan_desk


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------- the page


@router.get(PAGE, response_class=HTMLResponse)
def plans_page(request: Request, state: StateDep) -> HTMLResponse:
    caller = current_caller(request)
    if caller is None or not caller.is_staff:
        return render(request, "login.html")
    if caller.role != "admin":
        lang = i18n.language(request)
        return render(
            request,
            "login.html",
            status_code=403,
            error=i18n.translate("plans.need_admin", lang),
        )
    csrf = csrf_token(state, request.cookies.get(SESSION_COOKIE, ""))
    plan_id = state.store.rules().meta.id
    return render(
        request,
        "plans_admin.html",
        caller=caller,
        csrf=csrf,
        page_data={"caller": caller.name, "csrf": csrf, "plan_id": plan_id, "api": API},
    )


# ---------------------------------------------------------------- placing problems


def placed_problems(problems: list[Problem], plan: Plan | None) -> list[PlacedProblem]:
    """Each problem with ``geometry`` (GeoJSON, EPSG:4326) where it has a place: its own
    WKT, or the features of the package it names."""
    return [
        {**p.to_dict(), "geometry": _geometry_of(p, plan) if i < MAX_PLACED_PROBLEMS else None}
        for i, p in enumerate(problems)
    ]


def _geometry_of(problem: Problem, plan: Plan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    crs = plan.meta.crs
    if problem.geometry_wkt:
        try:
            return dict(mapping(to_crs(shapely.from_wkt(problem.geometry_wkt), crs, WGS84)))
        except (shapely.errors.ShapelyError, ValueError):
            return None
    if problem.feature is None:
        return None
    stem = FsPath(problem.file or "").stem.lower()
    code = problem.code or ""
    frame = (
        plan.overlays
        if stem == "ketentuan_khusus" or code.startswith("overlays.")
        else plan.zones
        if stem == "pola_ruang" or code.startswith("zones.") or code == "itbx.no_column"
        else None
    )
    if frame is None or len(frame) == 0:
        return None
    ids = [f.strip() for f in str(problem.feature).split(",") if f.strip()][:20]
    geoms = []
    for fid in ids:
        key: Any = int(fid) if fid.lstrip("-").isdigit() else fid
        if key in frame.index:
            geom = frame.geometry.loc[key]
            if geom is not None and not geom.is_empty:
                geoms.append(geom)
    if not geoms:
        return None
    merged = shapely.GeometryCollection(geoms) if len(geoms) > 1 else geoms[0]
    return dict(mapping(to_crs(merged, crs, WGS84)))


def placed_report(
    problems: list[Problem], plan: Plan | None, plan_id: str, version: str | None
) -> PlacedReport:
    report: ValidationReport = _report(problems, plan_id, version or "")
    return {**report, "problems": placed_problems(problems, plan)}


# ---------------------------------------------------------------- upload


def _known_plan(state: AppState, plan_id: str) -> None:
    if plan_id not in {p["id"] for p in state.admin.plans()}:
        raise PlanError(
            f"Paket ini untuk rencana {plan_id!r} yang belum dimuat di layanan ini",
            f"This package is for plan {plan_id!r}, which this service has not loaded",
            where="plan.toml id",
            hint_id="Periksa `id` di plan.toml; rencana baru dimuat oleh pengelola dengan "
            "`kkpr plan load`",
            hint_en="Check `id` in plan.toml; a new plan is loaded by the operator with "
            "`kkpr plan load`",
        )


class UploadAnswer(TypedDict):
    """A valid package loaded as an inactive version, with its placed report."""

    plan_id: str
    version: str
    active: bool
    report: PlacedReport


def upload_package(
    state: AppState, desk: Desk, zip_path: FsPath, work: FsPath, caller: Caller
) -> UploadAnswer:
    """Validate the zip; load it inactive if valid; record the step either way."""
    try:
        root = unpack_upload(state, zip_path, work)
        plan, problems = validate_dir(root, state.settings)
    except KkprError as exc:
        desk.events.record(
            "—", "upload_refused", caller.id, detail={"kind": exc.kind, "message": exc.message_en}
        )
        raise
    plan_id = plan.meta.id if plan is not None else _declared_id(root)
    if plan is None or errors_of(problems):
        report = placed_report(problems, plan, plan_id, None)
        desk.events.record(
            plan_id,
            "upload_refused",
            caller.id,
            detail={"errors": report["errors"], "warnings": report["warnings"]},
        )
        raise invalid_package(problems, problems_on_map=report["problems"])
    _known_plan(state, plan_id)
    loaded = keep_and_load(state, plan, problems, root, work, caller, activate=False)
    version = str(loaded["version"])
    report = placed_report(problems, plan, plan_id, version)
    desk.placed[(plan_id, version)] = report
    desk.events.record(
        plan_id, "upload", caller.id, version, {"checksum": plan.meta.checksum, "active": False}
    )
    desk.events.record(
        plan_id,
        "validate",
        caller.id,
        version,
        {"errors": report["errors"], "warnings": report["warnings"]},
    )
    return {"plan_id": plan_id, "version": version, "active": False, "report": report}


def _declared_id(root: FsPath) -> str:
    try:
        import tomllib

        with (root / "plan.toml").open("rb") as fh:
            return str(tomllib.load(fh).get("id") or "—")
    except (OSError, ValueError):
        return "—"


@router.post(UPLOAD_PATH, status_code=201, response_model=ANSWER)
async def upload(
    request: Request,
    caller: Admin,
    state: StateDep,
) -> UploadAnswer:
    desk = desk_of(request)
    work = FsPath(state.settings.data_dir) / "uploads" / uuid.uuid4().hex
    work.mkdir(parents=True)
    try:
        await _receive_upload(request, work / "upload.zip")
        return await run_in_threadpool(
            upload_package, state, desk, work / "upload.zip", work, caller
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- versions and packages


def version_entry(state: AppState, plan_id: str, version: str) -> VersionEntry:
    _plan_entry(state, plan_id)
    for v in state.admin.versions(plan_id):
        if v["version"] == version:
            return v
    raise NotFound(
        f"Versi {version!r} dari rencana {plan_id!r} tidak ada",
        f"Version {version!r} of plan {plan_id!r} does not exist",
        where="version",
        hint_id="Unggah paketnya lagi di halaman ini",
        hint_en="Upload its package again on this page",
    )


def active_version(state: AppState, plan_id: str) -> str:
    entry = _plan_entry(state, plan_id)
    return str(entry["active_version"])


def package_of(state: AppState, desk: Desk, plan_id: str, version: str) -> FsPath:
    """The package folder a version was loaded from (found by its checksum)."""
    wanted = version_entry(state, plan_id, version).get("checksum")
    found = desk.folders.get(str(wanted))
    if found is not None and (found / "plan.toml").exists():
        return found
    for folder in _package_dirs(state, plan_id):
        if (folder / "plan.toml").exists():
            sum_ = checksum(folder)
            desk.folders[sum_] = folder
            if sum_ == wanted:
                return folder
    raise NotFound(
        f"Paket versi {version} tidak ditemukan di folder data layanan",
        f"The package of version {version} is not in the service's data folder",
        where=f"{plan_id} {version}",
        hint_id="Unggah paketnya lagi di halaman ini, atau bandingkan dengan `kkpr plan diff`",
        hint_en="Upload its package again on this page, or compare with `kkpr plan diff`",
    )


def _report_of(state: AppState, desk: Desk, plan_id: str, version: str) -> PlacedReport:
    cached = desk.placed.get((plan_id, version))
    if cached is not None:
        return cached
    folder = package_of(state, desk, plan_id, version)
    plan, problems = validate_dir(folder, state.settings)
    report = placed_report(problems, plan, plan_id, version)
    desk.placed[(plan_id, version)] = report
    return report


class PlanState(TypedDict):
    """A plan as its management page shows it."""

    plan: PlanEntry
    versions: list[VersionEntry]  # newest first
    events: list[PlanEventJson]


@router.get(f"{API}/plans/{{plan_id}}", response_model=ANSWER)
def plan_state(
    request: Request,
    plan_id: PlanId,
    caller: Admin,
    state: StateDep,
) -> PlanState:
    """The plan, its versions (newest first) and the record of steps taken."""
    entry = _plan_entry(state, plan_id)
    return {
        "plan": entry,
        "versions": state.admin.versions(plan_id),
        "events": [e.to_dict() for e in desk_of(request).events.of_plan(plan_id)],
    }


@router.get(f"{API}/plans/{{plan_id}}/events", response_model=list[ANSWER])
def plan_events(
    request: Request,
    plan_id: PlanId,
    caller: Admin,
) -> list[PlanEventJson]:
    return [e.to_dict() for e in desk_of(request).events.of_plan(plan_id)]


@router.get(f"{API}/plans/{{plan_id}}/versions/{{version}}/report", response_model=ANSWER)
async def version_report(
    request: Request,
    plan_id: PlanId,
    version: Version,
    caller: Admin,
    state: StateDep,
) -> PlacedReport:
    """The version's validation report, each problem placed on the map where it can be."""
    desk = desk_of(request)
    return await run_in_threadpool(_report_of, state, desk, plan_id, version)


# ---------------------------------------------------------------- diff


def compute_diff(
    state: AppState, desk: Desk, plan_id: str, version: str, caller: Caller
) -> dict[str, Any]:
    against = active_version(state, plan_id)
    old = read_plan(package_of(state, desk, plan_id, against))
    new = read_plan(package_of(state, desk, plan_id, version))
    diff = diff_plans(old, new)
    body = diff.to_dict()
    pieces = body.get("zones_changed") or []
    body["zones_changed_total"] = len(pieces)
    if len(pieces) > MAX_DIFF_FEATURES:
        body["zones_changed"] = pieces[:MAX_DIFF_FEATURES]
    body["against"] = against
    body["version"] = version
    body["plan_id"] = plan_id
    desk.events.record(plan_id, "diff", caller.id, version, {"against": against, **diff.summary()})
    return body


@router.post(f"{API}/plans/{{plan_id}}/versions/{{version}}/diff")
async def version_diff(
    request: Request,
    plan_id: PlanId,
    version: Version,
    caller: Admin,
    state: StateDep,
) -> dict[str, Any]:
    """``kkpr plan diff`` of the active version and ``version``, as JSON (geometries in
    EPSG:4326); recorded."""
    desk = desk_of(request)
    return await run_in_threadpool(compute_diff, state, desk, plan_id, version, caller)


# ---------------------------------------------------------------- re-check impact


NONE_RECHECKED: SourceCount = {"total": 0, "changed": 0}


def run_impact(
    state: AppState, desk: Desk, job: ImpactJob, active: FsPath, new: FsPath, pipeline: Database
) -> None:
    def progress(now: Any) -> None:
        job.total, job.done = now.total, now.done

    try:
        sites = recorded_sites(state.check_log.db, job.plan_id, IMPACT_MAX_CHECKS)
        sites += recorded_applications(pipeline, job.plan_id, IMPACT_MAX_CHECKS)
        job.total = len(sites)
        result = impact(sites, active, new, progress=progress)
        job.result = {**result.to_dict(), "limit": IMPACT_MAX_CHECKS}
        job.state = "done"
        desk.events.record(
            job.plan_id,
            "impact",
            job.by,
            job.version,
            {
                "against": job.against,
                "checks": result.sources.get("check", NONE_RECHECKED)["total"],
                "applications": result.sources.get("application", NONE_RECHECKED)["total"],
                "changed": result.changed,
                "errors": result.errors,
            },
        )
    except KkprError as exc:
        job.error = exc.to_dict()
        job.state = "failed"
    except Exception as exc:  # a job's failure is its answer, not a lost thread
        job.error = {"kind": "internal", "message_en": str(exc), "message_id": str(exc)}
        job.state = "failed"


@router.post(
    f"{API}/plans/{{plan_id}}/versions/{{version}}/impact", status_code=202, response_model=ANSWER
)
async def start_impact(
    request: Request,
    plan_id: PlanId,
    version: Version,
    caller: Admin,
    state: StateDep,
) -> ImpactJobJson:
    """Start re-checking the recorded checks and applications against the active version and
    ``version`` (a job; poll the GET of the same path for its progress)."""
    desk = desk_of(request)
    pipeline = pipeline_db(request)
    against = await run_in_threadpool(active_version, state, plan_id)
    active = await run_in_threadpool(package_of, state, desk, plan_id, against)
    new = await run_in_threadpool(package_of, state, desk, plan_id, version)
    key = (plan_id, version, against)
    with desk.lock:
        job = desk.jobs.get(key)
        if job is None or job.state == "failed":
            job = ImpactJob(plan_id, version, against, caller.id, now_iso())
            desk.jobs[key] = job
            threading.Thread(
                target=run_impact, args=(state, desk, job, active, new, pipeline), daemon=True
            ).start()
    return job.to_dict()


@router.get(f"{API}/plans/{{plan_id}}/versions/{{version}}/impact", response_model=ANSWER)
def impact_status(
    request: Request,
    plan_id: PlanId,
    version: Version,
    caller: Admin,
    state: StateDep,
) -> ImpactJobJson:
    desk = desk_of(request)
    against = active_version(state, plan_id)
    job = desk.jobs.get((plan_id, version, against))
    if job is None:
        raise NotFound(
            "Dampak pemeriksaan ulang belum dihitung untuk versi ini",
            "The re-check impact has not been computed for this version",
            where="version",
            hint_id="Mulai dengan POST ke alamat yang sama",
            hint_en="Start it with a POST to the same address",
        )
    return job.to_dict()


# ---------------------------------------------------------------- activate, roll back


class Activation(TypedDict):
    """The version now active, the one before, and who made the change."""

    plan_id: str
    active_version: str
    previous: str
    by: str


@router.post(f"{API}/plans/{{plan_id}}/versions/{{version}}/activate", response_model=ANSWER)
def activate(
    request: Request,
    plan_id: PlanId,
    version: Version,
    caller: Admin,
    state: StateDep,
) -> Activation:
    """Make ``version`` active (a version exists only if its package was valid)."""
    version_entry(state, plan_id, version)
    before = active_version(state, plan_id)
    if before == version:
        raise Conflict(
            f"Versi {version} sudah aktif",
            f"Version {version} is already active",
            where="version",
        )
    state.admin.activate(plan_id, version, by=caller.id)
    desk_of(request).events.record(plan_id, "activate", caller.id, version, {"from": before})
    return {"plan_id": plan_id, "active_version": version, "previous": before, "by": caller.id}


@router.post(f"{API}/plans/{{plan_id}}/versions/{{version}}/rollback", response_model=ANSWER)
def rollback(
    request: Request,
    plan_id: PlanId,
    version: Version,
    caller: Admin,
    state: StateDep,
) -> Activation:
    """Re-activate the version active before ``version``, only while ``version`` is
    the active one (a repeated click cannot roll back twice)."""
    before = active_version(state, plan_id)
    if before != version:
        raise Conflict(
            f"Versi {version!r} tidak aktif; versi aktif: {before}",
            f"Version {version!r} is not active; the active version is {before}",
            where="version",
            hint_id="Muat ulang halaman untuk melihat versi aktif",
            hint_en="Reload the page to see the active version",
        )
    previous = state.admin.rollback(plan_id, by=caller.id)
    desk_of(request).events.record(plan_id, "rollback", caller.id, previous, {"from": before})
    return {"plan_id": plan_id, "active_version": previous, "previous": before, "by": caller.id}
