// The staff workspace: the active plan on the map, a polygon's attributes and ITBX
// column, the review queue and the plan's validation report, each located on the map.
import { h, keepHashOnLanguageSwitch, num, page, pick, t } from "./i18n.js";
import {
  fetchFeatures, makeMap, overlayLegendItem, renderLegend, zoneCode, zoneName,
} from "./mapbase.js";
import { overlayStyle } from "./palette.js";
import { problemItem } from "./problems.js";
import { fullFeature, tileLayer, ZONE_MIN_ZOOM, zoneTileStyle } from "./tiles.js";

const $ = (id) => document.getElementById(id);
const map = makeMap($("staff-map"));
map.createPane("overlays").style.zIndex = 430;
map.createPane("marks").style.zIndex = 640;
window.kkpr = { map };

// ---------------------------------------------------------------- tabs
// wired by tabs.js from the first paint; a tab is shown here as a click would show it
const showTab = (id) => $(id).click();

// ---------------------------------------------------------------- layers
const overlayKinds = new Set();
const reviewMarks = L.featureGroup().addTo(map);
const decidedMarks = L.featureGroup().addTo(map);
const DECISION_COLOUR = { approve: "#2b8a3e", approve_with_conditions: "#1971c2", reject: "#5f3dc4" };
const problemMarks = L.featureGroup().addTo(map);

// zones and the RTRW as vector tiles (OGC API Tiles): a tile carries what the popup
// shows; the full feature is fetched when one is clicked
let selected = null;
const zoneCodes = new Map(); // code -> name, of the zones drawn so far (the legend)
const zoneIds = new Set();
// a plan too large to show whole opens at its centre where its zones are drawn
if (map.getZoom() < ZONE_MIN_ZOOM) map.setZoom(ZONE_MIN_ZOOM + 1);
const zones = tileLayer(map, "zones", zoneTileStyle, {
  minZoom: ZONE_MIN_ZOOM,
  seen(p) {
    if (p._fid !== undefined) zoneIds.add(p._fid);
    if (p.kodszn && !zoneCodes.has(p.kodszn)) zoneCodes.set(p.kodszn, p.namszn || "");
  },
  onClick: (p, id, latlng) => selectZone(p, id, latlng),
});
zones.setZIndex(2);
// first paint: the first zone tile drawn; zonesDrawn: every zone tile of the view drawn
zones.on("tileload", () => {
  if (window.kkpr.firstPaint === undefined) window.kkpr.firstPaint = performance.now();
});
zones.on("load", () => {
  if (window.kkpr.zonesDrawn === undefined) window.kkpr.zonesDrawn = performance.now();
  zoneStatus();
  legend();
});
zones.on("tileerror", () => { $("map-status").textContent = t("map.load_error"); });
map.on("zoomend", zoneStatus);
function zoneStatus() {
  $("map-status").textContent = map.getZoom() < ZONE_MIN_ZOOM ? t("map.zoom_in")
    : t("staff.zones_loaded", { n: num(zoneIds.size, 0) });
}
// The RTRW under the zones and the overlays over them are added once the view's zone
// tiles are drawn (see whenZonesDrawn): the zone tiles are asked for first, not queued
// behind theirs on the browser's six connections and in the server's worker.
let rtrw = null;
let overlays = null;
function addContextLayers() {
  rtrw = tileLayer(map, "rtrw", (p) => ({
    fill: true, fillColor: "#b9a7d6", fillOpacity: 0.25, color: "#6b5b95", weight: 0.8, dashArray: "3 3",
  }), { onClick: (p, id) => showTile(t("staff.feature.rtrw"), "rtrw", p, id) });
  rtrw.setZIndex(1);
  // overlays as outlines over the zones; a click on a zone names the ones covering it
  overlays = tileLayer(map, "overlays", (p) => ({ ...overlayStyle(p.jenis), fill: false }), {
    seen(p) { if (p.jenis) overlayKinds.add(p.jenis); },
  });
  overlays.setZIndex(3);
  overlays.on("load", legend);
  // a box unticked meanwhile is kept
  if (!$("show-rtrw").checked) rtrw.remove();
  if (!$("show-overlays").checked) overlays.remove();
}

