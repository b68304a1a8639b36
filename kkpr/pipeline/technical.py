"""The decision's technical data (OSS ``data_teknis`` of ``IZINFINALKKPR``), from the engine.

Nothing here is typed by staff except the decision, its reasons and conditions, and the
Pertek: the approved area, the space use, the intensity limits and the boundary
coordinates come from the engine's check of the approved polygon (``check``) and
from the plan. A limit the plan does not set is written ``tidak diatur``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from typing_extensions import TypedDict

from kkpr.errors import InvalidInput
from kkpr.model import PartJson, PlanRules
from kkpr.pipeline.findings import CarriedCondition, CheckJson
from kkpr.site import WGS84, to_crs

NOT_SET = "tidak diatur"
PERSETUJUAN = {
    "seluruhnya": "disetujui seluruhnya",
    "sebagian": "disetujui sebagian",
    "ditolak": "ditolak seluruhnya",
}


class BoundaryVertex(TypedDict):
    """A numbered vertex of the approved parcel's boundary (``koordinat_batas_bidang``):
    its polygon (``bagian``) and ring (``cincin``, 0 the outer), plan CRS ``x``/``y``."""

    no: int
    bagian: int
    cincin: int
    x: float
    y: float
    lon: float
    lat: float


class DataTeknis(TypedDict):
    """The technical data of a decision, under OSS's field names (``IZINFINALKKPR``); a
    limit the plan does not set is ``tidak diatur`` (``NOT_SET``)."""

    luas: float | None
    luas_dimohon: float | None
    satuan_luas: str
    jenis_peruntukan: str
    jenis_peruntukan_uraian: str
    koefisien_dasar_bangunan: float | str
    koefisien_lantai_bangunan: float | str
    garis_sempadan_bangunan: float | str
    jarak_bebas_bangunan: float | str
    koefisien_dasar_hijau: float | str
    indikasi_program_pemanfaatan_ruang: str
    persyaratan_pelaksanaan_kegiatan: list[str]
    jaringan_utilitas_kota: str
    persetujuan: str
    url_peta: str | None
    url_keterangan_peta: str | None
    ketentuan_umum: str
    koordinat_batas_bidang: list[BoundaryVertex]
    geometri_disetujui: dict[str, Any] | None
    nomor_pertek: str | None
    nomor_perda_rtr: str
    berlaku_sampai: str | None


class PartialApprovalError(InvalidInput):
    """An approved part that is not a part of the requested site, or not acceptable."""

    kind = "partial-approval-invalid"


def approved_part(
    requested: BaseGeometry, approved: BaseGeometry, tolerance_m2: float
) -> BaseGeometry:
    """``approved`` (plan CRS) checked as a part of ``requested``: a polygon, valid,
    inside the requested site (up to ``tolerance_m2`` of drawing slack), and smaller."""
    if approved.geom_type not in ("Polygon", "MultiPolygon") or approved.is_empty:
        raise PartialApprovalError(
            "Bagian yang disetujui harus berupa poligon",
            "The approved part must be a polygon",
            where="approved_site",
            hint_id="Gambar atau potong poligon di peta petugas, atau kirim GeoJSON Polygon",
            hint_en="Draw or cut a polygon on the staff map, or send a GeoJSON Polygon",
        )
    if not approved.is_valid:
        raise PartialApprovalError(
            f"Poligon yang disetujui tidak sah: {shapely.is_valid_reason(approved)}",
            f"The approved polygon is invalid: {shapely.is_valid_reason(approved)}",
            where="approved_site",
            hint_id="Perbaiki poligon (tanpa sisi yang saling memotong)",
            hint_en="Fix the polygon (no self-intersections)",
        )
    if requested.geom_type == "Point":
        raise PartialApprovalError(
            "Lokasi yang dimohon berupa titik: tidak dapat disetujui sebagian",
            "The requested site is a point: it cannot be approved in part",
            where="approved_site",
        )
    outside = approved.difference(requested).area
    if outside > tolerance_m2:
        raise PartialApprovalError(
            f"Bagian yang disetujui keluar dari lokasi yang dimohon seluas {outside:.1f} m²",
            f"The approved part lies {outside:.1f} m² outside the requested site",
            where="approved_site",
            hint_id="Bagian yang disetujui harus berada di dalam lokasi yang dimohon",
            hint_en="The approved part must lie inside the requested site",
            extra={"outside_m2": round(outside, 2)},
        )
    if approved.area >= requested.area - tolerance_m2:
        raise PartialApprovalError(
            "Bagian yang disetujui sama dengan seluruh lokasi: gunakan 'disetujui seluruhnya'",
            "The approved part is the whole site: approve it in full instead",
            where="approved_site",
        )
    return approved.intersection(requested)


def boundary_table(geom: BaseGeometry, crs: str) -> list[BoundaryVertex]:
    """The numbered boundary vertices of the approved parcel, in the plan's CRS (UTM) and
    in longitude/latitude; each ring's closing vertex is not repeated."""
    polygons = list(getattr(geom, "geoms", [geom]))
    rows: list[BoundaryVertex] = []
    for part, poly in enumerate(polygons, 1):
        for ring_no, ring in enumerate([poly.exterior, *poly.interiors]):
            coords = list(ring.coords)[:-1]
            lonlat = to_crs(shapely.MultiPoint(coords), crs, WGS84) if coords else None
            for (x, y), p in zip(coords, getattr(lonlat, "geoms", []), strict=True):
                rows.append({
                    "no": len(rows) + 1, "bagian": part, "cincin": ring_no,
                    "x": round(x, 2), "y": round(y, 2),
                    "lon": round(p.x, 7), "lat": round(p.y, 7),
                })  # fmt: skip
    return rows


