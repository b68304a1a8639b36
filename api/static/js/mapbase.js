// Maps over the plan's own zones, coloured by sub-zone. A base map (street, and aerial
// imagery when configured: KKPR_BASEMAP_URL, KKPR_BASEMAP_AERIAL_URL) is drawn under them;
// with none configured nothing is fetched from anywhere but this app.
import { colourOf, family, overlayStyle } from "./palette.js";
import { h, page, t } from "./i18n.js";
import { PUBLIC_ZONE_MIN_ZOOM, tileLayer, zoneTileStyle } from "./tiles.js";

let zoneFill = 0.62; // the zones' fill opacity; lowered to let the base map show through

/** A Leaflet map over the plan's extent, over the configured base map if any. */
export function makeMap(el, options = {}) {
  const map = L.map(el, { zoomSnap: 0.25, zoomDelta: 1, minZoom: 9, maxZoom: 21, ...options });
  map.attributionControl.setPrefix(
    '<a href="/static/vendor/leaflet/LICENSE">Leaflet</a>'
  );
  addBasemaps(map);
  const b = page.plan && page.plan.bbox;
  if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  else map.setView([-10.17, 123.6], 13);
  return map;
}

function text(s) {
  // an attribution is a setting, shown as text (Leaflet would read it as HTML)
  return String(s || "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** The configured base maps as tile layers, the first one shown; a switch when two. */
function addBasemaps(map) {
  const maps = page.basemaps || [];
  if (!maps.length) return null;
  const layers = {};
  for (const b of maps) {
    layers[t(`map.base_${b.id}`)] = L.tileLayer(b.url, {
      attribution: text(b.attribution),
      maxNativeZoom: b.max_zoom,
      maxZoom: 21,
      className: `basemap basemap-${b.id}`,
    });
  }
  Object.values(layers)[0].addTo(map);
  if (maps.length > 1) L.control.layers(layers, null, { collapsed: false, position: "topright" }).addTo(map);
  return layers;
}

export function hasBasemap() {
  return (page.basemaps || []).length > 0;
}

/** Set how opaque the zones are drawn (0–1) on ``layers`` and for zones drawn later.
 *  A vector tile layer is added again, so drawn again (its tiles come from the
 *  browser's cache); not by ``redraw()``, which at a fractional zoom asks for tiles of
 *  that fractional zoom. */
export function setZoneFill(value, ...layers) {
  zoneFill = value;
  for (const layer of layers) {
    if (layer.setStyle) {
      layer.setStyle({ fillOpacity: value });
    } else if (layer._map) {
      const map = layer._map;
      map.removeLayer(layer);
      map.addLayer(layer);
    }
  }
}

/** Features of an OGC API collection inside ``bbox``, following ``next`` links. */
export async function fetchFeatures(
  collection, bbox, { limit = 1000, max = 10000, onPage = null, nextLimit = null } = {},
) {
  const params = new URLSearchParams({ limit: String(limit) });
  if (bbox) params.set("bbox", bbox.map((v) => v.toFixed(6)).join(","));
  let url = `/ogc/collections/${collection}/items?${params}`;
  const features = [];
  let matched = null;
  while (url && features.length < max) {
    const resp = await fetch(url, { headers: { Accept: "application/geo+json" } });
    if (!resp.ok) throw new Error(`${collection}: HTTP ${resp.status}`);
    const fc = await resp.json();
    features.push(...(fc.features || []));
    if (onPage) onPage(fc.features || []); // drawn as they come, on a slow line too
    if (matched === null && typeof fc.numberMatched === "number") matched = fc.numberMatched;
    const next = (fc.links || []).find((l) => l.rel === "next");
    url = next ? sameOrigin(next.href) : null;
    if (url && nextLimit) url = url.replace(/([?&]limit=)\d+/, `$1${nextLimit}`);
  }
  return { features, matched: matched ?? features.length, complete: !url };
}

function sameOrigin(href) {
  // the API may write absolute links with its configured base URL: keep path and query
  const u = new URL(href, location.href);
  return u.pathname + u.search;
}

export function bboxOf(bounds, pad = 0) {
  const b = pad ? bounds.pad(pad) : bounds;
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}

/** Tooltip content shown as text, never as HTML: plan attributes (NAMSZN, JENIS, …)
 * come from uploaded packages, and a string given to Leaflet becomes innerHTML. */
export function plainText(text) {
  return () => document.createTextNode(String(text ?? ""));
}

export function zoneCode(props) {
  return props.kodszn ?? props.KODSZN ?? "";
}

export function zoneName(props) {
  return props.namszn ?? props.NAMSZN ?? "";
}

export function zoneStyle(feature) {
  const p = feature.properties || {};
  return {
    color: "#4a4a4a", weight: 0.6, fillColor: colourOf(zoneCode(p), p), fillOpacity: zoneFill,
  };
}

/** The plan's zones as vector tiles (OGC API Tiles), drawn on canvas: no polygon is a
 *  tab stop, and a tile holds only what a tooltip and the legend need. ``onClick(latlng)``
 *  is told of a click on a zone; ``onLoad({complete})`` when the view's tiles are drawn
 *  (``complete`` false while the map is too far out to draw zones), ``onLoad({error})``
 *  when a tile could not be had. */
export class ZoneLayer {
  constructor(map, { onClick, onLoad, pane } = {}) {
    this.map = map;
    this.codes = new Map(); // code -> name, of the zones drawn so far (the legend)
    this.onLoad = onLoad;
    this.layer = tileLayer(map, "zones", (p) => zoneTileStyle(p, zoneFill), {
      pane,
      minZoom: PUBLIC_ZONE_MIN_ZOOM,
      seen: (p) => {
        const code = zoneCode(p);
        if (code && !this.codes.has(code)) this.codes.set(code, zoneName(p));
      },
      tooltip: (p) => `${zoneCode(p)} ${zoneName(p)}`.trim(),
      onClick: onClick ? (_p, _id, latlng) => onClick(latlng) : undefined,
    });
    // first paint: the first zone tile drawn; zonesDrawn: every zone tile of the view
    this.layer.on("tileload", () => {
      if (window.kkpr && window.kkpr.firstPaint === undefined) window.kkpr.firstPaint = performance.now();
    });
    this.layer.on("load", () => {
      if (window.kkpr && window.kkpr.zonesDrawn === undefined) window.kkpr.zonesDrawn = performance.now();
      this.status();
    });
    this.layer.on("tileerror", (e) => { if (this.onLoad) this.onLoad({ error: e.error || new Error("tile") }); });
    map.on("zoomend", () => { if (!this.drawable()) this.status(); });
    if (!this.drawable()) setTimeout(() => this.status(), 0);
  }

  drawable() {
    return this.map.getZoom() >= PUBLIC_ZONE_MIN_ZOOM;
  }

  status() {
    if (this.onLoad) this.onLoad({ complete: this.drawable() });
  }
}

/** Legend items (sub-zones present, sorted by family then code) into ``ul``. */
export function renderLegend(ul, codes, extra = []) {
  const items = [...codes.entries()].sort(([a], [b]) =>
    family(a) === family(b) ? a.localeCompare(b, "en", { numeric: true }) : a.localeCompare(b)
  );
  ul.replaceChildren(
    ...items.map(([code, name]) =>
      h("li", {}, h("span", { class: "swatch", style: `background:${colourOf(code)}` }),
        h("span", {}, h("strong", {}, code), name ? ` ${name}` : ""))
    ),
    ...extra
  );
}

export function overlayLegendItem(jenis) {
  const s = overlayStyle(jenis);
  const names = page.overlay_kinds[jenis];
  return h("li", {},
    h("span", { class: "swatch line", style: `border-color:${s.color}` }),
    h("span", {}, h("strong", {}, jenis), names ? ` ${names}` : ""));
}

export function siteLegendItem() {
  return h("li", {}, h("span", { class: "swatch site" }), h("span", {}, t("map.site")));
}