function legend() {
  const marks = [
    h("li", {}, h("span", { class: "swatch", style: "background:#e8590c;border-radius:50%" }), t("staff.legend.review")),
    h("li", {}, h("span", { class: "swatch", style: "background:#c92a2a;border-radius:50%" }), t("staff.legend.problem")),
    ...Object.entries(DECISION_COLOUR).map(([d, colour]) => h("li", {},
      h("span", { class: "swatch", style: `background:${colour}` }), t(`staff.legend.${d}`))),
  ];
  renderLegend($("legend"), zoneCodes, [...[...overlayKinds].sort().map(overlayLegendItem), ...marks]);
}

function toggle(id, layerOf) {
  $(id).addEventListener("change", () => {
    const layer = layerOf();
    if (!layer) return; // not added yet: added as the box says
    if ($(id).checked) layer.addTo(map);
    else layer.remove();
  });
}
toggle("show-zones", () => zones);
toggle("show-rtrw", () => rtrw);
toggle("show-overlays", () => overlays);
toggle("show-reviews", () => reviewMarks);
toggle("show-decided", () => decidedMarks);
toggle("show-problems", () => problemMarks);

// ---------------------------------------------------------------- a clicked polygon
const FIRST = ["kodszn", "namszn", "kodzon", "namzon", "kodblk", "kodsbl", "wadmkc", "wadmkd",
  "jenis", "keterangan", "efek", "tb"];

function attrsTable(props, keys, id) {
  return h("table", { class: "attrs", id },
    h("tbody", {}, keys.map((k) =>
      h("tr", {}, h("th", { scope: "row" }, k.toUpperCase()),
        h("td", {}, props[k] === null || props[k] === "" ? "—" : String(props[k]))))));
}

/** The main attributes, then ``extra`` (the ITBX column), then every other attribute. */
function showFeature(title, feature, extra) {
  const props = feature.properties || {};
  const keys = Object.keys(props);
  const main = FIRST.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !FIRST.includes(k)).sort();
  $("feature-info").replaceChildren(
    h("h3", {}, title, feature.id !== undefined ? h("span", { class: "muted" }, ` · fid ${feature.id}`) : ""),
    attrsTable(props, main, "feature-attrs"),
    extra || "",
    rest.length ? h("details", { class: "more-attrs" },
      h("summary", {}, t("staff.feature.all_attrs", { n: rest.length })),
      attrsTable(props, rest, "feature-more")) : "",
  );
  showTab("tab-feature");
}

/** A clicked tile feature: its tile properties at once, then every attribute. */
async function showTile(title, collection, props, id, extra = null) {
  showFeature(title, { id, properties: props }, extra);
  if (id === null || id === undefined) return;
  try {
    const full = await fullFeature(collection, id);
    showFeature(title, full, extra);
  } catch {
    // the tile's attributes stay shown
  }
}

async function selectZone(props, id, latlng) {
  if (selected !== null) zones.resetFeatureStyle(selected);
  selected = id;
  if (id !== null) zones.setFeatureStyle(id, { ...zoneTileStyle(props), weight: 3.5, color: "#000" });
  const code = zoneCode(props);
  const here = await overlaysAt(latlng);
  const itbx = h("div", { id: "itbx-column" }, h("p", { class: "muted" }, t("staff.loading")));
  showTile(`${code} ${zoneName(props)}`, "zones", props, id, h("div", {},
    here.length ? h("p", {}, h("strong", {}, t("staff.feature.overlays_here")), " ",
      here.map((j) => `${j} (${page.overlay_kinds[j] || j})`).join(", ")) : "",
    h("h3", {}, t("staff.itbx.heading", { code })), itbx));
  const resp = await fetch(`/pages/itbx/${encodeURIComponent(code)}`);
  if (!resp.ok) {
    itbx.replaceChildren(t("staff.itbx.error"));
    return;
  }
  const col = await resp.json();
  const counts = { I: 0, T: 0, B: 0, TB: 0, X: 0, none: 0 };
  for (const r of col.rows) counts[r.itbx || "none"] += 1;
  itbx.replaceChildren(
    col.in_matrix ? "" : h("p", { class: "field-error" }, t("staff.itbx.no_column", { code })),
    h("p", {}, ["I", "T", "B", "X", "none"].flatMap((k) => [
      h("span", { class: `cls cls-${k}` }, k === "none" ? "–" : k), ` ${t(`itbx.${k}`)}: ${counts[k]}  `])),
    h("div", { class: "itbx-col" },
      h("table", { class: "data" },
        h("thead", {}, h("tr", {}, h("th", {}, t("staff.itbx.activity")), h("th", {}, "ITBX"))),
        h("tbody", {}, col.rows.map((r) => h("tr", {},
          h("td", { "data-label": t("staff.itbx.activity") }, r.kegiatan, h("span", { class: "muted" }, ` ${r.kode_kegiatan}`)),
          h("td", { "data-label": "ITBX", title: r.conditions.map((c) => `${c.kode}: ${c.teks || "?"}`).join("\n") },
            h("span", { class: `cls cls-${r.itbx || "none"}` }, r.cell || "–"))))))),
  );
}

