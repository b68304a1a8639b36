"""A case as staff read it on its own page: the application as recorded, the applicant
with what OSS sent about them, the OSS identifiers, the site's parts on the map (the
requested site, the part outside the RDTR, the conforming part, the approved part), the
steps taken so far, and what may be done next.

Nothing here recomputes a rule: the check, the conforming part, the clock and the
decision are the record's. The one geometry not in the record, the part of the site
outside the RDTR, is the site less the zone parts the store finds for it (the record
keeps its area, ``site.outside_m2``, not its shape).
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import mapping

from kkpr.db.sql import sql
from kkpr.errors import KkprError
from kkpr.oss.codes import words_of
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.db import loads
from kkpr.pipeline.search import kecamatan_of, kelurahan_of
from kkpr.site import WGS84, site_from_geojson, to_crs, to_plan_crs

# what OSS sends about the applicant and the land (kkpr.oss.messages.KkprApplication)
APPLICANT_FIELDS = (
    "nama_perseroan", "jenis_pelaku_usaha", "skala_usaha", "status_penanaman_modal",
    "flag_umk", "npwp_perseroan", "alamat_usaha", "memiliki_menguasai", "status_tanah",
    "luas_tanah", "satuan_luas_tanah", "uraian_usaha", "nama_kegiatan", "kewenangan",
    "flag_psn", "jenis_lokasi",
)  # fmt: skip
OSS_IDS = ("id_izin", "oss_id", "id_proyek", "kd_izin", "kd_daerah", "proyek_daerah_id",
           "id_kegiatan")  # fmt: skip
NOISE_M2 = 0.01  # an outside remainder smaller than this is the arithmetic of the cut


def case_file(pipe: Pipeline, app_id: str) -> dict[str, Any]:
    """The case ``app_id`` for its staff page (NotFound when there is none)."""
    app: dict[str, Any] = {**pipe.get(app_id)}  # its view, with the page's parts added
    app.pop("events", None)  # deliveries are the integration's page, not the case's
    with pipe.db.transaction() as tx:
        oss = tx.one(sql("SELECT * FROM oss_applications WHERE application_id = {}"), (app_id,))
    sent: dict[str, Any] = loads(oss["fields"]) if oss else {}
    check = app.get("check") or {}
    decision = app.get("decision") or {}
    app["oss"] = oss and {
        **{k: sent.get(k) for k in OSS_IDS},
        "nib": oss["nib"],
        "received_at": oss["received_at"],
    }
    app["applicant_detail"] = {
        "name": app["applicant"],
        "business_name": app["business_name"],
        "nib": app["nib"],
        "purpose": app["purpose"],
        **{k: sent.get(k) for k in APPLICANT_FIELDS},
    }
    # "01" as OSS sends it, and its words where OSS's list defines them
    app["applicant_words"] = words_of({k: sent.get(k) for k in APPLICANT_FIELDS})
    app["kelurahan"] = kelurahan_of(check)
    app["kecamatan"] = kecamatan_of(check)
    app["map"] = {
        "site": _lonlat_site(app),
        "outside": outside_part(pipe, app),
        "conforming": (check.get("conforming") or {}).get("geometry"),
        "approved": (decision.get("data_teknis") or {}).get("geometri_disetujui"),
    }
    return app


def _lonlat_site(app: dict[str, Any]) -> dict[str, Any]:
    site = site_from_geojson(app["site"], app["site_crs"])
    return dict(mapping(to_crs(site.geometry, site.crs, WGS84)))


def outside_part(pipe: Pipeline, app: dict[str, Any]) -> dict[str, Any] | None:
    """The part of the site outside the RDTR, longitude/latitude; None when the whole
    site lies inside it, or when the plan version of the check is no longer stored."""
    check = app.get("check") or {}
    if not (check.get("site") or {}).get("outside_m2"):
        return None
    plan_id = app["plan"]["id"]
    try:
        crs = pipe.store.rules(plan_id).meta.crs
        site = site_from_geojson(app["site"], app["site_crs"])
        located = pipe.store.locate(site, plan_id)
    except KkprError:
        return None
    geom = to_plan_crs(site, crs)
    if geom.geom_type == "Point":
        return None
    inside = [z.part for z in located.zones if z.part is not None]
    rest = shapely.difference(geom, shapely.union_all(inside)) if inside else geom
    rest = shapely.make_valid(rest)
    polys = [
        g for g in getattr(rest, "geoms", [rest]) if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    if not polys or sum(p.area for p in polys) < NOISE_M2:
        return None
    return dict(mapping(to_crs(shapely.union_all(polys), crs, WGS84)))