def _limit(found: CheckJson, rule: str) -> float | str:
    for f in found.get("intensity", []):
        if f["rule"] == rule and f.get("limit") is not None:
            return float(f["limit"])
    return NOT_SET


def road_setbacks(found: CheckJson) -> tuple[float | None, float | None]:
    """The GSB and JBB a site must keep from the roads it fronts (the check's
    ``setbacks``, kkpr.rules.setbacks): OSS takes one number each, so the widest of the
    frontages governs (a setback is a minimum). (None, None) where the check found no
    road the site fronts."""
    fronts = [s for s in found.get("setbacks") or [] if s.get("kind") == "frontage"]
    gsb = [float(g) for s in fronts if (g := s.get("gsb")) is not None]
    jbb = [float(j) for s in found.get("setbacks") or [] if (j := s.get("jbb")) is not None]
    return (max(gsb) if gsb else None), (max(jbb) if jbb else None)


def _gsb(rules: PlanRules, parts: list[PartJson], by_road: float | None) -> float | str:
    if by_road is not None:  # the roads the site fronts, by their class (gsb.csv)
        return by_road
    values = [
        i.gsb
        for p in parts
        if (i := rules.intensity.get(p["kodszn"])) is not None and i.gsb is not None
    ]
    return max(values) if values else NOT_SET  # a setback is a minimum: the widest governs


def data_teknis(
    *,
    rules: PlanRules,
    found: CheckJson,
    approved: BaseGeometry | None,
    plan_crs: str,
    requested_m2: float | None,
    approved_m2: float | None,
    persetujuan: str,
    reasons: list[str],
    conditions: list[CarriedCondition],
    nomor_pertek: str | None,
    valid_until: date | None,
    record_url: str | None,
) -> DataTeknis:
    """The technical data of a decision (OSS field names), computed from ``found``: the
    engine's check of the approved polygon (of the whole site when approved in full)."""
    deciding = sorted(
        (p for p in found.get("parts", []) if p.get("deciding")), key=lambda p: -p["area_m2"]
    )
    uses = sorted({f"{p.get('namszn') or p['kodszn']} ({p['kodszn']})" for p in deciding})
    rejected = persetujuan == "ditolak"
    gsb_by_road, jbb_by_road = road_setbacks(found)  # the roads the site fronts, once
    return {
        "luas": None if rejected else approved_m2,
        "luas_dimohon": requested_m2,
        "satuan_luas": "m2",
        # OSS takes a code here (the largest deciding sub-zone); the words go beside it
        "jenis_peruntukan": deciding[0]["kodszn"] if deciding else NOT_SET,
        "jenis_peruntukan_uraian": "; ".join(uses) if uses else NOT_SET,
        "koefisien_dasar_bangunan": _limit(found, "KDB"),
        "koefisien_lantai_bangunan": _limit(found, "KLB"),
        "garis_sempadan_bangunan": _gsb(rules, deciding, gsb_by_road),
        # JBB by road class where the plan's gsb.csv gives it
        "jarak_bebas_bangunan": jbb_by_road or NOT_SET,
        "koefisien_dasar_hijau": _limit(found, "KDH"),
        "indikasi_program_pemanfaatan_ruang": NOT_SET,
        "persyaratan_pelaksanaan_kegiatan": [c["id"] for c in conditions],
        "jaringan_utilitas_kota": NOT_SET,
        "persetujuan": f"{PERSETUJUAN[persetujuan]}: " + "; ".join(reasons),
        "url_peta": record_url,
        "url_keterangan_peta": record_url,
        "ketentuan_umum": NOT_SET,  # the plan package has no KUPZ texts yet
        "koordinat_batas_bidang": []
        if rejected or approved is None
        else boundary_table(approved, plan_crs),
        "geometri_disetujui": None
        if rejected or approved is None
        else dict(mapping(to_crs(approved, plan_crs, WGS84))),
        "nomor_pertek": nomor_pertek,
        "nomor_perda_rtr": rules.meta.legal_basis,
        "berlaku_sampai": None if rejected or valid_until is None else valid_until.isoformat(),
    }
