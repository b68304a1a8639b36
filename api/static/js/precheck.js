// The public pre-check: find the place, draw or upload the site, choose the KBLI,
// give the building figures, and read the verdict. The page never decides anything
// itself: it shows what POST /v1/precheck answers.
import { h, keepHashOnLanguageSwitch, num, page, parseNumber, pick, t } from "./i18n.js";
import {
  hasBasemap, makeMap, renderLegend, setZoneFill, siteLegendItem, ZoneLayer,
} from "./mapbase.js";
import { FIGURES, readState, writeState } from "./permalink.js";
import { kbliCombo } from "./kbli.js";
import { renderResult } from "./result.js";

const $ = (id) => document.getElementById(id);
const state = { site: null, kbli: "", kbliTitle: "", drawing: false };

// ---------------------------------------------------------------- the input map
const map = makeMap($("map"));
window.kkpr = { map, state }; // a handle for the browser tests and for curious users
// the zones as vector tiles: a tooltip names the zone under the mouse; a click on one
// chooses that point as the site, as a click anywhere on the map does
const zones = new ZoneLayer(map, {
  onClick: (latlng) => onMapClick({ latlng }),
  onLoad(info) {
    if (info.error) {
      $("map-help").textContent = t("map.load_error");
      return;
    }
    renderLegend($("legend"), zones.codes, [siteLegendItem()]);
    $("map-help").textContent = info.complete ? t("pc.map.help") : t("map.zoom_in");
  },
});
const siteLayer = L.featureGroup().addTo(map);
if (hasBasemap()) {
  // lighter zones over a base map, and the owner decides how much of each shows
  const slider = $("zone-opacity");
  $("zone-opacity-field").hidden = false;
  setZoneFill(Number(slider.value) / 100); // read as the first tiles are drawn
  let redraw = null; // drawn again once the slider rests, not at every step of a drag
  slider.addEventListener("input", () => {
    clearTimeout(redraw);
    redraw = setTimeout(() => setZoneFill(Number(slider.value) / 100, zones.layer), 120);
  });
}

map.on("click", onMapClick);

function onMapClick(e) {
  if (state.drawing) return;
  setSite({ type: "Point", coordinates: [round6(e.latlng.lng), round6(e.latlng.lat)] });
  $("lat").value = round6(e.latlng.lat);
  $("lon").value = round6(e.latlng.lng);
}

function round6(v) {
  return Math.round(v * 1e6) / 1e6;
}

/** Make ``geometry`` (GeoJSON, EPSG:4326) the site, on the map and in the form. */
function setSite(geometry, { fit = false } = {}) {
  siteLayer.clearLayers();
  state.site = geometry;
  clearError("site-error");
  if (!geometry) {
    $("site-summary").textContent = t("pc.site.none");
    return;
  }
  if (geometry.type === "Point") {
    const [lon, lat] = geometry.coordinates;
    L.marker([lat, lon], { title: t("map.site"), alt: t("map.site") }).addTo(siteLayer);
    $("site-summary").textContent = t("pc.site.point", { lat: lat.toFixed(6), lon: lon.toFixed(6) });
    if (fit) map.setView([lat, lon], Math.max(map.getZoom(), 18));
    return;
  }
  const gj = L.geoJSON(geometry, { style: { color: "#111", weight: 3, fillOpacity: 0.08 } });
  gj.eachLayer((layer) => {
    siteLayer.addLayer(layer);
    if (geometry.type === "Polygon" && layer.editing) {
      layer.editing.enable();
      labelVertices();
      layer.on("edit", () => {
        state.site = layer.toGeoJSON().geometry;
        summarisePolygon(state.site);
        labelVertices();
      });
    }
  });
  summarisePolygon(geometry);
  if (fit) map.fitBounds(siteLayer.getBounds(), { maxZoom: 19, padding: [20, 20] });
}

/** The draggable corners of the site are buttons: each says which corner it is. */
function labelVertices() {
  document.querySelectorAll("#map .leaflet-editing-icon").forEach((el, i) => {
    el.setAttribute("aria-label", t("map.vertex", { n: i + 1 }));
  });
}

function summarisePolygon(geometry) {
  const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  let area = 0;
  for (const rings of polys) {
    rings.forEach((ring, i) => {
      const a = L.GeometryUtil.geodesicArea(ring.map(([x, y]) => L.latLng(y, x)));
      area += i === 0 ? a : -a;
    });
  }
  $("site-summary").textContent = t("pc.site.polygon", {
    parts: polys.length,
    vertices: polys.reduce((n, rings) => n + rings[0].length - 1, 0),
    area: num(area, 0),
  });
}

