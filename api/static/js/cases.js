// The found cases' sites on a map above the list: each drawn in its state's colour,
// its popup naming the case and leading to its page.
import { h, page } from "./i18n.js";
import { makeMap } from "./mapbase.js";
import { tileLayer, ZONE_MIN_ZOOM, zoneTileStyle } from "./tiles.js";

const map = makeMap(document.getElementById("cases-map"));
window.kkpr = { map };
map.createPane("cases").style.zIndex = 450;
tileLayer(map, "zones", zoneTileStyle, { minZoom: ZONE_MIN_ZOOM }).setZIndex(2);
const colour = (c) => (c.overdue ? "#c92a2a" : c.decision === "reject" ? "#5f3dc4"
  : c.decision ? "#2b8a3e" : "#e8590c");
const group = L.featureGroup().addTo(map);
for (const c of page.sites) {
  const card = h("div", {}, h("a", { href: `/staf/kasus/${encodeURIComponent(c.id)}` }, c.number),
    h("br"), c.name);
  L.geoJSON(c.site, {
    pane: "cases",
    style: (f) => (f.geometry.type === "Point" ? {} : { color: colour(c), weight: 3, fillOpacity: 0.3 }),
    pointToLayer: (_f, ll) => L.circleMarker(ll, { pane: "cases", radius: 8, color: "#fff", weight: 2, fillColor: colour(c), fillOpacity: 1 }),
  }).bindPopup(card).addTo(group);
}
if (page.sites.length) map.fitBounds(group.getBounds(), { maxZoom: 17, padding: [20, 20] });
window.kkpr.ready = true;
