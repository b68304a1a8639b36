"""Rendering the KKPR document: the location map, the QR code, the sheet, and the PDF.

matplotlib, qrcode and reportlab are imported inside the functions that use them:
the engine stays importable without them. The HTML page is the API's template
(``api/templates/pipeline/document.html``), fed by ``sheet`` like the PDF, so both
show the same facts.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from typing_extensions import TypedDict

from kkpr.pipeline.documents import DOCUMENT_NOTICE, DOCUMENT_TITLE, verify_url
from kkpr.rules.intensity import NAMES, RULES
from kkpr.settings import Settings
from kkpr.site import site_from_geojson, to_plan_crs
from kkpr.store.base import FeatureSource, Store
from kkpr.text import num_id

MAP_MARGIN_SHARE = 0.6  # the map shows this share of the site's size around it ...
MAP_MARGIN_MIN_M = 80.0  # ... and at least this many metres
MAP_MAX_ZONES = 500
MAP_ASPECT = 4 / 3  # width / height of the map figure
MAP_SIZE_IN = (6.0, 4.5)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# sub-zone colours after the usual RDTR legend, by the code's letter prefix
ZONE_COLOURS = {
    "R": "#f5e663",
    "K": "#e8706a",
    "KT": "#c78fd1",
    "C": "#f0a35e",
    "SPU": "#9c6b4e",
    "I": "#a86fc4",
    "KPI": "#8c4fb0",
    "SIKI": "#b48cd0",
    "TR": "#b0b0b0",
    "HK": "#6b7a4f",
    "PL": "#d9c9a3",
    "RTH": "#5cb85c",
    "PS": "#7fd1c7",
    "HL": "#2e7d32",
    "HP": "#558b2f",
    "HPT": "#689f38",
    "P": "#b9e08a",
    "W": "#f2b8d3",
    "IK": "#6fa8dc",
}
OTHER_COLOUR = "#dddddd"
INTENSITY_BOUND = {"min": ("maks.", "max."), "max": ("min.", "min.")}


def zone_colour(kodszn: str | None) -> str:
    prefix = re.split(r"[-\d]", (kodszn or "").upper(), maxsplit=1)[0]
    return ZONE_COLOURS.get(prefix, OTHER_COLOUR)


def map_extent(site: BaseGeometry) -> tuple[float, float, float, float]:
    """The site with its margin, widened to the map's aspect ratio."""
    minx, miny, maxx, maxy = site.bounds
    margin = max(MAP_MARGIN_MIN_M, MAP_MARGIN_SHARE * max(maxx - minx, maxy - miny))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w, half_h = (maxx - minx) / 2 + margin, (maxy - miny) / 2 + margin
    half_w, half_h = max(half_w, half_h * MAP_ASPECT), max(half_h, half_w / MAP_ASPECT)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def zones_near(
    store: Store, site: BaseGeometry, crs: str, plan_id: str | None = None
) -> list[dict[str, Any]]:
    """Zones around ``site`` (plan CRS) as small GeoJSON features clipped to the map."""
    extent = map_extent(site)
    rows: list[tuple[dict[str, Any], BaseGeometry]] = []
    plan = getattr(store, "plan", None)
    if plan is not None and hasattr(plan, "zones"):
        zones = plan.zones.cx[extent[0] : extent[2], extent[1] : extent[3]]
        for fid, r in zones.iterrows():
            rows.append(({"fid": str(fid), **_zone_props(r.to_dict())}, r.geometry))
    elif isinstance(store, FeatureSource):
        features, _n = store.features(
            "zones", bbox=extent, bbox_crs=crs, crs=crs, limit=MAP_MAX_ZONES, plan_id=plan_id
        )
        for f in features:
            props = {"fid": str(f.get("id")), **_zone_props(f.get("properties") or {})}
            rows.append((props, shape(f["geometry"])))
    out = []
    for props, geom in rows[:MAP_MAX_ZONES]:
        clipped = shapely.clip_by_rect(geom, *extent)
        if not clipped.is_empty:
            out.append(
                {"type": "Feature", "properties": props, "geometry": clipped.__geo_interface__}
            )
    return out