// ---------------------------------------------------------------- places and coordinates
// a place search over the plan's names (offline; an online geocoder when configured)
let placeTimer = null;
$("place-q").addEventListener("input", () => {
  clearTimeout(placeTimer);
  const q = $("place-q").value.trim();
  clearError("place-error");
  if (q.length < 2) {
    $("place-list").replaceChildren();
    return;
  }
  placeTimer = setTimeout(() => findPlaces(q), 200);
});
$("place-q").addEventListener("keydown", (e) => {
  if (e.key !== "Enter") return;
  e.preventDefault(); // the form is not submitted from here: the first place is chosen
  clearTimeout(placeTimer);
  findPlaces($("place-q").value.trim(), { first: true });
});

async function findPlaces(q, { first = false } = {}) {
  if (q.length < 2) return;
  let items = [];
  try {
    const resp = await fetch(`/pages/places?${new URLSearchParams({ q })}`);
    items = resp.ok ? (await resp.json()).items || [] : [];
  } catch {
    return showError("place-error", t("err.network"), "place-q");
  }
  if ($("place-q").value.trim() !== q) return; // typed on meanwhile
  if (!items.length) {
    $("place-list").replaceChildren();
    return showError("place-error", t("pc.site.place_none"), "place-q");
  }
  if (first) return goToPlace(items[0]);
  $("place-list").replaceChildren(...items.map((p) => h("li", {},
    h("button", { type: "button", class: "place", onclick: () => goToPlace(p) },
      h("strong", {}, p.name), " ",
      h("span", { class: "muted" }, [t(`place.${p.kind}`), p.detail].filter(Boolean).join(" · "))))));
}

function goToPlace(p) {
  const [w, s, e, n] = p.bbox;
  $("place-list").replaceChildren();
  $("place-q").value = p.name;
  if (w === e && s === n) map.setView([s, w], Math.max(map.getZoom(), 18));
  else map.fitBounds([[s, w], [n, e]], { padding: [10, 10], maxZoom: 18 });
  $("map").scrollIntoView({ block: "nearest" });
}

// "Lokasi saya": the phone's position becomes the site, to be corrected by a tap
$("locate").addEventListener("click", () => {
  clearError("place-error");
  if (!navigator.geolocation) return showError("place-error", t("err.locate_failed"), "place-q");
  $("site-summary").textContent = t("pc.site.locating");
  navigator.geolocation.getCurrentPosition((pos) => {
    const lat = round6(pos.coords.latitude);
    const lon = round6(pos.coords.longitude);
    $("lat").value = lat;
    $("lon").value = lon;
    setSite({ type: "Point", coordinates: [lon, lat] }, { fit: true });
    $("site-summary").textContent += " " + t("pc.site.located", { m: num(pos.coords.accuracy, 0) });
  }, (err) => {
    setSite(state.site);
    showError("place-error", t(err.code === 1 ? "err.locate_denied" : "err.locate_failed"), "place-q");
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
});
if (window.matchMedia("(min-width: 900px)").matches) $("legend-box").open = true;

$("goto").addEventListener("click", () => {
  clearError("coords-error");
  let latText = $("lat").value;
  let lonText = $("lon").value;
  // a pasted "lat, lon" pair (as map apps copy it) fills both fields
  const pair = latText.match(/^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/);
  if (pair && !lonText.trim()) {
    [latText, lonText] = [pair[1], pair[2]];
    $("lat").value = latText;
    $("lon").value = lonText;
  }
  const lat = parseNumber(latText);
  const lon = parseNumber(lonText);
  if (lat === null || lon === null || Number.isNaN(lat) || Number.isNaN(lon)) {
    return showError("coords-error", t("err.coords_number"), lat === null || Number.isNaN(lat) ? "lat" : "lon");
  }
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    return showError("coords-error", t("err.coords_range"), Math.abs(lat) > 90 ? "lat" : "lon");
  }
  setSite({ type: "Point", coordinates: [lon, lat] }, { fit: true });
});

// ---------------------------------------------------------------- drawing
Object.assign(L.drawLocal.draw.handlers.polygon.tooltip, {
  start: t("draw.start"), cont: t("draw.cont"), end: t("draw.end"),
});
L.drawLocal.draw.handlers.polyline.error = t("draw.error");
const drawer = new L.Draw.Polygon(map, {
  allowIntersection: false,
  showArea: false,
  shapeOptions: { color: "#111", weight: 3, fillOpacity: 0.08 },
});
const drawButtons = h("div", { class: "tools", id: "draw-actions", hidden: true },
  h("button", { type: "button", class: "primary", id: "draw-finish", onclick: () => drawer.completeShape() }, `✓ ${t("draw.finish")}`),
  h("button", { type: "button", class: "secondary", id: "draw-undo", onclick: () => drawer.deleteLastVertex() }, `↶ ${t("draw.undo")}`),
  h("button", { type: "button", class: "secondary", id: "draw-cancel", onclick: () => drawer.disable() }, t("draw.cancel")),
);
$("draw").closest(".tools").after(drawButtons);

$("draw").addEventListener("click", () => {
  if (state.drawing) return drawer.disable();
  siteLayer.clearLayers();
  state.site = null;
  $("site-summary").textContent = t("pc.site.drawing");
  drawer.enable();
});
map.on("draw:drawstart", () => {
  state.drawing = true;
  $("draw").setAttribute("aria-pressed", "true");
  drawButtons.hidden = false;
});
map.on("draw:drawstop", () => {
  // the click that finished the shape must not also drop a point
  setTimeout(() => { state.drawing = false; }, 50);
  $("draw").setAttribute("aria-pressed", "false");
  drawButtons.hidden = true;
  if (!state.site) $("site-summary").textContent = t("pc.site.none");
});
map.on(L.Draw.Event.CREATED, (e) => setSite(e.layer.toGeoJSON().geometry));
$("clear-site").addEventListener("click", () => {
  if (state.drawing) drawer.disable();
  setSite(null);
  $("upload").value = "";
});

// ---------------------------------------------------------------- upload
$("upload").addEventListener("change", async () => {
  clearError("upload-error");
  const file = $("upload").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  $("site-summary").textContent = t("pc.site.reading");
  let resp;
  try {
    resp = await fetch(`/pages/upload?lang=${page.lang}`, { method: "POST", body: form });
  } catch {
    return showError("upload-error", t("err.network"), "upload");
  }
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    setSite(state.site);
    return showError("upload-error", problemText(body), "upload");
  }
  setSite(body.geometry, { fit: true });
  if (body.properties && body.properties.features > 1) {
    $("site-summary").textContent += " " + t("pc.site.merged", { n: body.properties.features });
  }
});

