// OGC API Tiles on a Leaflet map: zones and the RTRW as Mapbox Vector Tiles
// (WebMercatorQuad), drawn on canvas by the vendored Leaflet.VectorGrid. A tile carries
// the properties a popup needs; the full feature is one GET of items/{id} away.
import { colourOf } from "./palette.js";

// Leaflet.VectorGrid 1.3 calls L.DomEvent.fakeStop, which Leaflet 1.8 removed: a click
// on a tile feature is marked handled the way Leaflet 1.9 marks it.
if (!L.DomEvent.fakeStop) L.DomEvent.fakeStop = (e) => { e._stopped = true; };

export const ZONE_MIN_ZOOM = 12; // below this a tile would hold a whole city's zones

export function tileUrl(collection) {
  return `/ogc/collections/${collection}/tiles/WebMercatorQuad/{z}/{y}/{x}`;
}

export function zoneTileStyle(p) {
  return {
    fill: true, fillColor: colourOf(p.kodszn, p), fillOpacity: 0.62,
    color: "#4a4a4a", weight: 0.6,
  };
}

/** A vector tile layer of one collection. ``seen(props)`` is told of each feature drawn;
 *  ``onClick(props, id, latlng)`` of a click on one. */
export function tileLayer(map, collection, style, { pane, minZoom = 0, seen, onClick } = {}) {
  const layer = L.vectorGrid.protobuf(tileUrl(collection), {
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: {
      [collection]: (props) => {
        if (seen) seen(props);
        return style(props);
      },
    },
    interactive: Boolean(onClick),
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
  return layer.addTo(map);
}

/** The whole feature (every attribute) behind a tile feature. */
export async function fullFeature(collection, id) {
  const resp = await fetch(`/ogc/collections/${collection}/items/${encodeURIComponent(id)}`, {
    headers: { Accept: "application/geo+json" },
  });
  if (!resp.ok) throw new Error(`${collection}/${id}: HTTP ${resp.status}`);
  return resp.json();
}