def _zone_props(raw: dict[str, Any]) -> dict[str, Any]:
    low = {str(k).lower(): v for k, v in raw.items()}
    return {k: _text(low.get(k)) for k in ("kodszn", "namszn", "kodzon", "namzon")}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def map_png(site: BaseGeometry, zones: list[dict[str, Any]], *, dpi: int = 150) -> bytes:
    """The location map: the site drawn over the coloured zones around it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=MAP_SIZE_IN, dpi=dpi)
    ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
    extent = map_extent(site)
    seen: dict[str, str] = {}
    for f in zones:
        geom = shape(f["geometry"])
        code = f["properties"].get("kodszn") or "?"
        colour = zone_colour(code)
        seen.setdefault(code, colour)
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon":
                continue
            x, y = poly.exterior.xy
            ax.fill(x, y, facecolor=colour, edgecolor="#555555", linewidth=0.6)
        point = geom.representative_point()
        ax.annotate(code, (point.x, point.y), ha="center", va="center", fontsize=7, color="#222")
    if site.geom_type == "Point":
        ax.plot(site.x, site.y, marker="o", markersize=9, color="#c00000", markeredgecolor="white")
    else:
        for poly in getattr(site, "geoms", [site]):
            x, y = poly.exterior.xy
            ax.fill(x, y, facecolor="none", edgecolor="#c00000", linewidth=2.2, hatch="///")
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    width = extent[2] - extent[0]
    bar = _nice_length(width / 4)
    x0, y0 = extent[0] + width * 0.04, extent[1] + (extent[3] - extent[1]) * 0.05
    ax.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=3)
    ax.annotate(
        f"{bar:g} m",
        (x0 + bar / 2, y0),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize=7,
    )
    ax.annotate("U/N ↑", (0.95, 0.93), xycoords="axes fraction", ha="right", fontsize=9)
    handles = [Patch(facecolor=c, edgecolor="#555", label=k) for k, c in sorted(seen.items())]
    handles.append(Patch(facecolor="none", edgecolor="#c00000", hatch="///", label="Tapak / site"))
    ax.legend(handles=handles, loc="upper left", fontsize=7, framealpha=0.9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _nice_length(value: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``value``."""
    import math

    power = 10 ** math.floor(math.log10(max(value, 1e-9)))
    return float(max(m * power for m in (1, 2, 5) if m * power <= value))


def qr_png(url: str) -> bytes:
    import qrcode

    image = qrcode.make(url, box_size=6, border=2)
    buf = io.BytesIO()
    image.save(buf)
    return buf.getvalue()


Row3 = tuple[str, str, str]  # (label in Bahasa Indonesia, label in English, value)


class SheetIntensity(TypedDict):
    rule: str
    id: str  # the rule and its name
    en: str
    limit: str  # the bound and the figure, in words
    source: str


class DocumentSheet(TypedDict):
    """A record's facts as labelled rows, shared by its HTML page and its PDF (``sheet``)."""

    title_id: str
    title_en: str
    notice_id: str
    notice_en: str
    coordinates: list[dict[str, Any]]  # each boundary vertex, with its figures as text
    crs: str
    form: str
    number: str
    rows: list[Row3]
    intensity: list[SheetIntensity]
    conditions: list[dict[str, Any]]  # the conditions as the record states them
    plan_rows: list[Row3]
    decided_by: dict[str, Any]  # as the record states it
    code: str
    url: str


