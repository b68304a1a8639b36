"""The web pages: the public pre-check (``/``) and the staff map workspace (``/staf``).

Pages are server-rendered HTML with vanilla JS modules; their data comes from the API
(``/v1/precheck``, ``/ogc/...``, ``/v1/reviews``) and from the few helpers under
``/pages/`` that only pages need (KBLI search over the plan, reading an uploaded site
file, an ITBX column, the plan's validation report placed on the map). Nothing is
loaded from the internet: Leaflet and Leaflet.draw are served from ``/static/vendor``.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.request
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pyogrio
import shapely
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from shapely.geometry import mapping
from starlette.concurrency import run_in_threadpool

from api import i18n
from api.auth import (
    SESSION_COOKIE,
    Anyone,
    Staff,
    csrf_token,
    current_caller,
    login_staff,
    logout_staff,
    refuse_cross_origin,
)
from api.bundle import IMMUTABLE, BundleError, asset_url, bundle_named, template_globals
from api.deps import AppState, StateDep, run_public, state_of
from api.errors import Forbidden, NotAuthenticated
from api.limits import scan_site_body, too_many_parts
from api.pipeline_deps import pipeline_db
from api.routers.plans import validation_report
from kkpr.catalogue import WORD, catalogue
from kkpr.errors import InputTooLarge, KkprError, NotFound, ProblemJson, SiteError
from kkpr.kugi import overlay_kinds
from kkpr.model import PlanMeta
from kkpr.pipeline import integration
from kkpr.pipeline.pnbp import PnbpEstimate, Purpose, estimate
from kkpr.places import (
    Place,
    landmark_places,
    places_from_roads,
    places_from_zones,
    search_places,
)
from kkpr.rules.itbx import parse_cell
from kkpr.site import WGS84, invalid_site, to_crs, too_many_vertices
from kkpr.text import num_id

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent.parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.globals["asset"] = asset_url
STATIC = HERE / "static"
FIGURES = (
    ("land_area_m2", "m²"),
    ("footprint_m2", "m²"),
    ("floor_area_m2", "m²"),
    ("floors", None),  # unit words are the page's: "lantai" / "floors"
    ("height_m", "m"),
    ("green_area_m2", "m²"),
)


# ---------------------------------------------------------------- page frame


def _rdtr_in_oss(request: Request, meta: PlanMeta) -> bool:
    with pipeline_db(request).transaction() as tx:
        return integration.integrated(tx, meta, meta.version)


def render(
    request: Request, template: str, *, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    """A page in the request's language, remembering an explicit ``?lang=``."""
    state = state_of(request)
    lang = i18n.language(request)
    rules = state.store.rules()
    names = {k: (v.nama_en if lang == "en" else v.nama_id) for k, v in overlay_kinds().items()}
    page_data = {
        "lang": lang,
        "messages": i18n.catalogue(lang),
        "plan": {
            "id": rules.meta.id,
            "name": rules.meta.name,
            "version": rules.meta.version,  # asked with each map tile (ogc_tiles: ?v=)
            "bbox": _plan_bbox(state),
        },
        "overlay_kinds": names,
        "deadlines": {
            "pkkpr": state.settings.review_deadline_working_days,
            "review": state.settings.review_conditional_deadline_working_days,
        },
        "office": {
            "name": state.settings.office_name,
            "address": state.settings.office_address,
            "hours": state.settings.office_hours,
        },
        # the plan's own word ([oss] rdtr_integrated, or what staff set for the version):
        # the same answer the pipeline gives an application, never a service-wide guess
        "rdtr_in_oss": _rdtr_in_oss(request, rules.meta),
        "basemaps": _basemaps(state),
        "pnbp": state.settings.pnbp_estimate_public,
        **extra.pop("page_data", {}),
    }
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "other_lang": "en" if lang == "id" else "id",
            "t": lambda key, **v: i18n.translate(key, lang, **v),
            "plan_name": rules.meta.name,
            "home_href": "/",
            "page_data": page_data,
            "figures": FIGURES,
            **template_globals(state.settings.bundle_assets),
            **extra,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(i18n.COOKIE, lang, max_age=i18n.COOKIE_MAX_AGE_S, samesite="lax")
    return response


