// Where else the chosen activity is allowed: the zones around the site coloured by
// its ITBX class, and the nearest permitted zones with their distances, as
// GET /v1/activities/{kbli}/zones answers them.
import { h, num, t } from "./i18n.js";
import { bboxOf, plainText } from "./mapbase.js";

const CLASS_COLOUR = { I: "#1e7b34", T: "#b07800", B: "#8a5a00", TB: "#6e4800", X: "#b3261e" };
const NONE_COLOUR = "#5a6b7b";

function style(f) {
  const c = CLASS_COLOUR[f.properties.itbx] || NONE_COLOUR;
  return { color: c, weight: 0.8, fillColor: c, fillOpacity: 0.55 };
}

/** A button under the result map that shows (and hides) the layer and the list. */
export function elsewhereControl(el, map, r, site) {
  let layer = null;
  const list = h("ol", { id: "elsewhere-list", class: "elsewhere-list" });
  const button = h("button", { type: "button", class: "secondary", id: "elsewhere", "aria-pressed": "false" },
    t("else.show"));
  const legend = h("ul", { class: "legend legend-inline", id: "elsewhere-legend", hidden: true },
    ["I", "T", "B", "X"].map((c) => h("li", {},
      h("span", { class: "swatch", style: `background:${CLASS_COLOUR[c]}` }),
      h("span", {}, h("strong", {}, c), " ", t(`itbx.${c}`)))));
  button.addEventListener("click", async () => {
    if (layer) {
      map.removeLayer(layer);
      layer = null;
      button.setAttribute("aria-pressed", "false");
      button.textContent = t("else.show");
      legend.hidden = true;
      list.replaceChildren();
      return;
    }
    const centre = L.geoJSON(site).getBounds().getCenter();
    // about 3 km around the site: far enough to find a place, small enough for a phone
    const around = L.latLngBounds([centre.lat - 0.014, centre.lng - 0.014], [centre.lat + 0.014, centre.lng + 0.014]);
    const params = new URLSearchParams({
      bbox: bboxOf(around).map((v) => v.toFixed(6)).join(","),
      near: `${centre.lng.toFixed(6)},${centre.lat.toFixed(6)}`,
    });
    let body;
    try {
      const resp = await fetch(`/v1/activities/${encodeURIComponent(r.activity.kbli)}/zones?${params}`);
      if (!resp.ok) throw new Error(String(resp.status));
      body = await resp.json();
    } catch {
      list.replaceChildren(h("li", {}, t("map.load_error")));
      return;
    }
    layer = L.geoJSON(body.features, {
      style,
      interactive: true,
      onEachFeature(f, l) {
        const p = f.properties;
        l.bindTooltip(plainText(`${p.kodszn} ${p.namszn || ""}: ${p.itbx || "–"} ${t(`itbx.${p.itbx || "none"}`)}`), { sticky: true });
      },
    }).addTo(map);
    layer.bringToBack();
    map.fitBounds(around);
    button.setAttribute("aria-pressed", "true");
    button.textContent = t("else.hide");
    legend.hidden = false;
    const nearest = body.nearest || [];
    list.replaceChildren(...(nearest.length
      ? nearest.map((n) => h("li", {}, t("else.item", {
        kodszn: n.kodszn, namszn: n.namszn || "", itbx: t(`itbx.${n.itbx}`),
        place: n.wadmkd || "—", distance: num(n.distance_m < 1 ? 0 : n.distance_m, 0),
      })))
      : [h("li", {}, t("else.none"))]));
  });
  el.replaceChildren(
    h("h3", {}, t("else.heading")),
    h("p", { class: "help" }, t("else.help")),
    button, legend, list,
  );
}