// which special provisions cover a click: the overlays of a small box around it
// (OGC API bbox), then point-in-polygon
async function overlaysAt(latlng) {
  const found = new Set();
  if (!latlng) return [];
  const inRing = (ring, x, y) => {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  const e = 1e-6;
  let got;
  try {
    got = await fetchFeatures("overlays",
      [latlng.lng - e, latlng.lat - e, latlng.lng + e, latlng.lat + e], { limit: 100, max: 1000 });
  } catch {
    return [];
  }
  for (const f of got.features) {
    const g = f.geometry;
    const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    const hit = polys.some((rings) => inRing(rings[0], latlng.lng, latlng.lat) &&
      !rings.slice(1).some((hole) => inRing(hole, latlng.lng, latlng.lat)));
    if (hit) found.add(f.properties.jenis ?? f.properties.JENIS);
  }
  return [...found];
}

// ---------------------------------------------------------------- the review queue
function problemOf(body) {
  return pick(body) || body.title || t("err.unknown");
}

async function loadReviews() {
  const box = $("reviews");
  let resp;
  try {
    resp = await fetch("/v1/reviews", { headers: { Accept: "application/json" } });
  } catch {
    box.replaceChildren(h("p", { class: "notice" }, t("err.network")));
    return;
  }
  if (resp.status === 404 || resp.status === 405) {
    $("reviews-count").textContent = "–";
    box.replaceChildren(h("p", { class: "notice", id: "reviews-absent" }, t("staff.reviews.absent")));
    return;
  }
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    box.replaceChildren(h("p", { class: "notice" }, problemOf(body)));
    return;
  }
  const items = Array.isArray(body) ? body : body.items || body.reviews || [];
  $("reviews-count").textContent = String(items.length);
  if (!items.length) {
    box.replaceChildren(h("p", { class: "muted" }, t("staff.reviews.empty")));
    return;
  }
  const list = h("ol", { class: "list", id: "review-list" });
  box.replaceChildren(list);
  reviewMarks.clearLayers();
  for (const item of items) {
    const card = h("div", {},
      caseLink(item), " ",
      item.overdue ? h("span", { class: "badge overdue" }, t("staff.reviews.overdue"))
        : item.due_soon ? h("span", { class: "badge due-soon" }, t("staff.reviews.due_soon")) : "",
      h("br"),
      h("span", { class: "muted" }, t("staff.reviews.line", {
        kbli: item.kbli || "—", form: item.form || item.kind || "—",
        outcome: item.outcome ? t(`out.${item.outcome}`) : "—",
        deadline: item.deadline || "—", left: item.working_days_left ?? "—",
      })));
    const li = h("li", { "data-review": item.id }, card);
    list.append(li);
    const shape = drawCase(item.site, item.overdue ? "#c92a2a" : "#e8590c", card, reviewMarks);
    if (shape) li.append(" ", showOnMap(shape));
    li.append(decisionForm(item));
  }
}

/** The case's name, leading to its own page (/staf/kasus/{id}). */
function caseLink(item) {
  return h("a", { href: `/staf/kasus/${encodeURIComponent(item.id)}`, class: "case-link" },
    h("strong", {}, item.business_name || item.applicant || item.application_id));
}

const documentHref = (number) => `/v1/documents/${number.split("/").map(encodeURIComponent).join("/")}.html`;

/** A case's site (longitude, latitude, as the queue gives it) on ``group``, its popup the
 * case's card; null when the case has no site. */
function drawCase(site, colour, card, group) {
  if (!site) return null;
  return L.geoJSON(site, {
    pane: "marks",
    // a GeoJSON style also restyles point markers: keep it to the polygons
    style: (f) => (f.geometry.type === "Point" ? {} : { color: colour, weight: 3, fillOpacity: 0.25 }),
    pointToLayer: (_f, ll) => L.circleMarker(ll, { pane: "marks", radius: 9, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 }),
  }).bindPopup(card.cloneNode(true)).addTo(group);
}