def _basemaps(state: AppState) -> list[dict[str, Any]]:
    """The configured base maps, street first: ``[{id, url, attribution, max_zoom}]``."""
    s = state.settings
    choices = (
        ("street", s.basemap_url, s.basemap_attribution, s.basemap_max_zoom),
        ("aerial", s.basemap_aerial_url, s.basemap_aerial_attribution, s.basemap_aerial_max_zoom),
    )
    return [
        {"id": key, "url": url, "attribution": credit, "max_zoom": zoom}
        for key, url, credit, zoom in choices
        if url.strip()
    ]


def _plan_bbox(state: AppState) -> list[float] | None:
    try:
        zones = next(c for c in state.features.collections() if c["id"] == "zones")
    except (KkprError, StopIteration):
        return None
    bbox = zones.get("bbox")
    return [float(v) for v in bbox] if bbox else None


@router.get("/static/bundle/{name}")
def static_bundle(name: str, s: str = "", m: str = "") -> Response:
    """A page's files as one (``api.bundle``): its name is its content's hash, so it is
    cached for good; ``s`` and ``m`` say what it is made of."""
    try:
        bundle = bundle_named(name, s, m)
    except (BundleError, OSError) as exc:
        raise NotFound(
            "Berkas tidak ditemukan", "No such file", where=name,
            hint_id="Muat ulang halaman", hint_en="Reload the page",
        ) from exc  # fmt: skip
    # made from files that changed since the page was rendered: served, not kept
    cache = IMMUTABLE if bundle.name == name else "no-store"
    return Response(bundle.body, media_type=bundle.media_type, headers={"Cache-Control": cache})


@router.get("/static/{path:path}")
def static_file(path: str, v: str = "") -> FileResponse:
    """CSS, JS and the vendored Leaflet (a route, so the app needs no extra mount). Asked
    with the hash of its content (``?v=``, :func:`api.bundle.asset_url`), cached for good."""
    target = (STATIC / path).resolve()
    if not target.is_relative_to(STATIC) or not target.is_file():
        raise NotFound("Berkas tidak ditemukan", "No such file", where=path)
    cache = IMMUTABLE if v and asset_url(path).endswith(f"?v={v}") else "public, max-age=300"
    return FileResponse(target, headers={"Cache-Control": cache})


@router.get("/", response_class=HTMLResponse)
def precheck_page(request: Request) -> HTMLResponse:
    return render(request, "precheck.html")


# ---------------------------------------------------------------- the pre-check's PDF


@router.get("/pages/precheck.pdf", response_model=None)
async def precheck_pdf(request: Request, state: StateDep, caller: Anyone) -> Response:
    """The one-page PDF summary of the pre-check a shareable link names (its ``kbli``,
    ``site`` and figures as query parameters): checked and stored as ``POST
    /v1/precheck`` is (under the same public limit), drawn by the server."""
    from api.precheck_summary import check_body, link_of, summary_pdf
    from api.routers.checks import run_check

    params = dict(request.query_params)
    body = check_body(params)

    def make() -> bytes:
        new = run_check(state, body, "precheck")
        record = state.check_log.append([new], caller=caller.id, caller_role=caller.role)[0]
        link = link_of(state, str(request.base_url), params)
        rules = state.store.rules()
        return summary_pdf(state, record.to_dict(), link, _rdtr_in_oss(request, rules.meta))

    pdf = await run_public(state, make)  # a check, a map and a page: on the public threads
    name = f"pra-periksa-{body.kbli}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


# ---------------------------------------------------------------- document verification


