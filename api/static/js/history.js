// Parcel history: click a point or draw a polygon; every check, application, decision
// and document recorded there is listed newest first, each linked, its site on the map.
import { h, num, page, pick, t } from "./i18n.js";
import { makeMap } from "./mapbase.js";
import { tileLayer, ZONE_MIN_ZOOM, zoneTileStyle } from "./tiles.js";

const $ = (id) => document.getElementById(id);
const map = makeMap($("history-map"));
window.kkpr = { map };
tileLayer(map, "zones", (p) => ({ ...zoneTileStyle(p), fillOpacity: 0.35 }), { minZoom: ZONE_MIN_ZOOM });
const placeLayer = L.featureGroup().addTo(map);
const sitesLayer = L.featureGroup().addTo(map);
const KIND_COLOUR = { check: "#1971c2", precheck: "#1971c2", correction: "#1971c2", application: "#c92a2a" };
let drawing = false;
let asked = 0; // the latest request: an older answer arriving late is dropped

function bufferM() {
  const value = Number($("history-buffer").value);
  return Number.isFinite(value) && value >= 0 ? value : page.history.buffer_m;
}

// times are stored in UTC; staff read them in the office's time zone
const clock = new Intl.DateTimeFormat(page.lang === "id" ? "id-ID" : "en-GB", {
  timeZone: page.history.tz, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
});

function when(iso) {
  return iso ? clock.format(new Date(iso)) : "—";
}

function problemOf(body) {
  return pick(body) || body.title || t("err.unknown");
}

async function ask(geometry, buffer) {
  const mine = ++asked;
  $("history-status").textContent = t("history.loading");
  let resp, body;
  try {
    resp = await fetch("/v1/history", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": page.csrf },
      body: JSON.stringify({ geometry, buffer_m: buffer }),
    });
    body = await resp.json();
  } catch {
    if (mine === asked) $("history-status").textContent = t("history.error", { message: t("err.network") });
    return;
  }
  if (mine !== asked) return;
  if (!resp.ok) {
    $("history-status").textContent = t("history.error", { message: problemOf(body) });
    $("history-list").replaceChildren();
    return;
  }
  show(body);
}

function show(body) {
  sitesLayer.clearLayers();
  const status = body.total === 0 ? t("history.empty")
    : body.truncated ? t("history.truncated", { shown: body.returned, total: body.total })
    : t("history.count", { n: body.total });
  $("history-status").textContent = status;
  if (!body.entries.length) return $("history-list").replaceChildren();
  const rows = body.entries.map((e) => {
    if (e.geometry) {
      L.geoJSON(e.geometry, {
        style: { color: KIND_COLOUR[e.kind] || "#333", weight: 2, fillOpacity: 0.1 },
        pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 6, color: KIND_COLOUR[e.kind] || "#333" }),
      }).bindTooltip(`${t(`history.kind.${e.kind}`)} · ${when(e.at)}`).addTo(sitesLayer);
    }
    return h("tr", { class: `kind-${e.kind}` },
      h("td", {}, h("time", { datetime: e.at }, when(e.at))),
      h("td", {}, t(`history.kind.${e.kind}`)),
      h("td", {}, e.href ? h("a", { href: e.href }, e.title) : e.title),
      h("td", {}, e.outcome_label || e.outcome || "—"),
      h("td", {}, e.who || "—"));
  });
  $("history-list").replaceChildren(h("table", { class: "history-table" },
    h("caption", { class: "audit-sr" }, t("history.results")),
    h("thead", {}, h("tr", {},
      ...["at", "kind", "what", "outcome", "who"].map((c) => h("th", { scope: "col" }, t(`history.col.${c}`))))),
    h("tbody", {}, rows)));
}

map.on("click", (e) => {
  if (drawing) return;
  const { lat, lng } = e.latlng;
  const buffer = bufferM();
  placeLayer.clearLayers();
  L.circle(e.latlng, { radius: Math.max(buffer, 1), color: "#111", weight: 2, fillOpacity: 0.05 }).addTo(placeLayer);
  $("history-place").textContent = t("history.point_chosen", { lat: num(lat, 6), lon: num(lng, 6) });
  ask({ type: "Point", coordinates: [lng, lat] }, buffer);
});

// ---------------------------------------------------------------- drawing
const drawer = new L.Draw.Polygon(map, {
  allowIntersection: false, showArea: false,
  shapeOptions: { color: "#111", weight: 3, fillOpacity: 0.05 },
});
$("history-draw").addEventListener("click", () => (drawing ? drawer.disable() : drawer.enable()));
map.on("draw:drawstart", () => {
  drawing = true;
  $("history-draw").setAttribute("aria-pressed", "true");
  $("history-draw").textContent = t("history.draw_cancel");
});
map.on("draw:drawstop", () => {
  setTimeout(() => { drawing = false; }, 50); // the finishing click is not a point
  $("history-draw").setAttribute("aria-pressed", "false");
  $("history-draw").textContent = t("history.draw");
});
map.on(L.Draw.Event.CREATED, (e) => {
  placeLayer.clearLayers();
  e.layer.addTo(placeLayer);
  $("history-place").textContent = t("history.polygon_chosen");
  ask(e.layer.toGeoJSON().geometry, 0);
});
window.kkpr.ask = ask; // tests and power users: any GeoJSON geometry