function showOnMap(shape) {
  return h("button", {
    type: "button", class: "linkish",
    onclick: () => { map.fitBounds(shape.getBounds(), { maxZoom: 18 }); shape.openPopup(); },
  }, t("staff.show_on_map"));
}

// ---------------------------------------------------------------- decisions taken
const DECIDED_LISTED = 20; // the newest decisions listed; every one is on the map

async function loadDecided() {
  const box = $("decided");
  const resp = await fetch("/v1/reviews?view=decided", { headers: { Accept: "application/json" } })
    .catch(() => null);
  const body = resp ? await resp.json().catch(() => ({})) : {};
  if (!resp || !resp.ok) {
    box.replaceChildren(h("p", { class: "notice" }, resp ? problemOf(body) : t("err.network")));
    return;
  }
  decidedMarks.clearLayers();
  if (!body.length) {
    box.replaceChildren(h("p", { class: "muted" }, t("staff.decided.empty")));
    return;
  }
  const list = h("ol", { class: "list", id: "decided-list" });
  body.forEach((item, i) => {
    const colour = DECISION_COLOUR[item.decision] || "#495057";
    const card = h("div", {},
      caseLink(item), " ",
      h("span", { class: "badge", style: `background:${colour};color:#fff` }, t(`staff.decide.${item.decision}`)),
      item.on_time === false ? h("span", { class: "badge overdue" }, t("staff.decided.late")) : "",
      h("br"),
      h("span", { class: "muted" }, t("staff.decided.line", {
        kbli: item.kbli || "—", form: item.form || "—", date: item.decided_on || "—", reviewer: item.reviewer_name || item.reviewer || "—",
      })),
      (item.reasons || []).length ? h("ul", { class: "reasons" }, item.reasons.map((r) => h("li", {}, r))) : "",
      (item.conditions || []).length ? h("p", {}, `${t("staff.decide.conditions")}: ${item.conditions.join("; ")}`) : "",
      item.document_number ? h("a", { href: documentHref(item.document_number) },
        t("staff.decide.document", { number: item.document_number })) : "");
    const shape = drawCase(item.site, colour, card, decidedMarks);
    if (i >= DECIDED_LISTED) return;
    const li = h("li", { "data-review": item.id }, card);
    if (shape) li.append(" ", showOnMap(shape));
    list.append(li);
  });
  box.replaceChildren(
    h("p", { class: "muted" }, t("staff.decided.count", { n: body.length, shown: Math.min(body.length, DECIDED_LISTED) })),
    list);
}

// ---------------------------------------------------------------- a decision on a case
const DECISIONS = ["approve", "approve_with_conditions", "reject"];
const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);

/** The decision form of one case: the decision, its reasons, and conditions when the
 * approval has them; the API's refusals are shown next to the field they name. */
function decisionForm(item) {
  const key = (name) => `d-${item.id}-${name}`;
  const error = (name) => h("p", { class: "field-error", id: key(`${name}-error`), role: "alert" });
  const errors = Object.fromEntries(["decision", "reasons", "conditions", "form"].map((n) => [n, error(n)]));
  const textarea = (name) => h("textarea", {
    id: key(name), name, rows: 3, "aria-describedby": `${key(`${name}-help`)} ${key(`${name}-error`)}`,
  });
  const reasons = textarea("reasons");
  const conditions = textarea("conditions");
  const conditionsField = h("div", { class: "field", hidden: true },
    h("label", { for: key("conditions") }, t("staff.decide.conditions")),
    h("p", { class: "help", id: key("conditions-help") }, t("staff.decide.one_per_line")),
    conditions, errors.conditions);
  const choices = DECISIONS.map((d) => h("label", { class: "choice" },
    h("input", {
      type: "radio", name: "decision", value: d,
      onchange: () => { conditionsField.hidden = d !== "approve_with_conditions"; },
    }), ` ${t(`staff.decide.${d}`)}`));
  const button = h("button", { type: "submit", class: "primary" }, t("staff.decide.submit"));
  const form = h("form", { class: "decide", novalidate: true },
    h("fieldset", { "aria-describedby": key("decision-error") },
      h("legend", {}, t("staff.decide.decision")), ...choices),
    errors.decision,
    h("div", { class: "field" },
      h("label", { for: key("reasons") }, t("staff.decide.reasons")),
      h("p", { class: "help", id: key("reasons-help") }, t("staff.decide.one_per_line")),
      reasons, errors.reasons),
    conditionsField,
    button, errors.form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    for (const el of Object.values(errors)) el.replaceChildren();
    const decision = form.elements.decision.value;
    if (!decision) {
      errors.decision.textContent = t("staff.decide.choose");
      return;
    }
    const given = lines(reasons.value);
    if (!given.length) {
      errors.reasons.textContent = t("staff.decide.reasons_required");
      return;
    }
    const body = {
      decision,
      reasons: given,
      conditions: decision === "approve_with_conditions" ? lines(conditions.value) : [],
    };
    button.disabled = true;
    let resp;
    try {
      resp = await fetch(`/v1/reviews/${encodeURIComponent(item.id)}/decision`, {
        method: "POST",
        // the session cookie alone changes nothing: the page's anti-forgery token too
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": page.csrf },
        body: JSON.stringify(body),
      });
    } catch {
      errors.form.textContent = t("err.network");
      button.disabled = false;
      return;
    }
    const answer = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const where = String(answer.where || "").replace(/^body\./, "").split(".")[0];
      (errors[where] || errors.form).textContent = problemOf(answer);
      button.disabled = false;
      return;
    }
    decided(item, decision, answer);
    await Promise.all([loadReviews(), loadDecided()]);
  });
  return h("details", { class: "decide-box" }, h("summary", {}, t("staff.decide.open")), form);
}