// ---------------------------------------------------------------- KBLI
const combo = kbliCombo({
  input: $("kbli-q"),
  list: $("kbli-list"),
  onChoose(item) {
    state.kbli = item.kode;
    state.kbliTitle = item.judul;
    $("kbli").value = item.kode;
    $("kbli-chosen").textContent = t("pc.kbli.chosen", { kode: item.kode, judul: item.judul });
    clearError("kbli-error");
  },
  onClear() {
    state.kbli = "";
    $("kbli").value = "";
    $("kbli-chosen").textContent = "";
  },
});

// ---------------------------------------------------------------- errors next to fields
const ERROR_INPUT = {
  "site-error": "map", "kbli-error": "kbli-q", "upload-error": "upload", "coords-error": "lat",
  "place-error": "place-q",
};

function showError(id, content, inputId) {
  const el = $(id);
  el.replaceChildren(...(Array.isArray(content) ? content : [content]));
  const input = $(inputId || ERROR_INPUT[id] || id.replace(/-error$/, ""));
  if (input && input.tagName === "INPUT") input.setAttribute("aria-invalid", "true");
  return el;
}

function clearError(id) {
  const el = $(id);
  el.replaceChildren();
  const input = $(ERROR_INPUT[id] || id.replace(/-error$/, ""));
  if (input) input.removeAttribute("aria-invalid");
}

