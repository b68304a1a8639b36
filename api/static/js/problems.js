// One problem of a plan's validation report, as the staff map and the plan management
// page list it: its card (severity, message, code and place), and, when it has a
// geometry, its mark on the map with a "show on map" button.
import { h, pick, t } from "./i18n.js";

// `style(feature, colour)` is the mark's Leaflet style; the list item is returned
export function problemItem(p, geometry, { map, layer, style }) {
  const where = [p.file, p.row && t("staff.validation.row", { row: p.row }), p.feature && `fid ${p.feature}`]
    .filter(Boolean).join(", ");
  const card = h("div", {},
    h("span", { class: `sev-${p.severity}` }, t(`staff.severity.${p.severity}`)), " ",
    pick(p), h("br"), h("span", { class: "muted" }, `${p.code} · ${where}`));
  const li = h("li", {}, card);
  if (geometry) {
    const colour = p.severity === "error" ? "#c92a2a" : "#e0a800";
    const mark = L.geoJSON(geometry, {
      pane: "marks",
      style: (f) => style(f, colour),
      pointToLayer: (_f, ll) => L.circleMarker(ll, {
        pane: "marks", radius: 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1,
      }),
    }).bindPopup(card.cloneNode(true)).addTo(layer);
    li.append(" ", h("button", {
      type: "button", class: "linkish",
      onclick: () => { map.fitBounds(mark.getBounds(), { maxZoom: 18 }); mark.openPopup(); },
    }, t("staff.show_on_map")));
  }
  return li;
}
