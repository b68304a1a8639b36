"""The server-made one-page PDF of a public pre-check (``GET /pages/precheck.pdf``).

It takes the shareable link's parameters (``kbli``, ``site``, the building figures:
``kkpr.permalink``), checks the site as ``POST /v1/precheck`` does (stored in the check
log, as every answered check is), and writes the page's own words in both languages
around the result: the verdict, the limits (the result's own sentences), the next
steps (the same catalogue keys and choices as ``api/static/js/result.js``), and the
link back as text and QR code. The drawing is :mod:`kkpr.precheck_pdf`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import shapely
from shapely.geometry import shape

from api.deps import AppState
from api.i18n import MESSAGES
from api.schemas import CheckIn
from kkpr.kugi import overlay_kinds
from kkpr.model import CheckResultDict, Effect
from kkpr.permalink import FIGURES, read_link
from kkpr.pipeline.document_render import zones_near
from kkpr.precheck_pdf import Sheet, Words, precheck_pdf
from kkpr.rules.effects import efek_effect
from kkpr.site import WGS84, site_from_geojson, to_crs, to_plan_crs
from kkpr.text import num_id


def words(key: str, **values: Any) -> Words:
    """A catalogue message in both languages, numbers written each language's way."""
    id_, en = MESSAGES.get(key, (key, key))
    as_id = {k: num_id(v, 0) if isinstance(v, float) else v for k, v in values.items()}
    as_en = {k: f"{v:,.0f}" if isinstance(v, float) else v for k, v in values.items()}
    return Words(id_.format(**as_id), en.format(**as_en))


def _pair(obj: Mapping[str, object], stem: str = "") -> Words:
    return Words(str(obj.get(f"{stem}id", "")), str(obj.get(f"{stem}en", "")))


def link_of(state: AppState, base_url: str, params: dict[str, str]) -> str:
    """The shareable page this PDF was made from (``/#kbli=...&site=...``)."""
    keep = {k: params[k] for k in ("kbli", "site", *FIGURES) if params.get(k)}
    base = (state.settings.public_base_url or base_url).rstrip("/")
    return f"{base}/#{urlencode(keep)}"


def check_body(params: dict[str, str]) -> CheckIn:
    site, kbli, figures = read_link(params)
    return CheckIn.model_validate({"site": site, "kbli": kbli, "proposal": figures})


def next_steps(r: CheckResultDict, rdtr_in_oss: bool, state: AppState) -> list[Words]:
    """What to do next for this outcome and form: ``renderNext`` of result.js."""
    s = state.settings
    out: list[Words] = []
    outcome = r["outcome"]
    reasons = r.get("reasons") or []
    conds = r.get("conditions") or []

    def by_effect(effect: str) -> list[Words]:
        return [_pair(x) for x in reasons if x.get("effect") == effect]

    if outcome != "tidak_sesuai":
        out.append(words("next.nib"))
    if outcome == "sesuai" and rdtr_in_oss:
        out.append(words("next.kkkpr_auto"))
        if r.get("intensity"):
            out.append(words("next.keep_limits"))
    elif outcome == "sesuai_bersyarat" and rdtr_in_oss:
        out.append(words("next.kkkpr_auto_conditions"))
        out += _condition_steps(r)
    elif outcome == "tidak_sesuai":
        out += by_effect("tidak_sesuai")
        out.append(words("next.other_site"))
        over = any(i.get("ok") is False for i in r.get("intensity") or []) or any(
            k.get("ok") is False for c in conds for k in c.get("checks", [])
        )
        if over:
            out.append(words("next.reduce"))
    elif r.get("form") == "PKKPR" or not rdtr_in_oss:
        out.append(words("next.pkkpr_path", days=s.review_deadline_working_days))
        out.append(words("next.pkkpr_docs"))
        out.append(words("next.pnbp_ask"))
        out += by_effect("perlu_kajian")
        if outcome == "sesuai_bersyarat":
            out += _condition_steps(r)
    else:
        out.append(words("next.review_path", days=s.review_conditional_deadline_working_days))
        out += by_effect("perlu_kajian")
    unverified = sum(1 for i in r.get("intensity") or [] if i.get("ok") is None) + sum(
        1 for c in conds for k in c.get("checks", []) if k.get("ok") is None
    )
    if unverified and outcome != "tidak_sesuai":
        out.append(words("next.fill_figures"))
    where = ", ".join(v for v in (s.office_name, s.office_address) if v)
    office = words("next.office", office=where)
    if s.office_hours:
        hours = words("next.office_hours", hours=s.office_hours)
        office = Words(f"{office.id} {hours.id}", f"{office.en} {hours.en}")
    out.append(office)
    return out