def sheet(content: dict[str, Any], code: str, url: str) -> DocumentSheet:
    """The facts of a document as labelled rows, shared by the HTML page and the PDF."""
    title = content.get("title") or {"id": DOCUMENT_TITLE[0], "en": DOCUMENT_TITLE[1]}
    notice = content.get("notice") or {"id": DOCUMENT_NOTICE[0], "en": DOCUMENT_NOTICE[1]}
    teknis = content.get("data_teknis") or {}
    decision = content.get("decision") or {}
    loc = content["location"]
    act = content["activity"]
    place = ", ".join([*loc["kelurahan"], *loc["kecamatan"]]) or "—"
    zones = [
        f"{z.get('namzon') or z.get('kodzon') or '—'} / {z['kodszn']}"
        + (f" {z['namszn']}" if z.get("namszn") else "")
        + (f" (blok {z['kodblk']})" if z.get("kodblk") else "")
        + (f": {_num(z['area_m2'])} m²" if z["area_m2"] else "")
        for z in content["zones"]
    ] or ["— (di luar RDTR / outside the RDTR)"]
    rows: list[Row3] = [
        ("Nomor", "Number", content["number"]),
        ("Tanggal terbit", "Issued on", content["issued_on"]),
        ("Pemohon", "Applicant", content["applicant"]),
        ("Nama usaha", "Business name", content["business_name"]),
        ("Kegiatan (KBLI)", "Activity (KBLI)", f"{act['kbli']} {act.get('judul') or ''}".strip()),
        ("Kegiatan ITBX", "ITBX activity", f"{act.get('kegiatan') or ''} ({act['kode_kegiatan']})"),
        ("Lokasi", "Location", place),
        (
            "Koordinat",
            "Coordinates",
            f"{loc['lat']:.6f}, {loc['lon']:.6f}" if loc.get("lat") is not None else "—",
        ),
        ("Luas tapak", "Site area", f"{_num(loc['area_m2'])} m²"),
        ("Zona / sub-zona", "Zone / sub-zone", "; ".join(zones)),
    ]
    if teknis:
        officer = decision.get("officer") or {}
        rows += [
            ("Persetujuan", "Decision", teknis["persetujuan"]),
            ("Luas dimohon", "Area requested", f"{_num(teknis['luas_dimohon'])} m²"),
            ("Luas disetujui", "Area approved", f"{_num(teknis['luas'])} m²"),
            ("Nomor Pertek", "Land office Pertek no.", teknis.get("nomor_pertek") or "—"),
            ("Berlaku sampai", "Valid until", teknis.get("berlaku_sampai") or "—"),
            ("Diputuskan oleh", "Decided by",
             f"{officer.get('name') or '—'}" + (f" (NIP {officer['nip']})"
                                                 if officer.get("nip") else "")),
        ]  # fmt: skip
    intensity: list[SheetIntensity] = []
    for f in content["intensity"]:
        how = RULES.get(f["rule"], ("", "min", ""))[1]
        bound_id, bound_en = INTENSITY_BOUND[how]
        name_id, name_en = NAMES.get(f["rule"], (f["rule"], f["rule"]))
        intensity.append(
            {
                "rule": f["rule"],
                "id": f"{f['rule']} — {name_id}",
                "en": name_en,
                "limit": f"{bound_id} / {bound_en} {_num(f['limit'])} {f['unit'] or ''}".strip(),
                "source": f["source"],
            }
        )
    plan = content["plan"]
    coordinates = [
        {**c, "x_txt": _num(c["x"]), "y_txt": _num(c["y"]),
         "lon_txt": num_id(c["lon"], 7), "lat_txt": num_id(c["lat"], 7)}
        for c in teknis.get("koordinat_batas_bidang") or []
    ]  # fmt: skip
    return {
        "title_id": title["id"],
        "title_en": title["en"],
        "notice_id": notice["id"],
        "notice_en": notice["en"],
        "coordinates": coordinates,
        "crs": (content.get("plan") or {}).get("crs") or "UTM",
        "form": content["form"],
        "number": content["number"],
        "rows": rows,
        "intensity": intensity,
        "conditions": content["conditions"],
        "plan_rows": [
            ("Rencana", "Plan", f"{plan['name']} ({plan['id']})"),
            ("Versi rencana", "Plan version", plan["version"]),
            ("Dasar hukum", "Legal basis", plan["legal_basis"] or "—"),
        ],
        "decided_by": content["decided_by"],
        "code": code,
        "url": url,
    }


