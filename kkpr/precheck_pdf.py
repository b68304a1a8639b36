"""The one-page PDF of a public pre-check: marked as a pre-check, not a permit; the map
drawn from the geometry (the zones around the site, the site, its conforming part);
the verdict, the limits and the next steps in Bahasa Indonesia with English beside
them; a QR code and the link back to the shareable page.

Pure drawing: the words arrive chosen (:class:`Sheet`), the geometry in the plan's
projected CRS (metres). reportlab and qrcode are imported inside the functions that use
them, so the engine stays importable without them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.pipeline.document_render import map_extent, pdf_fonts, zone_colour
from kkpr.text import num_id

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN = 34.0
MAP_SIZE = 250.0  # points, square
FONT_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # the body shrinks until the page holds it
OUTCOME_COLOURS = {
    "sesuai": "#1b7f3b",
    "sesuai_bersyarat": "#b26a00",
    "tidak_sesuai": "#b3261e",
    "perlu_kajian": "#3556a8",
}
CONFORMING_COLOUR = "#1b7f3b"


@dataclass(frozen=True)
class Words:
    """One text in both languages."""

    id: str
    en: str


@dataclass
class Sheet:
    """What the page says; geometry in the plan CRS (metres)."""

    mark: Words  # PRA-PERIKSA — BUKAN IZIN
    title: Words
    plan: str
    made: str  # when, as text
    record: str  # the check record's id
    outcome: str
    headline: Words
    sentence: Words
    facts: Words
    limits_heading: Words
    limits: list[tuple[Words, bool | None]]  # sentence, ok (None: not checked)
    steps_heading: Words
    steps: list[Words]
    disclaimer: Words
    link_label: Words
    link: str
    site: BaseGeometry
    conforming: BaseGeometry | None
    zones: list[tuple[BaseGeometry, str]]  # (geometry, kodszn), around the site
    legend_site: Words
    legend_conforming: Words
    map_note: Words = field(default_factory=lambda: Words("", ""))


def qr_image(url: str) -> Any:
    import qrcode
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    qrcode.make(url, box_size=4, border=1).save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


class _Writer:
    """A cursor down the page that wraps text and notes when it runs past the bottom."""

    def __init__(self, c: Any, font: str, bold: str, size: float, bottom: float) -> None:
        self.c, self.font, self.bold, self.size, self.bottom = c, font, bold, size, bottom
        self.overflow = False

    def lines(self, text: str, x: float, y: float, width: float, *, size: float | None = None,
              bold: bool = False, colour: str = "#111111") -> float:  # fmt: skip
        from reportlab.lib.colors import HexColor
        from reportlab.lib.utils import simpleSplit

        size = size or self.size
        font = self.bold if bold else self.font
        self.c.setFont(font, size)
        self.c.setFillColor(HexColor(colour))
        for line in simpleSplit(text, font, size, width) or [""]:
            if y - size < self.bottom:
                self.overflow = True
            self.c.drawString(x, y - size, line)
            y -= size * 1.25
        return y

    def both(self, words: Words, x: float, y: float, width: float, *, bold: bool = False,
             size: float | None = None) -> float:  # fmt: skip
        """Indonesian, then English smaller and grey beneath it."""
        size = size or self.size
        y = self.lines(words.id, x, y, width, size=size, bold=bold)
        if words.en and words.en != words.id:
            y = self.lines(words.en, x, y, width, size=size * 0.88, colour="#555555")
        return y


def _rings(geom: BaseGeometry) -> Iterator[list[tuple[float, float]]]:
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        yield list(poly.exterior.coords)
        for hole in poly.interiors:
            yield list(hole.coords)


def _draw_map(c: Any, s: Sheet, x0: float, y0: float, size: float, font: str) -> None:
    """The site over its zones inside the square (x0, y0, size), north up, with a scale."""
    from reportlab.lib.colors import Color, HexColor

    minx, miny, maxx, maxy = map_extent(s.site)
    span = max(maxx - minx, maxy - miny)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    k = size / span

    def pt(x: float, y: float) -> tuple[float, float]:
        return x0 + size / 2 + (x - cx) * k, y0 + size / 2 + (y - cy) * k

    def path(geom: BaseGeometry) -> Any:
        p = c.beginPath()
        for ring in _rings(geom):
            first = True
            for x, y in ring:
                px, py = pt(x, y)
                p.moveTo(px, py) if first else p.lineTo(px, py)
                first = False
            p.close()
        return p

    c.saveState()
    clip = c.beginPath()
    clip.rect(x0, y0, size, size)
    c.clipPath(clip, stroke=0, fill=0)
    c.setFillColor(HexColor("#f4f4f4"))
    c.rect(x0, y0, size, size, stroke=0, fill=1)
    c.setLineWidth(0.4)
    c.setStrokeColor(HexColor("#6b6b6b"))
    for geom, code in s.zones:
        colour = HexColor(zone_colour(code))
        c.setFillColor(Color(colour.red, colour.green, colour.blue, alpha=0.75))
        c.drawPath(path(geom), stroke=1, fill=1, fillMode=0)
    c.setFillColor(HexColor("#222222"))
    c.setFont(font, 6.5)
    for geom, code in s.zones:  # each sub-zone's code at a point inside it
        if code and geom.area * k * k > 300:
            px, py = pt(*shapely.get_coordinates(geom.representative_point())[0])
            c.drawCentredString(px, py - 2, code)
    if s.conforming is not None and not s.conforming.is_empty:
        green = HexColor(CONFORMING_COLOUR)
        c.setFillColor(Color(green.red, green.green, green.blue, alpha=0.35))
        c.setStrokeColor(green)
        c.setLineWidth(1.2)
        c.setDash(4, 3)
        c.drawPath(path(s.conforming), stroke=1, fill=1, fillMode=0)
        c.setDash()
    c.setStrokeColor(HexColor("#111111"))
    if s.site.geom_type == "Point":
        px, py = pt(s.site.x, s.site.y)
        c.setFillColor(HexColor("#ffffff"))
        c.setLineWidth(2.5)
        c.circle(px, py, 5, stroke=1, fill=1)
    else:
        c.setLineWidth(2.4)
        c.drawPath(path(s.site), stroke=1, fill=0)
    c.restoreState()
    c.setStrokeColor(HexColor("#444444"))
    c.setLineWidth(0.6)
    c.rect(x0, y0, size, size, stroke=1, fill=0)
    # a scale bar of a round length, about a quarter of the map
    metres = _nice(span / 4)
    c.setLineWidth(2)
    c.setStrokeColor(HexColor("#111111"))
    c.line(x0 + 8, y0 + 10, x0 + 8 + metres * k, y0 + 10)
    c.setFillColor(HexColor("#111111"))
    c.setFont(font, 7)
    c.drawString(x0 + 8, y0 + 14, f"{num_id(metres, 0)} m")
    c.drawRightString(x0 + size - 6, y0 + size - 12, "U/N ↑")


def _nice(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if step >= value:
            return float(step)
    return float(round(value, -3))


def _page(s: Sheet, size: float) -> tuple[bytes, bool]:
    """The page with body text of ``size`` points, and whether it ran past the bottom."""
    from reportlab.lib.colors import HexColor
    from reportlab.pdfgen import canvas

    font, bold = pdf_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    c.setTitle(f"{s.mark.id} — {s.headline.id}")
    c.setAuthor("kkpr")
    c.setSubject(s.mark.en)
    footer_top = MARGIN + 74
    w = _Writer(c, font, bold, size, footer_top)
    width = PAGE_W - 2 * MARGIN
    # the mark: a pre-check, not a permit, across the top
    top = PAGE_H - MARGIN
    c.setFillColor(HexColor("#fff1d6"))
    c.rect(MARGIN, top - 48, width, 48, stroke=0, fill=1)
    y = w.lines(s.mark.id, MARGIN + 8, top - 5, width - 16, size=10, bold=True, colour="#7a4500")
    y = w.lines(s.mark.en, MARGIN + 8, y, width - 16, size=8, colour="#7a4500")
    c.setStrokeColor(HexColor("#b26a00"))
    c.setLineWidth(1.2)
    c.rect(MARGIN, y - 4, width, top - y + 4, stroke=1, fill=0)
    y -= 14
    y = w.both(s.title, MARGIN, y, width, bold=True, size=12)
    y = w.lines(f"{s.plan} · {s.made} · {s.record}", MARGIN, y, width, size=7, colour="#555555")
    # the verdict
    y -= 4
    top = y
    colour = OUTCOME_COLOURS.get(s.outcome, "#333333")
    inner = MARGIN + 12
    y = w.lines(s.headline.id, inner, y - 6, width - 20, size=13, bold=True, colour=colour)
    y = w.lines(s.headline.en, inner, y, width - 20, size=9, colour=colour)
    y = w.both(s.sentence, inner, y - 2, width - 20)
    y = w.both(s.facts, inner, y - 2, width - 20, size=size * 0.95)
    c.setStrokeColor(HexColor(colour))
    c.setLineWidth(4)
    c.line(MARGIN + 2, top - 2, MARGIN + 2, y + 2)
    # the map on the left, the limits beside it
    y -= 8
    map_top = y
    _draw_map(c, s, MARGIN, map_top - MAP_SIZE, MAP_SIZE, font)
    ly = map_top - MAP_SIZE - 4
    for swatch, words in (
        (("#111111", False), s.legend_site),
        (("#1b7f3b", True), s.legend_conforming),
    ):
        c.setStrokeColor(HexColor(swatch[0]))
        c.setLineWidth(1.5)
        if swatch[1]:
            c.setDash(3, 2)
        c.rect(MARGIN, ly - 8, 10, 7, stroke=1, fill=0)
        c.setDash()
        ly = w.lines(f"{words.id} / {words.en}", MARGIN + 14, ly, MAP_SIZE - 14, size=6.5)
    if s.map_note.id:
        ly = w.both(s.map_note, MARGIN, ly - 2, MAP_SIZE, size=6.5)
    col_x = MARGIN + MAP_SIZE + 14
    col_w = width - MAP_SIZE - 14
    ry = w.both(s.limits_heading, col_x, map_top, col_w, bold=True, size=size + 1.5)
    for words, ok in s.limits:
        mark = "✓" if ok else "✕" if ok is False else "–"
        tone = "#1b7f3b" if ok else "#b3261e" if ok is False else "#555555"
        w.lines(mark, col_x, ry - 1, 10, bold=True, colour=tone)
        ry = w.both(words, col_x + 12, ry, col_w - 12) - 2
    y = min(ly, ry) - 8
    # what to do next
    y = w.both(s.steps_heading, MARGIN, y, width, bold=True, size=size + 1.5)
    for i, step in enumerate(s.steps, start=1):
        w.lines(f"{i}.", MARGIN, y, 14, bold=True)
        y = w.both(step, MARGIN + 14, y, width - 14) - 2
    # the link back, its QR code, and what this page is not (below the body's bottom)
    w.bottom = 0
    qr = 66.0
    c.drawImage(qr_image(s.link), PAGE_W - MARGIN - qr, MARGIN, qr, qr)
    fy = MARGIN + qr
    fy = w.both(s.link_label, MARGIN, fy, width - qr - 10, bold=True, size=7.5)
    fy = w.lines(s.link, MARGIN, fy, width - qr - 10, size=6.5, colour="#1a4fa0")
    w.both(s.disclaimer, MARGIN, fy - 3, width - qr - 10, size=7)
    c.showPage()
    c.save()
    return buf.getvalue(), w.overflow


def precheck_pdf(s: Sheet) -> bytes:
    """The summary as one A4 page: the body shrinks until it fits above the footer."""
    pdf = b""
    for size in FONT_SIZES:
        pdf, overflow = _page(s, size)
        if not overflow:
            break
    return pdf