def _condition_steps(r: CheckResultDict) -> list[Words]:
    out = []
    for c in r.get("conditions") or []:
        teks = re.sub(rf"^\s*{re.escape(c['kode'])}\s*[:.]\s*", "", c.get("teks") or "")
        key = "next.condition_b" if c.get("kind") == "B" else "next.condition_t"
        out.append(words(key, kode=c["kode"], teks=teks))
    kinds = overlay_kinds()
    for o in r.get("overlays") or []:
        if efek_effect(o.get("efek")) is Effect.CONDITION and o.get("deciding"):
            kind = kinds.get(o["jenis"])
            named = Words(
                f"{o['jenis']} ({kind.nama_id})" if kind else o["jenis"],
                f"{o['jenis']} ({kind.nama_en})" if kind else o["jenis"],
            )
            step = words("next.overlay_b", jenis="{jenis}")
            out.append(
                Words(step.id.replace("{jenis}", named.id), step.en.replace("{jenis}", named.en))
            )
    for x in r.get("rasters") or []:
        if x.get("exceeded") and efek_effect(x.get("efek")) is Effect.CONDITION:
            label = _pair(x, "label_")
            step = words("next.raster_b", label="{label}")
            out.append(
                Words(step.id.replace("{label}", label.id), step.en.replace("{label}", label.en))
            )
    return out


def _form(r: CheckResultDict, rdtr_in_oss: bool) -> str:
    return "PKKPR" if r.get("form") == "KKKPR" and not rdtr_in_oss else str(r.get("form"))


def sheet(state: AppState, record: dict[str, Any], link: str, rdtr_in_oss: bool) -> Sheet:
    """The page's words and geometry for a stored pre-check ``record``."""
    r: CheckResultDict = record["result"]
    rules = state.store.rules(record.get("plan_id"))
    crs = rules.meta.crs
    site_geojson = record["inputs"]["site"]
    site = to_plan_crs(site_from_geojson(site_geojson, record["inputs"].get("crs")), crs)
    conforming = (r.get("conforming") or {}).get("geometry")
    zones = [
        (shape(f["geometry"]), str((f.get("properties") or {}).get("kodszn") or ""))
        for f in zones_near(state.store, site, crs, record.get("plan_id"))
    ]
    act = r.get("activity") or {}
    summary: Mapping[str, object] = next(
        (x for x in r.get("reasons") or [] if x.get("code") == "outcome"), {}
    )
    s = r.get("site") or {}
    point = s.get("geometry_type") == "Point"
    facts = words(
        "res.facts_point" if point else "res.facts",
        kbli=act.get("kbli", ""),
        judul=act.get("judul") or act.get("kegiatan") or "",
        area=float(s.get("area_m2") or 0.0),
        lat=f"{s.get('lat', 0):.6f}",
        lon=f"{s.get('lon', 0):.6f}",
    )
    form = words(f"form.{_form(r, rdtr_in_oss)}")
    share = float((r.get("conforming") or {}).get("share") or 0.0)
    if point:
        note = Words("", "")
    elif share >= 0.9995:
        note = words("precheck.conforming.all")
    elif share > 0:
        note = words(
            "precheck.conforming.some",
            area=float(r["conforming"]["area_m2"] or 0.0),  # share > 0: an area
            share=f"{share * 100:.1f}%",
        )
        note = Words(note.id.replace(f"{share * 100:.1f}%", f"{num_id(share * 100, 1)}%"), note.en)
    else:
        note = words("precheck.conforming.none")
    limits: list[tuple[Words, bool | None]] = [
        (_pair(i, "basis_"), i.get("ok")) for i in r.get("intensity") or []
    ]
    for c in r.get("conditions") or []:
        for k in c.get("checks", []):
            limits.append(
                (Words(c.get("teks") or c["kode"], c.get("teks") or c["kode"]), k.get("ok"))
            )
    made = datetime.fromisoformat(record["created_at"]).astimezone(UTC)
    return Sheet(
        mark=words("res.print_mark"),
        title=words("pc.title"),
        plan=f"{rules.meta.name} ({record.get('plan_version', '')})",
        made=made.strftime("%Y-%m-%d %H:%M UTC"),
        record=str(record["id"]),
        outcome=r["outcome"],
        headline=words(f"out.{r['outcome']}"),
        sentence=_pair(summary),
        facts=Words(f"{facts.id} {form.id}", f"{facts.en} {form.en}"),
        limits_heading=words("precheck.pdf.limits"),
        limits=limits,
        steps_heading=words("next.heading"),
        steps=next_steps(r, rdtr_in_oss, state),
        disclaimer=words("res.disclaimer"),
        link_label=words("res.permalink"),
        link=link,
        site=site,
        conforming=to_crs(shape(conforming), WGS84, crs) if conforming else None,
        zones=[(g, code) for g, code in zones if not shapely.is_empty(g)],
        legend_site=words("map.site"),
        legend_conforming=words("precheck.conforming.legend"),
        map_note=note,
    )


def summary_pdf(state: AppState, record: dict[str, Any], link: str, rdtr_in_oss: bool) -> bytes:
    return precheck_pdf(sheet(state, record, link, rdtr_in_oss))
