"""Map styles of a plan's layers for GIS tools: OGC SLD 1.0 and QGIS QML.

The colours are the web maps' (``api/static/js/palette.js``): a sub-zone's fill is
its family's base colour lightened by the sub-zone's number (R-1 darkest); an
overlay is an outline coloured and dashed by its kind (JENIS); an RTRW class a hue
of its name. Each style is categorised by one property (``STYLED_BY``) over the
values the layer holds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FAMILY = {
    "R": "#e9c400", "K": "#d7301f", "KT": "#ef7d21", "SPU": "#9a5b2e", "C": "#f08a78",
    "I": "#7b3fa0", "KPI": "#6a2c91", "SIKI": "#9b6fc0", "TR": "#7d7d7d", "RTH": "#3f9a3f",
    "PS": "#1f5f2a", "HL": "#1b4d20", "HP": "#5d8f2b", "HPT": "#4f7f24", "P": "#9bd16a",
    "W": "#ec6fb0", "HK": "#6b6b2a", "PL": "#a99bd0", "IK": "#3f9fd6", "BA": "#5b9bd5",
    "PTL": "#b58b6b", "PK": "#e07b7b",
}  # fmt: skip
OVERLAY = {
    "KKOP": ("#1f4e9c", "8 6"), "KRB": ("#c0392b", "6 4"), "SEMPADAN": ("#0097a7", "4 4"),
    "CAGBUD": ("#7b4a12", "2 5"), "LP2B": ("#558b2f", "8 4"), "TOD": ("#6a1b9a", "10 4"),
    "HANKAM": ("#37474f", "3 3"), "KARST": ("#8d6e63", "6 3"), "RESAPAN": ("#1565c0", "2 3"),
}  # fmt: skip
OTHER_OVERLAY = ("#333333", "5 5")
STYLED_BY = {"zones": "kodszn", "overlays": "jenis", "rtrw": "namobj"}
ZONE_FILL_OPACITY = 0.62
OVERLAY_FILL_OPACITY = 0.06


@dataclass(frozen=True)
class Category:
    value: str
    fill: str  # #rrggbb
    fill_opacity: float
    stroke: str
    stroke_width: float
    dash: str | None  # "8 6" or None for a solid line


def _hex(rgb: tuple[float, float, float]) -> str:
    # halves round up, as JavaScript's Math.round in palette.js
    return "#" + "".join(f"{math.floor(v + 0.5):02x}" for v in rgb)


def _rgb(hex_: str) -> tuple[int, int, int]:
    n = int(hex_[1:], 16)
    return (n >> 16) & 255, (n >> 8) & 255, n & 255


def _hash_hue(text: str) -> int:
    h = 0
    for ch in text:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return h % 360


def _hsl(hue: float, s: float, lum: float) -> str:
    import colorsys

    r, g, b = colorsys.hls_to_rgb(hue / 360.0, lum, s)
    return _hex((r * 255, g * 255, b * 255))


def family(code: str) -> str:
    m = re.match(r"^[A-Z]+", code.upper())
    return m.group(0) if m else ""


def zone_colour(code: str) -> str:
    """The fill of a sub-zone code, as palette.js ``colourOf`` draws it."""
    fam = family(code)
    base = FAMILY.get(fam)
    if base is None:
        return _hsl(_hash_hue(fam or code), 0.45, 0.62)
    m = re.search(r"(\d+)\s*$", code)
    n = int(m.group(1)) if m else 1
    mix = min(0.12 * (n - 1), 0.6)
    return _hex(tuple(v + (255 - v) * mix for v in _rgb(base)))  # type: ignore[arg-type]


def categories(collection: str, values: list[str]) -> list[Category]:
    """One category per value of the layer's styling property."""
    out = []
    for v in values:
        if collection == "zones":
            out.append(Category(v, zone_colour(v), ZONE_FILL_OPACITY, "#4a4a4a", 0.6, None))
        elif collection == "overlays":
            colour, dash = OVERLAY.get(v.upper(), OTHER_OVERLAY)
            out.append(Category(v, colour, OVERLAY_FILL_OPACITY, colour, 2.5, dash))
        else:
            fill = _hsl(_hash_hue(v), 0.35, 0.75)
            out.append(Category(v, fill, 0.45, "#6b6b6b", 0.8, None))
    return out