@router.get("/verifikasi", response_model=None)
def verify_form(request: Request, number: str = "", code: str = "") -> Response:
    """Where a person checks a KKPR document by hand: with both number and code it goes
    to the document's own address (``/v1/documents/{number}``), which shows the
    document when the code is right and :func:`verify_page` when it is not."""
    number, code = number.strip()[:100], code.strip()[:64]
    if number and code:
        target = f"/v1/documents/{quote(number, safe='/.')}?{urlencode({'code': code})}"
        return RedirectResponse(target, status_code=303)
    lang = i18n.language(request)
    missing = i18n.translate("ver.number_missing", lang) if code and not number else None
    return render(
        request, "verify.html", number=number, code=code, status=None, number_error=missing
    )


def verify_page(request: Request, number: str, code: str | None, status: str) -> HTMLResponse:
    """The answer of ``/v1/documents/{number}`` to a browser when there is no document to
    show: the code does not match (``changed``), no such number (``unknown``, 404), or
    no code given: a page with the form, never JSON."""
    shown = status if code else None
    return render(
        request,
        "verify.html",
        status_code=404 if status == "unknown" else 200,
        number=number,
        code=code or "",
        status=shown,
    )


# ---------------------------------------------------------------- staff workspace


@router.get("/staf", response_class=HTMLResponse)
def staff_page(request: Request, state: StateDep) -> HTMLResponse:
    caller = current_caller(request)
    if caller is None or not caller.is_staff:
        return render(request, "login.html")
    csrf = csrf_token(state, request.cookies.get(SESSION_COOKIE, ""))
    return render(
        request,
        "staff.html",
        caller=caller,
        csrf=csrf,
        page_data={"caller": caller.name, "csrf": csrf},
    )


@router.post("/staf/login", response_model=None)
def staff_login(request: Request, key: str = Form("")) -> Response:
    refuse_cross_origin(request)  # login forgery: a page elsewhere logging you in as it
    response = RedirectResponse("/staf", status_code=303)
    try:
        login_staff(response, key, request)
    except (NotAuthenticated, Forbidden) as exc:
        lang = i18n.language(request)
        message = exc.message_en if lang == "en" else exc.message_id
        status = 403 if isinstance(exc, Forbidden) else 401
        return render(request, "login.html", status_code=status, error=message)
    return response


@router.post("/staf/logout")
def staff_logout(request: Request, csrf: str = Form("", alias="csrf_token")) -> RedirectResponse:
    refuse_cross_origin(request)
    response = RedirectResponse("/staf", status_code=303)
    logout_staff(response, request, csrf)
    return response


# ---------------------------------------------------------------- KBLI search


@router.get("/pages/kbli")
def kbli_search(state: StateDep, q: str = "", limit: int = 20) -> dict[str, Any]:
    """KBLI codes for ``q``: digits as a code prefix; words first through the everyday
    phrase table (``kbli_frasa.csv``: "warung kopi", "kos-kosan"), then the plan's
    titles and activity words (as prefixes), then national-catalogue titles. Codes the
    plan does not map are listed with ``in_plan`` false."""
    rules = state.store.rules()
    query = q.strip().lower()[:100]
    limit = max(1, min(limit, 50))
    if len(query) < 1:
        return {"items": []}
    words = WORD.findall(query)
    found: dict[str, dict[str, Any]] = {}

    def add(kode: str, **extra: Any) -> None:
        if kode in found:
            return
        entry = rules.kbli.get(kode)
        if entry is None:
            item = catalogue().get(kode)
            if item is not None:
                found[kode] = {"kode": kode, "judul": item.judul, "in_plan": False, **extra}
            return
        activity = rules.activities.get(entry.kode_kegiatan)
        found[kode] = {
            "kode": kode,
            "judul": entry.judul,
            "kode_kegiatan": entry.kode_kegiatan,
            "kegiatan": activity.kegiatan if activity else entry.kode_kegiatan,
            "in_plan": True,
            **extra,
        }

    for kode, frasa in catalogue().phrase_hits(query, limit):
        add(kode, frasa=frasa)
    scored = []
    for entry in rules.kbli.values():
        activity = rules.activities.get(entry.kode_kegiatan)
        kegiatan = activity.kegiatan if activity else entry.kode_kegiatan
        if query.isdigit():
            if not entry.kbli.startswith(query):
                continue
            rank = (0, 0, len(entry.kbli))
        else:
            title = set(WORD.findall(f"{entry.judul} {kegiatan}".lower()))
            if not words or not all(any(t.startswith(w) for t in title) for w in words):
                continue
            rank = (1, -sum(w in title for w in words), len(entry.judul))
        scored.append((rank, entry.kbli))
    for _rank, kode in sorted(scored):
        add(kode)
    for extra in catalogue().search(query, limit):
        add(extra.kode)
    return {"items": list(found.values())[:limit]}


