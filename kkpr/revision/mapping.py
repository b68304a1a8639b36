"""A plan diff as one self-contained HTML map (folium), readable with no network.

Folium links Leaflet, jQuery and Bootstrap from CDNs by default; here the page gets
only Leaflet, inlined from the copy vendored in ``api/static/vendor/leaflet/`` (its
CSS images as data URIs), and no tile layer: the new plan's zones are the backdrop.
folium is loaded with this module only, which the command line imports when a map is
asked for (``kkpr plan diff --map``): the core does not need it to compute a diff.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

from kkpr.errors import KkprError
from kkpr.revision.diff import PlanDiff

LEAFLET_DIR = Path(__file__).resolve().parents[2] / "api" / "static" / "vendor" / "leaflet"
KIND_COLOURS = {
    "kodszn": "#d7191c",
    "intensity": "#fdae61",
    "flags": "#abd9e9",
    "added": "#1a9641",
    "removed": "#7b3294",
}
KIND_LABELS = {
    "kodszn": "sub-zona berubah / sub-zone changed",
    "intensity": "intensitas berubah / intensity changed",
    "flags": "tanda ketentuan khusus / overlay flags changed",
    "added": "masuk RDTR / newly in the RDTR",
    "removed": "keluar RDTR / no longer in the RDTR",
}
# a backdrop of more polygons than this makes the page too heavy to open
MAX_BACKDROP_FEATURES = 20_000


def diff_map(
    diff: PlanDiff,
    path: Path,
    backdrop: gpd.GeoDataFrame | None = None,
    *,
    leaflet_dir: Path = LEAFLET_DIR,
) -> Path:
    """Write the map of ``diff`` to ``path``; ``backdrop`` is usually the new plan's zones."""
    layers = [diff.zones_changed, diff.overlays_added, diff.overlays_removed]
    if backdrop is not None:
        layers.append(backdrop)
    bounds = _bounds([lyr for lyr in layers if len(lyr)])
    m = folium.Map(tiles=None, zoom_start=14, attributionControl=False, control_scale=True)
    inline_leaflet(m, leaflet_dir)
    if backdrop is not None and 0 < len(backdrop) <= MAX_BACKDROP_FEATURES:
        back = backdrop[["kodszn", "geometry"]].to_crs("EPSG:4326")
        folium.GeoJson(
            back.__geo_interface__,
            name="rencana baru / new plan",
            style_function=lambda _f: {"color": "#888", "weight": 0.5, "fillOpacity": 0.05},
            tooltip=folium.GeoJsonTooltip(["kodszn"], aliases=["sub-zona"]),
        ).add_to(m)
    zones = diff.zones_changed
    if len(zones):
        shown = zones[["kind", "detail", "area_m2", "old_fid", "new_fid", "geometry"]].copy()
        shown["area_m2"] = shown["area_m2"].round(1)
        folium.GeoJson(
            shown.to_crs("EPSG:4326").__geo_interface__,
            name="zona berubah / zones changed",
            style_function=_zone_style,
            tooltip=folium.GeoJsonTooltip(
                ["detail", "area_m2", "old_fid", "new_fid"],
                aliases=["perubahan / change", "luas / area m²", "fid lama", "fid baru"],
            ),
        ).add_to(m)
    for frame, name, colour, dash in (
        (diff.overlays_added, "ketentuan khusus ditambah / overlays added", "#1a9641", None),
        (diff.overlays_removed, "ketentuan khusus dihapus / overlays removed", "#d7191c", "6 4"),
    ):
        if len(frame):
            shown = frame[["jenis", "keterangan", "efek", "geometry"]].fillna("")
            folium.GeoJson(
                shown.to_crs("EPSG:4326").__geo_interface__,
                name=name,
                style_function=lambda _f, c=colour, d=dash: {
                    "color": c,
                    "weight": 2,
                    "dashArray": d,
                    "fillOpacity": 0.15,
                },
                tooltip=folium.GeoJsonTooltip(["jenis", "keterangan", "efek"]),
            ).add_to(m)
    if bounds is not None:
        m.fit_bounds(bounds)
    folium.LayerControl(collapsed=False).add_to(m)
    m.get_root().html.add_child(folium.Element(_legend(diff)))  # type: ignore[attr-defined]
    path = Path(path)
    m.save(str(path))
    return path


def inline_leaflet(m: Any, leaflet_dir: Path = LEAFLET_DIR) -> None:
    """Replace folium's CDN links on ``m`` with the vendored Leaflet, inlined."""
    js, css = leaflet_dir / "leaflet.js", leaflet_dir / "leaflet.css"
    if not js.exists() or not css.exists():
        raise KkprError(
            "Leaflet tidak ditemukan di folder vendor",
            "Leaflet is not vendored",
            where=str(leaflet_dir),
            hint_id="Salin leaflet.js, leaflet.css dan images/ dari paket npm leaflet ke sana",
            hint_en="Copy leaflet.js, leaflet.css and images/ from the npm leaflet package there",
        )
    m.default_js = []
    m.default_css = []
    style = _css_with_data_uris(css.read_text("utf-8"), leaflet_dir)
    script = js.read_text("utf-8").replace("</script", "<\\/script")
    header = m.get_root().header
    header.add_child(folium.Element(f"<style>{style}</style>"), name="leaflet_css_inline")
    header.add_child(folium.Element(f"<script>{script}</script>"), name="leaflet_js_inline")


def _css_with_data_uris(css: str, root: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        target = root / match.group(1)
        if not target.is_file():
            return "url(data:,)"
        data = base64.b64encode(target.read_bytes()).decode()
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments cite bug trackers by URL
    return re.sub(r"url\((images/[^)]+\.png)\)", repl, css)


def _zone_style(feature: dict[str, Any]) -> dict[str, Any]:
    kind = feature["properties"]["kind"]
    colour = KIND_COLOURS.get(kind, "#333")
    return {"color": colour, "fillColor": colour, "weight": 1.5, "fillOpacity": 0.55}


def _bounds(layers: list[gpd.GeoDataFrame]) -> list[list[float]] | None:
    if not layers:
        return None
    boxes = [lyr.to_crs("EPSG:4326").total_bounds for lyr in layers]
    minx = min(b[0] for b in boxes)
    miny = min(b[1] for b in boxes)
    maxx = max(b[2] for b in boxes)
    maxy = max(b[3] for b in boxes)
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _legend(diff: PlanDiff) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;'
        f'background:{KIND_COLOURS[k]};margin-right:6px"></span>{label}</div>'
        for k, label in KIND_LABELS.items()
    )
    title = f"{diff.old.get('name', '')}: {diff.old.get('checksum', '')[:8]} → {diff.new.get('checksum', '')[:8]}"
    return (
        '<div style="position:fixed;bottom:16px;left:16px;z-index:1000;background:#fff;'
        'padding:8px 10px;border:1px solid #999;font:12px sans-serif">'
        f"<b>Perubahan rencana / plan changes</b><br><small>{title}</small>{rows}</div>"
    )