# ---------------------------------------------------------------- SLD 1.0


def sld(collection: str, title: str, values: list[str]) -> str:
    """An OGC Styled Layer Descriptor 1.0 (QGIS, GeoServer, ArcGIS read it)."""
    prop = STYLED_BY[collection]
    rules = "".join(_sld_rule(prop, c) for c in categories(collection, values))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"
    xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <NamedLayer>
    <Name>{escape(collection)}</Name>
    <UserStyle>
      <Name>kkpr-{escape(collection)}</Name>
      <Title>{escape(title)}</Title>
      <FeatureTypeStyle>{rules}
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
"""


def _sld_rule(prop: str, c: Category) -> str:
    dash = (
        f'\n              <CssParameter name="stroke-dasharray">{c.dash}</CssParameter>'
        if c.dash
        else ""
    )
    return f"""
        <Rule>
          <Name>{escape(c.value)}</Name>
          <Title>{escape(c.value)}</Title>
          <ogc:Filter>
            <ogc:PropertyIsEqualTo>
              <ogc:PropertyName>{escape(prop)}</ogc:PropertyName>
              <ogc:Literal>{escape(c.value)}</ogc:Literal>
            </ogc:PropertyIsEqualTo>
          </ogc:Filter>
          <PolygonSymbolizer>
            <Fill>
              <CssParameter name="fill">{c.fill}</CssParameter>
              <CssParameter name="fill-opacity">{c.fill_opacity}</CssParameter>
            </Fill>
            <Stroke>
              <CssParameter name="stroke">{c.stroke}</CssParameter>
              <CssParameter name="stroke-width">{c.stroke_width}</CssParameter>{dash}
            </Stroke>
          </PolygonSymbolizer>
        </Rule>"""


# ---------------------------------------------------------------- QGIS QML


def qml(collection: str, values: list[str]) -> str:
    """A QGIS layer style (.qml): categorised by the layer's styling property."""
    prop = STYLED_BY[collection]
    cats = categories(collection, values)
    category_xml = "".join(
        f'\n      <category render="true" symbol="{i}" value={quoteattr(c.value)} '
        f"label={quoteattr(c.value)}/>"
        for i, c in enumerate(cats)
    )
    symbols = "".join(_qml_symbol(str(i), c) for i, c in enumerate(cats))
    return f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28" styleCategories="Symbology|Labeling">
  <renderer-v2 type="categorizedSymbol" attr={quoteattr(prop)} symbollevels="0" enableorderby="0" forceraster="0">
    <categories>{category_xml}
    </categories>
    <symbols>{symbols}
    </symbols>
  </renderer-v2>
</qgis>
"""


def _rgba(hex_: str, opacity: float) -> str:
    r, g, b = _rgb(hex_)
    return f"{r},{g},{b},{round(opacity * 255)}"


def _qml_symbol(name: str, c: Category) -> str:
    pen = "dash" if c.dash else "solid"
    custom = c.dash.replace(" ", ";") if c.dash else "5;2"
    use_custom = "1" if c.dash else "0"
    return f"""
      <symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <Option type="Map">
            <Option name="color" type="QString" value="{_rgba(c.fill, c.fill_opacity)}"/>
            <Option name="outline_color" type="QString" value="{_rgba(c.stroke, 1.0)}"/>
            <Option name="outline_style" type="QString" value="{pen}"/>
            <Option name="outline_width" type="QString" value="{c.stroke_width * 0.26:.2f}"/>
            <Option name="outline_width_unit" type="QString" value="MM"/>
            <Option name="style" type="QString" value="solid"/>
            <Option name="use_custom_dash" type="QString" value="{use_custom}"/>
            <Option name="customdash" type="QString" value="{custom}"/>
          </Option>
        </layer>
      </symbol>"""