# ---------------------------------------------------------------- place search

_PLACES: dict[tuple[str, str], list[Place]] = {}  # (plan id, version) -> its places


def plan_places(state: AppState) -> list[Place]:
    """The active plan's places (villages, districts, blocks, its ``tempat.csv``), made
    once per plan version."""
    rules = state.store.rules()
    key = (rules.meta.id, rules.meta.version)
    places = _PLACES.get(key)
    if places is None:
        zones, _n = state.features.features("zones", limit=10_000_000)
        places = places_from_zones(zones)
        places += landmark_places(rules.landmarks)  # kept with the plan, in either store
        road_rows = getattr(state.store, "road_rows", None)  # the streets of jaringan_jalan
        if road_rows is not None:
            places += places_from_roads(road_rows(), rules.meta.crs)
        _PLACES.clear()
        _PLACES[key] = places
    return places


@router.get("/pages/places")
def place_search(state: StateDep, q: str = "", limit: int = 8) -> dict[str, Any]:
    """Places named ``q`` (typos forgiven), offline from the plan; then, when
    ``KKPR_GEOCODER_URL`` is set, what that geocoder finds inside the plan's extent."""
    query = q.strip()[:100]
    limit = max(1, min(limit, 20))
    if len(query) < 2:
        return {"items": []}
    items = [p.to_dict() for p in search_places(plan_places(state), query, limit)]
    if state.settings.geocoder_url and len(items) < limit:
        items += geocode(state, query, limit - len(items))
    return {"items": items}