/** Say what was decided, with the document when one was issued, then the queue reloads. */
function decided(item, decision, app) {
  const doc = app.document;
  const href = doc && documentHref(doc.number);
  $("review-status").replaceChildren(
    h("span", { class: "ok-yes" }, t("staff.decide.done", {
      name: item.business_name || item.application_id, decision: t(`staff.decide.${decision}`),
    })),
    doc ? h("span", {}, " ", h("a", { href, id: "review-document" }, t("staff.decide.document", { number: doc.number }))) : "",
  );
}

// ---------------------------------------------------------------- the validation report
async function loadValidation() {
  const box = $("validation");
  const resp = await fetch("/pages/validation");
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    box.replaceChildren(h("p", { class: "notice" }, problemOf(body)));
    return;
  }
  $("problems-count").textContent = String(body.problems.length);
  const summary = h("p", { id: "validation-summary" }, t("staff.validation.summary", {
    plan: body.plan.name, version: body.plan.version, errors: body.errors, warnings: body.warnings,
  }));
  if (!body.problems.length) {
    box.replaceChildren(summary, h("p", { class: "ok-yes" }, t("staff.validation.clean")));
    return;
  }
  const list = h("ol", { class: "list", id: "problem-list" });
  for (const p of body.problems) {
    const geometry = p.geometry || (p.locate && (await located(p.locate)));
    list.append(problemItem(p, geometry, {
      map, layer: problemMarks,
      style: (f, colour) => (f.geometry.type === "Point" ? {} : { color: colour, weight: 3, dashArray: "6 4", fill: false }),
    }));
  }
  box.replaceChildren(summary, list);
}

// the features a problem names (an invalid polygon, a sub-zone without ITBX column)
async function located({ collection, ids }) {
  const features = [];
  for (const id of ids) {
    const resp = await fetch(`/ogc/collections/${collection}/items/${encodeURIComponent(id)}`);
    if (resp.ok) features.push(await resp.json());
  }
  return features.length ? { type: "FeatureCollection", features } : null;
}

keepHashOnLanguageSwitch();
// The RTRW and overlay tiles, the review queue, the decided list and the validation
// report (each placing marks, the report fetching the features its problems name) are
// asked for once the view's zone tiles are drawn: the zone tiles do not queue behind
// them, on the browser's six connections to the server nor in its worker. At once when
// the view draws no zones; after SIDE_WAIT_MS whatever the tiles do.
const SIDE_WAIT_MS = 2500;
let sideAsked = false;
function loadSide() {
  if (sideAsked) return;
  sideAsked = true;
  addContextLayers();
  loadReviews();
  loadDecided();
  loadValidation();
}
if (map.getZoom() < ZONE_MIN_ZOOM || !map.hasLayer(zones)) loadSide();
else {
  zones.once("load", loadSide);
  zones.once("tileerror", loadSide);
  setTimeout(loadSide, SIDE_WAIT_MS);
}