function clearErrors() {
  for (const el of document.querySelectorAll(".field-error")) el.replaceChildren();
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/** A problem+json body as one readable message in the page language. */
function problemText(body) {
  const main = pick(body) || body.title || t("err.unknown");
  const hint = body[`hint_${page.lang}`] || body.hint_id;
  return hint ? `${main}. ${hint}` : main;
}

/** The error element of the field a problem's ``where`` (or a validation ``loc``) names. */
function errorSlot(where) {
  const w = String(where || "");
  if (w === "kbli" || w.endsWith(".kbli")) return "kbli-error";
  const fig = FIGURES.find((f) => w === f || w.endsWith(`.${f}`) || w.endsWith(`,${f}`));
  if (fig) return `f-${fig}-error`;
  if (/^(geometry|site|features|sites|baris|crs)/.test(w) || w.includes("site")) return "site-error";
  return "form-error";
}

function showProblem(body, status) {
  const list = Array.isArray(body.detail) ? body.detail : Array.isArray(body.errors) ? body.errors : null;
  if (list) {
    // request validation: one message per offending field
    for (const e of list) {
      const loc = Array.isArray(e.loc) ? e.loc.join(".") : e.where || e.pointer || "";
      const slot = errorSlot(loc);
      const msg = pick(e) || e.msg || e.message || "";
      showError(slot, `${t("err.invalid_value")} ${msg}`.trim());
    }
    return;
  }
  if (status === 429) return showError("form-error", t("err.rate_limited"));
  const slot = errorSlot(body.where);
  const parts = [problemText(body)];
  if (slot === "kbli-error" && Array.isArray(body.suggestions) && body.suggestions.length) {
    parts.push(h("span", {}, ` ${t("pc.kbli.did_you_mean")} `));
    for (const s of body.suggestions.slice(0, 5)) {
      parts.push(h("button", {
        type: "button",
        onclick: () => combo.choose({ kode: s.kode, judul: s.judul }),
      }, `${s.kode} ${s.judul}`));
    }
  }
  showError(slot, parts);
}

// ---------------------------------------------------------------- building figures
function readFigures() {
  const values = {};
  let ok = true;
  for (const name of FIGURES) {
    const input = $(`f-${name}`);
    const v = parseNumber(input.value);
    if (v === null) continue;
    if (Number.isNaN(v) || v < 0) {
      showError(`f-${name}-error`, t("err.figure"), `f-${name}`);
      ok = false;
    } else if (name === "floors" && !Number.isInteger(v)) {
      showError(`f-${name}-error`, t("err.floors_integer"), `f-${name}`);
      ok = false;
    } else {
      values[name] = v;
    }
  }
  return ok ? values : null;
}

// ---------------------------------------------------------------- submit
async function postCheck(body) {
  const init = {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  };
  const resp = await fetch("/v1/precheck", init);
  return resp;
}

$("precheck").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await runCheck();
});

async function runCheck() {
  clearErrors();
  const figures = readFigures();
  if (!state.site) showError("site-error", t("err.site_missing"));
  if (!state.kbli) showError("kbli-error", t("err.kbli_missing"), "kbli-q");
  const first = document.querySelector(".field-error:not(:empty)");
  if (first) {
    first.scrollIntoView({ block: "center" });
    return;
  }
  const button = $("submit");
  button.disabled = true;
  button.textContent = t("pc.checking");
  let resp;
  let body;
  try {
    resp = await postCheck({ site: state.site, kbli: state.kbli, proposal: figures });
    body = await resp.json().catch(() => ({}));
  } catch {
    showError("form-error", t("err.network"));
    return;
  } finally {
    button.disabled = false;
    button.textContent = t("pc.submit");
  }
  if (!resp.ok) {
    $("result").hidden = true;
    showProblem(body, resp.status);
    const shown = document.querySelector(".field-error:not(:empty)");
    if (shown) shown.scrollIntoView({ block: "center" });
    return;
  }
  const hash = writeState({ site: state.site, kbli: state.kbli, figures });
  history.replaceState(null, "", `${location.pathname}${location.search}#${hash}`);
  $("permalink").value = `${location.origin}${location.pathname}#${hash}`;
  $("pdf-link").href = `/pages/precheck.pdf?${hash}`; // the server's one-page summary
  $("print-link").textContent = t("res.print_link", {
    url: $("permalink").value, date: new Date().toLocaleString(page.lang === "en" ? "en-GB" : "id-ID"),
  });
  // the API answers the stored check record; its result is what the page shows
  $("result").dataset.ready = "false";
  await renderResult(body.result ?? body, state.site);
  $("result").dataset.ready = "true";
  $("result").focus({ preventScroll: true });
  $("result").scrollIntoView({ block: "start", behavior: "instant" });
}

// the browser's own "save as PDF": one page, marked as a pre-check (print rules in site.css)
$("print").addEventListener("click", () => window.print());

$("copy-link").addEventListener("click", async () => {
  const input = $("permalink");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    $("copy-link").textContent = t("res.copied");
  } catch {
    document.execCommand("copy");
  }
});

// ---------------------------------------------------------------- a permalink replays the check
async function restore() {
  let saved;
  try {
    saved = readState(location.hash);
  } catch {
    showError("form-error", t("err.permalink"));
    return;
  }
  if (!saved) return;
  if (saved.site) setSite(saved.site, { fit: true });
  for (const [k, v] of Object.entries(saved.figures)) $(`f-${k}`).value = v;
  if (saved.kbli) await combo.chooseCode(saved.kbli);
  if (state.site && state.kbli) await runCheck();
}

keepHashOnLanguageSwitch();
restore();