def _num(value: float | str | None) -> str:
    """Indonesian style: 1.234,5 (at most two decimals, no trailing zeros)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    text = num_id(float(value), 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def pdf_bytes(s: DocumentSheet, map_image: bytes, qr_image: bytes) -> bytes:
    """The document as an A4 PDF."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, bold = pdf_fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=7, leading=9, textColor=colors.grey)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=12.5, leading=16)
    sub = ParagraphStyle("sub", parent=body, fontName=bold, fontSize=9.5, leading=13)

    def label(id_: str, en: str) -> Paragraph:
        return Paragraph(f"{_esc(id_)}<br/><font size=6.5 color='grey'>{_esc(en)}</font>", body)

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table(rows, colWidths=widths)
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return t

    story: list[Any] = [
        Paragraph(_esc(s["title_id"].upper()) + f" ({s['form']})", head),
        Paragraph(_esc(s["title_en"]), small),
        Paragraph(_esc(s["notice_id"]) + "<br/>" + _esc(s["notice_en"]), small),
        Spacer(1, 0.3 * cm),
        table(
            [[label(i, e), Paragraph(_esc(str(v)), body)] for i, e, v in s["rows"]],
            [4.2 * cm, 12.8 * cm],
        ),
        Spacer(1, 0.25 * cm),
        Paragraph("Peta lokasi / Location map", sub),
        Image(io.BytesIO(map_image), width=13 * cm, height=13 * cm / MAP_ASPECT),
        Paragraph("Ketentuan intensitas / Intensity limits", sub),
    ]
    story.append(
        table(
            [
                [
                    label(r["id"], r["en"]),
                    Paragraph(_esc(r["limit"]), body),
                    Paragraph(_esc(r["source"]), small),
                ]
                for r in s["intensity"]
            ]
            or [[Paragraph("—", body), "", ""]],
            [7 * cm, 5 * cm, 5 * cm],
        )
    )
    if s["coordinates"]:
        story.append(Paragraph("Koordinat batas bidang / Boundary coordinates", sub))
        story.append(
            table(
                [[Paragraph(h, small) for h in ("No", "Bujur / lon", "Lintang / lat",
                                                f"X ({s['crs']})", f"Y ({s['crs']})")]]
                + [[Paragraph(str(c["no"]), body), Paragraph(c["lon_txt"], body),
                    Paragraph(c["lat_txt"], body), Paragraph(c["x_txt"], body),
                    Paragraph(c["y_txt"], body)] for c in s["coordinates"]],
                [1.2 * cm, 4 * cm, 4 * cm, 3.9 * cm, 3.9 * cm],
            )
        )  # fmt: skip
    story.append(Paragraph("Syarat / Conditions", sub))
    for c in s["conditions"] or [{"kode": "", "id": "Tidak ada syarat", "en": "No conditions"}]:
        kode = f"<b>{_esc(c['kode'])}</b> " if c.get("kode") else ""
        story.append(
            Paragraph(
                f"• {kode}{_esc(c['id'])}<br/><font color='grey'>{_esc(c['en'])}</font>", body
            )
        )
    story += [
        Spacer(1, 0.2 * cm),
        table(
            [[label(i, e), Paragraph(_esc(str(v)), body)] for i, e, v in s["plan_rows"]],
            [4.2 * cm, 12.8 * cm],
        ),
        Spacer(1, 0.3 * cm),
        table(
            [
                [
                    Image(io.BytesIO(qr_image), width=3 * cm, height=3 * cm),
                    Paragraph(
                        f"Kode verifikasi / Verification code:<br/><font name='{bold}' size=12>"
                        f"{_esc(s['code'])}</font><br/>Periksa keaslian di / Verify at:<br/>"
                        f"{_esc(s['url'])}",
                        body,
                    ),
                ]
            ],
            [3.4 * cm, 13.6 * cm],
        ),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
        title=f"{s['form']} {s['number']}",
        author="kkpr",
    )
    doc.build(story)
    return buf.getvalue()


def pdf_fonts() -> tuple[str, str]:
    """DejaVu (m², arrows, Indonesian text) when installed, else the PDF base fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- a stored document


def document_site(content: dict[str, Any], crs: str) -> BaseGeometry:
    """The document's site in ``crs`` (the CRS its map zones are stored in)."""
    loc = content["location"]
    return to_plan_crs(site_from_geojson(loc["geometry"], loc["crs"]), crs)


def document_map(doc: dict[str, Any]) -> bytes:
    """The location map of a stored document (``documents.get``)."""
    stored = doc["map_zones"] or {}
    crs = stored.get("crs") or "EPSG:4326"
    return map_png(document_site(doc["content"], crs), stored.get("features") or [])


def document_sheet(doc: dict[str, Any], settings: Settings) -> DocumentSheet:
    return sheet(doc["content"], doc["code"], verify_url(doc["number"], doc["code"], settings))


def document_pdf(doc: dict[str, Any], settings: Settings, map_image: bytes | None = None) -> bytes:
    s = document_sheet(doc, settings)
    return pdf_bytes(s, map_image or document_map(doc), qr_png(s["url"]))
