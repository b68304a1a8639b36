// Maps over the plan's own zones, coloured by sub-zone. A base map (street, and aerial
// imagery when configured: KKPR_BASEMAP_URL, KKPR_BASEMAP_AERIAL_URL) is drawn under them;
// with none configured nothing is fetched from anywhere but this app.
import { colourOf, family, overlayStyle } from "./palette.js";
import { h, page, t } from "./i18n.js";

const FIRST_PAGE = 250; // zones in the first answer of a map view
// keep in step with the preload in precheck.html: /ogc/collections/zones/items?limit=250
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

/** Set how opaque the zones are drawn (0–1) on ``layers`` and for zones drawn later. */
export function setZoneFill(value, ...layers) {
  zoneFill = value;
  for (const layer of layers) layer.setStyle({ fillOpacity: value });
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

/** A GeoJSON layer of zones whose contents follow the visible area of ``map``. */
export class ZoneLayer {
  constructor(map, { onEachFeature, onLoad, pane } = {}) {
    this.map = map;
    this.codes = new Map(); // code -> name
    this.layer = L.geoJSON(null, { style: zoneStyle, onEachFeature, pane }).addTo(map);
    this.seen = new Set();
    this.onLoad = onLoad;
    this.loading = null;
    map.on("moveend", () => this.refresh());
  }

  async refresh() {
    // the first view is the whole plan: asked without a bbox, as the page preloads it
    // (<link rel="preload"> in precheck.html), so the answer is on its way before
    // the scripts have run
    const whole = !this.asked && page.plan && page.plan.bbox;
    this.asked = true;
    const bbox = whole ? null : bboxOf(this.map.getBounds(), 0.2);
    const token = Symbol("load");
    this.loading = token;
    let added = 0;
    const draw = (features) => {
      if (this.loading !== token) return;
      const fresh = features.filter((f) => !this.seen.has(String(f.id)));
      for (const f of fresh) {
        this.seen.add(String(f.id));
        const code = zoneCode(f.properties || {});
        if (code && !this.codes.has(code)) this.codes.set(code, zoneName(f.properties || {}));
      }
      this.layer.addData(fresh);
      added += fresh.length;
    };
    let got;
    try {
      // a small first page, so the first zones show after one short answer
      got = await fetchFeatures("zones", bbox, { limit: FIRST_PAGE, onPage: draw, nextLimit: 1000 });
    } catch (err) {
      if (this.onLoad) this.onLoad({ error: err });
      return;
    }
    if (this.loading !== token) return;
    if (this.onLoad) this.onLoad({ ...got, added });
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