def geocode(state: AppState, query: str, limit: int) -> list[dict[str, Any]]:
    """A Nominatim-compatible ``/search``, bounded to the plan; nothing when it fails
    (the offline names still answer)."""
    params = {"q": query, "format": "jsonv2", "limit": str(limit)}
    bbox = _plan_bbox(state)
    if bbox:
        params |= {"viewbox": ",".join(str(v) for v in bbox), "bounded": "1"}
    url = state.settings.geocoder_url.rstrip("/") + "/search?" + urlencode(params)
    req = urllib.request.Request(
        url, headers={"User-Agent": "kkpr pre-check", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=state.settings.geocoder_timeout_s) as resp:
            found = json.load(resp)
    except (OSError, ValueError):
        return []
    out = []
    for hit in found if isinstance(found, list) else []:
        try:
            s, n, w, e = (float(v) for v in hit["boundingbox"])
            name = str(hit.get("name") or hit["display_name"]).strip()
        except (KeyError, TypeError, ValueError):
            continue
        detail = str(hit.get("display_name") or "")
        out.append({"name": name, "kind": "geocoder", "detail": detail, "bbox": (w, s, e, n)})
    return out


# ---------------------------------------------------------------- site upload

UPLOAD_KINDS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML", ".zip": "Shapefile"}


def upload_error(message_id: str, message_en: str, **kw: Any) -> SiteError:
    return SiteError(message_id, message_en, where="upload", **kw)


@router.post("/pages/upload")
async def upload_site(state: StateDep, file: UploadFile = File(...)) -> dict[str, Any]:
    """An uploaded site file (GeoJSON, KML, zipped Shapefile) as one GeoJSON Feature in
    EPSG:4326; several polygons are merged into one (Multi)Polygon."""
    settings = state.settings
    data = await file.read(settings.max_body_bytes + 1)
    if len(data) > settings.max_body_bytes:
        raise InputTooLarge(
            f"Berkas lebih besar dari {num_id(settings.max_body_bytes, 0)} bita",
            f"The file is larger than {settings.max_body_bytes:,} bytes",
            where="upload",
            hint_id="Unggah batas tapak saja, bukan seluruh peta",
            hint_en="Upload the site boundary only, not a whole map",
        )
    name = file.filename or ""
    # reading a map is GDAL's work, seconds for a large file: never on the event loop;
    # the site limits are counted on the file's bytes first (scan_site_file)
    geom, count, kind = await run_in_threadpool(
        read_site_file,
        name,
        data,
        settings.max_site_vertices,
        settings.max_upload_features,
        settings.max_site_parts,
    )
    return {
        "type": "Feature",
        "geometry": mapping(geom),
        "properties": {"features": count, "kind": kind, "file": Path(name).name},
    }


def read_site_file(
    name: str, data: bytes, max_vertices: int, max_features: int = 1000, max_parts: int = 100
) -> tuple[Any, int, str]:
    """The site geometry in EPSG:4326, the number of features read, and the file kind.
    A file of more than ``max_features`` features, ``max_vertices`` vertices or
    ``max_parts`` polygons is refused before GDAL reads its geometries."""
    suffix = Path(name).suffix.lower()
    kind = UPLOAD_KINDS.get(suffix)
    if kind is None:
        raise upload_error(
            f"Jenis berkas {suffix or '(tanpa akhiran)'} tidak didukung",
            f"File type {suffix or '(no extension)'} is not supported",
            hint_id="Unggah peta batas tapak: berkas .geojson atau .kml, atau Shapefile "
            "yang dikemas dalam .zip",
            hint_en="Upload a map of the site boundary: a .geojson or .kml file, or a "
            "Shapefile packed in a .zip",
        )
    with tempfile.TemporaryDirectory(prefix="kkpr-upload-") as tmp:
        path = Path(tmp) / f"site{suffix}"
        path.write_bytes(data)
        source = str(path)
        if suffix == ".zip":
            source = _shapefile_in_zip(path)
        elif kind == "GeoJSON":  # counted on its text, as a pre-check body is
            scan_site_body(data, max_vertices, max_parts, where="upload")
        elif kind == "KML":
            _scan_kml(data, max_vertices, max_parts)
        try:
            layers = pyogrio.list_layers(source)
            layer = next((str(n) for n, _t in layers), None)
            features = int(pyogrio.read_info(source, layer=layer)["features"])
            if features > max_features:
                raise InputTooLarge(
                    f"Peta ini berisi {num_id(features, 0)} fitur; batasnya {num_id(max_features, 0)}",
                    f"This map holds {features:,} features; the limit is {max_features:,}",
                    where="upload",
                    hint_id="Unggah batas tapak saja, bukan seluruh peta",
                    hint_en="Upload the site boundary only, not a whole map",
                )
            if suffix == ".zip":
                shp = source.removeprefix(f"/vsizip/{path}/")
                _scan_shapefile(path, shp, features, max_vertices)
            frame = pyogrio.read_dataframe(source, layer=layer)
        except InputTooLarge:
            raise
        except Exception as exc:  # GDAL raises several error types for unreadable files
            # the reader's own words go to software (``detail``), not into the sentence
            raise upload_error(
                "Berkas ini tidak dapat dibaca sebagai peta",
                "This file cannot be read as a map",
                hint_id="Berkas mungkin rusak atau terpotong: simpan lagi batas tapak dari "
                "aplikasi petanya, lalu unggah ulang",
                hint_en="The file may be damaged or cut short: save the site boundary again "
                "from the map application, then upload it again",
                extra={"detail": f"{kind}: {_short(exc)}"},
            ) from exc
    if frame.crs is None:
        raise upload_error(
            "Peta ini tidak menyebut sistem koordinatnya (berkas .prj tidak ada)",
            "This map does not say which coordinate system it uses (the .prj file is missing)",
            hint_id="Kemas ulang .zip bersama berkas .prj yang ada di samping berkas .shp",
            hint_en="Pack the .zip again with the .prj file that lies beside the .shp file",
        )
    geoms = shapely.force_2d(frame.to_crs(WGS84).geometry.values)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    return _one_site(geoms, max_vertices, max_parts), len(geoms), kind


KML_COORDINATES = re.compile(rb"<(?:\w+:)?coordinates[^>]*>(.*?)</(?:\w+:)?coordinates>", re.S)
KML_POLYGON = re.compile(rb"<(?:\w+:)?Polygon\b")
# a Shapefile's fixed bytes: the file header, then per record its header and the
# shape's type, box and counts; each point is 16 bytes, each part's start 4 more
SHP_HEADER_BYTES = 100
SHP_RECORD_BYTES = 52


def _scan_kml(data: bytes, max_vertices: int, max_parts: int) -> None:
    """The vertices (coordinate tuples) and polygons of a KML file, counted on its text."""
    vertices = sum(len(m.group(1).split()) for m in KML_COORDINATES.finditer(data))
    if vertices > max_vertices:
        raise too_many_vertices(vertices, max_vertices, where="upload")
    polygons = len(KML_POLYGON.findall(data))
    if polygons > max_parts:
        raise too_many_parts(polygons, max_parts, where="upload")


def _scan_shapefile(zip_path: Path, shp: str, features: int, max_vertices: int) -> None:
    """The fewest vertices the zipped ``.shp`` can hold, from its size in the zip's
    directory: every byte beyond the headers is a point or a part's start (a part holds
    at least four points), so GDAL never reads a file beyond the limit."""
    with zipfile.ZipFile(zip_path) as zf:
        size = zf.getinfo(shp).file_size
    at_least = (size - SHP_HEADER_BYTES - SHP_RECORD_BYTES * features) // 17
    if at_least > max_vertices:
        raise too_many_vertices(at_least, max_vertices, where="upload")


def _shapefile_in_zip(path: Path) -> str:
    try:
        names = zipfile.ZipFile(path).namelist()
    except zipfile.BadZipFile as exc:
        raise upload_error(
            "Berkas .zip rusak atau bukan zip",
            "The .zip file is damaged or not a zip",
        ) from exc
    shp = sorted(n for n in names if n.lower().endswith(".shp"))
    if not shp:
        raise upload_error(
            "Berkas .zip tidak berisi Shapefile (.shp)",
            "The .zip holds no Shapefile (.shp)",
            hint_id="Zip bersama .shp, .shx, .dbf dan .prj",
            hint_en="Zip the .shp together with its .shx, .dbf and .prj",
        )
    return f"/vsizip/{path}/{shp[0]}"


SHAPE_WORDS = {
    "Point": ("titik", "points"),
    "MultiPoint": ("titik", "points"),
    "LineString": ("garis", "lines"),
    "MultiLineString": ("garis", "lines"),
    "other": ("bentuk lain", "other shapes"),
}


def _one_site(geoms: Any, max_vertices: int, max_parts: int = 100) -> Any:
    if len(geoms) == 0:
        raise upload_error(
            "Berkas ini tidak berisi batas tapak",
            "This file holds no site boundary",
            hint_id="Gambar batas tapak di aplikasi peta, simpan, lalu unggah berkas itu",
            hint_en="Draw the site boundary in a map application, save it, then upload that file",
        )
    types = set(shapely.get_type_id(geoms).tolist())
    if types == {0} and len(geoms) == 1:
        return geoms[0]
    if not types <= {3, 6}:
        kinds = sorted({SHAPE_WORDS.get(g.geom_type, SHAPE_WORDS["other"]) for g in geoms})
        raise upload_error(
            "Batas tapak harus berupa bidang tertutup; berkas ini berisi "
            + ", ".join(k[0] for k in kinds),
            "The site boundary must be a closed area; this file holds "
            + ", ".join(k[1] for k in kinds),
            hint_id="Simpan batas tapak sebagai poligon (bidang tertutup), lalu unggah lagi",
            hint_en="Save the site boundary as a polygon (a closed area), then upload it again",
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        raise invalid_site(geoms[invalid][0], WGS84, where="upload")
    site = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    parts = int(shapely.get_num_geometries(site))
    if parts > max_parts:
        raise too_many_parts(parts, max_parts, where="upload")
    vertices = shapely.get_num_coordinates(site)
    if vertices > max_vertices:
        raise InputTooLarge(
            f"Tapak memiliki {vertices} titik sudut; batasnya {max_vertices}",
            f"The site has {vertices} vertices; the limit is {max_vertices}",
            where="upload",
            hint_id="Sederhanakan batas tapak",
            hint_en="Simplify the site boundary",
        )
    return site


def _short(exc: Exception) -> str:
    return re.sub(r"/tmp/\S+", "…", str(exc))[:200]


# ---------------------------------------------------------------- ITBX column


@router.get("/pages/pnbp", response_model=dict[str, Any])  # the estimate as it is
def pnbp_estimate(state: StateDep, area_m2: float = Query(..., gt=0, le=1e9)) -> PnbpEstimate:
    """The PKKPR's PNBP estimate for a business on ``area_m2`` of land, computed as the
    pipeline computes it; public only where the office says its tariff is in force."""
    settings = state.settings
    if not settings.pnbp_estimate_public:
        raise NotFound(
            "Perkiraan PNBP tidak ditampilkan di layanan ini",
            "This service does not show a PNBP estimate",
            where="area_m2",
            hint_id="Tanyakan besaran PNBP ke kantor perizinan",
            hint_en="Ask the licensing office for the PNBP amount",
        )
    return estimate(area_m2, Purpose.BERUSAHA, settings)


@router.get("/pages/itbx/{kodszn}")
def itbx_column(state: StateDep, kodszn: str) -> dict[str, Any]:
    """What the ITBX matrix says for every activity in one sub-zone column."""
    rules = state.store.rules()
    code = kodszn.strip().upper()
    rows = []
    for kode, activity in rules.activities.items():
        cell = rules.cell(kode, code)
        cls, codes = parse_cell(cell)
        rows.append(
            {
                "kode_kegiatan": kode,
                "kegiatan": activity.kegiatan,
                "cell": cell,
                "itbx": str(cls) if cls else None,
                "conditions": [
                    {"kode": c, "teks": rules.conditions[c].teks if c in rules.conditions else None}
                    for c in codes
                ],
            }
        )
    intensity = rules.intensity.get(code)
    return {
        "kodszn": code,
        "in_matrix": code in rules.subzones,
        "rows": rows,
        "intensity": asdict(intensity) if intensity else None,
    }


# ---------------------------------------------------------------- validation report


@router.get("/pages/validation")
def validation_on_map(state: StateDep, caller: Staff) -> dict[str, Any]:
    """The active plan's validation report (``/v1/plans/{id}/validation``) with each
    problem placed for the map: its WKT in EPSG:4326, or the features it names."""
    meta = state.store.rules().meta
    report = validation_report(state, meta.id)
    return {
        **report,
        "plan": {"id": meta.id, "version": meta.version, "name": meta.name},
        "problems": [p | _placed(p, meta.crs) for p in report["problems"]],
    }


LAYER_COLLECTIONS = {"pola_ruang": "zones", "ketentuan_khusus": "overlays"}
ZONE_CODES = ("itbx.no_column",)  # reported on itbx.csv, about zone polygons


def _placed(problem: ProblemJson, crs: str) -> dict[str, Any]:
    if problem.get("geometry_wkt"):
        geom = to_crs(shapely.from_wkt(problem["geometry_wkt"]), crs, WGS84)
        return {"geometry": dict(mapping(geom))}
    code = str(problem.get("code") or "")
    collection = LAYER_COLLECTIONS.get(Path(problem.get("file") or "").stem.lower()) or (
        "overlays" if code.startswith("overlays.") else "zones" if code in ZONE_CODES else None
    )
    if collection and problem.get("feature"):
        ids = [f.strip() for f in str(problem["feature"]).split(",") if f.strip()]
        return {"geometry": None, "locate": {"collection": collection, "ids": ids[:5]}}
    return {"geometry": None}
