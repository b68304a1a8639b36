// OGC API Tiles on a Leaflet map: zones and the RTRW as Mapbox Vector Tiles
// (WebMercatorQuad), drawn on canvas by the vendored Leaflet.VectorGrid. A tile carries
// the properties a popup needs; the full feature is one GET of items/{id} away.
import { colourOf } from "./palette.js";
import { page } from "./i18n.js";

// Leaflet.VectorGrid 1.3 calls L.DomEvent.fakeStop, which Leaflet 1.8 removed: a click
// on a tile feature is marked handled the way Leaflet 1.9 marks it.
if (!L.DomEvent.fakeStop) L.DomEvent.fakeStop = (e) => { e._stopped = true; };

// Leaflet.VectorGrid 1.3 finds the feature under the mouse as if the map's zoom were the
// tile's: at a fractional zoom (these maps snap to quarters) a tile is drawn scaled and
// a click or hover would hit the wrong zone, or none. The point is found in the tile's
// own pixels instead.
function tilePoint(renderer, e) {
  const map = renderer._map;
  const coord = renderer._tileCoord;
  const scale = map.getZoomScale(map.getZoom(), coord.z);
  const world = map.mouseEventToLayerPoint(e).add(map.getPixelOrigin());
  return world.divideBy(scale).subtract(coord.scaleBy(renderer._size));
}
L.Canvas.Tile.include({
  _onClick(e) {
    if (!this._map) return;
    const point = tilePoint(this, e);
    let hit = null;
    for (const id in this._layers) {
      const layer = this._layers[id];
      if (layer.options.interactive && layer._containsPoint(point) && !this._map._draggableMoved(layer)) hit = layer;
    }
    if (hit) {
      L.DomEvent.fakeStop(e);
      this._fireEvent([hit], e);
    }
  },
  _onMouseMove(e) {
    if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) return;
    this._handleMouseHover(e, tilePoint(this, e));
  },
});

export const ZONE_MIN_ZOOM = 12; // below this a tile would hold a whole city's zones
// the public map shows a city's plan whole on a phone (about zoom 10.5 for Kupang); its
// low-zoom tiles are generalised on the server (slivers under a pixel dropped)
export const PUBLIC_ZONE_MIN_ZOOM = 10;

/** A collection's tile URL template; naming the plan version the page was made for
 *  lets the browser keep each tile for good (a version never changes). */
export function tileUrl(collection) {
  const v = page.plan && page.plan.version;
  const query = v ? `?v=${encodeURIComponent(v)}` : "";
  return `/ogc/collections/${collection}/tiles/WebMercatorQuad/{z}/{y}/{x}${query}`;
}

export function zoneTileStyle(p, fillOpacity = 0.62) {
  return {
    fill: true, fillColor: colourOf(p.kodszn, p), fillOpacity,
    color: "#4a4a4a", weight: 0.6,
  };
}

/** A vector tile layer of one collection. ``seen(props)`` is told of each feature drawn;
 *  ``onClick(props, id, latlng)`` of a click on one; ``tooltip(props)`` gives the text
 *  that follows the mouse over a feature (shown as text, never as HTML). */
export function tileLayer(map, collection, style, { pane, minZoom = 0, seen, onClick, tooltip } = {}) {
  const layer = L.vectorGrid.protobuf(tileUrl(collection), {
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: {
      [collection]: (props) => {
        if (seen) seen(props);
        return style(props);
      },
    },
    interactive: Boolean(onClick || tooltip),
    getFeatureId: (f) => {
      // the id rides along with the properties a click hands back (not enumerable:
      // never shown as an attribute)
      if (f.properties) Object.defineProperty(f.properties, "_fid", { value: f.id, configurable: true });
      return f.id;
    },
    maxNativeZoom: 18,
    minZoom,
    ...(pane ? { pane } : {}),
  });
  if (onClick) {
    layer.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      const props = e.layer.properties || {};
      onClick(props, props._fid ?? null, e.latlng);
    });
  }
  if (tooltip) followingTooltip(map, layer, tooltip);
  return layer.addTo(map);
}

/** A sticky tooltip over the feature under the mouse, its words set as a text node. */
function followingTooltip(map, layer, words) {
  const tip = L.tooltip({ sticky: true, direction: "auto", offset: [12, 0] });
  layer.on("mouseover", (e) => {
    const text = words(e.layer.properties || {});
    if (!text) return;
    tip.setContent(() => document.createTextNode(text));
    tip.setLatLng(e.latlng);
    if (!map.hasLayer(tip)) tip.addTo(map);
  });
  layer.on("mousemove", (e) => { if (map.hasLayer(tip)) tip.setLatLng(e.latlng); });
  layer.on("mouseout", () => map.removeLayer(tip));
  map.on("zoomstart movestart", () => map.removeLayer(tip));
}

/** The whole feature (every attribute) behind a tile feature. */
export async function fullFeature(collection, id) {
  const resp = await fetch(`/ogc/collections/${collection}/items/${encodeURIComponent(id)}`, {
    headers: { Accept: "application/geo+json" },
  });
  if (!resp.ok) throw new Error(`${collection}/${id}: HTTP ${resp.status}`);
  return resp.json();
}
