// Rendering a CheckResult: verdict, map, what to do next, and the tables behind it.
// Everything shown comes from the result JSON; the page recomputes no rule.
import { h, num, page, pct, pick, t } from "./i18n.js";
import {
  bboxOf, fetchFeatures, makeMap, overlayLegendItem, plainText, renderLegend, siteLegendItem,
  zoneCode, zoneName, zoneStyle,
} from "./mapbase.js";
import { elsewhereControl } from "./elsewhere.js";
import { landArea, renderMeaning, renderTerms } from "./meaning.js";
import { overlayStyle } from "./palette.js";

const $ = (id) => document.getElementById(id);
const ICON = { sesuai: "✓", sesuai_bersyarat: "!", tidak_sesuai: "✕", perlu_kajian: "?" };
const ITBX = ["I", "T", "B", "TB", "X"];
let resultMap = null;
let resultLayers = null;

export async function renderResult(r, site) {
  $("result").hidden = false;
  renderVerdict(r);
  const terms = new Set(["ITBX"]);
  await renderMeaning($("meaning"), r, terms);
  renderNext(r, terms);
  renderTerms($("terms"), terms);
  $("result-body").replaceChildren(
    partsTable(r), conditionsTable(r), intensityTable(r), overlaysTable(r), rastersTable(r),
    rtrwTable(r), reasonsList(r),
  );
  await drawResultMap(r, site);
  if (r.activity && r.activity.kbli) elsewhereControl($("elsewhere-box"), resultMap, r, site);
}

// ---------------------------------------------------------------- verdict
function renderVerdict(r) {
  const el = $("verdict");
  el.className = `verdict ${r.outcome}`;
  el.dataset.outcome = r.outcome;
  const summary = (r.reasons || []).find((x) => x.code === "outcome");
  const act = r.activity || {};
  el.replaceChildren(
    h("span", { class: "icon", "aria-hidden": "true" }, ICON[r.outcome] || "?"),
    h("div", {},
      h("p", { class: "headline", id: "verdict-headline" }, t(`out.${r.outcome}`)),
      h("p", { class: "sentence" }, summary ? pick(summary) : ""),
      h("p", { class: "facts" },
        t(r.site.geometry_type === "Point" ? "res.facts_point" : "res.facts", {
          kbli: act.kbli, judul: act.judul || act.kegiatan || "",
          area: num(r.site.area_m2, 0), lat: num(r.site.lat, 6), lon: num(r.site.lon, 6),
        }),
        " ", t(`form.${formOf(r)}`)))
  );
}

// ---------------------------------------------------------------- what to do next
// The engine's KKKPR means "wholly inside the RDTR"; OSS confirms it automatically only
// where that RDTR is integrated in OSS (the plan says so): elsewhere it is a PKKPR.
function formOf(r) {
  return r.form === "KKKPR" && !page.rdtr_in_oss ? "PKKPR" : r.form;
}

// NIB in OSS first, then the KKPR path this outcome and form take: the automatic
// confirmation where the RDTR is in OSS, otherwise the PKKPR with its documents, fee and
// working days; then where to ask.
function renderNext(r, terms) {
  const items = [];
  const conds = r.conditions || [];
  // pick(x), not .map(pick): map's index would become pick's stem (empty items)
  const byEffect = (e) => (r.reasons || []).filter((x) => x.effect === e).map((x) => pick(x));
  const deadlines = page.deadlines;
  const auto = page.rdtr_in_oss;
  const use = (...names) => names.forEach((n) => terms.add(n));
  if (r.outcome !== "tidak_sesuai") {
    items.push(t("next.nib"));
    use("NIB");
  }
  if (r.outcome === "sesuai" && auto) {
    items.push(t("next.kkkpr_auto"));
    use("KKKPR");
    if ((r.intensity || []).length) items.push(t("next.keep_limits"));
  } else if (r.outcome === "sesuai_bersyarat" && auto) {
    items.push(t("next.kkkpr_auto_conditions"));
    use("KKKPR");
    items.push(...conditionSteps(r));
  } else if (r.outcome === "tidak_sesuai") {
    items.push(...byEffect("tidak_sesuai"));
    items.push(t("next.other_site"));
    if ((r.intensity || []).some((i) => i.ok === false) || conds.some((c) => c.checks.some((k) => k.ok === false))) {
      items.push(t("next.reduce"));
    }
  } else if (r.form === "PKKPR" || !auto) {
    items.push(t("next.pkkpr_path", { days: deadlines.pkkpr }));
    items.push(t("next.pkkpr_docs"));
    items.push(pnbpStep(r));
    use("PKKPR", "PNBP");
    items.push(...byEffect("perlu_kajian"));
    if (r.outcome === "sesuai_bersyarat") items.push(...conditionSteps(r));
  } else {
    items.push(t("next.review_path", { days: deadlines.review }));
    items.push(...byEffect("perlu_kajian"));
  }
  const unverified = (r.intensity || []).filter((i) => i.ok === null).length +
    conds.reduce((n, c) => n + c.checks.filter((k) => k.ok === null).length, 0);
  if (unverified && r.outcome !== "tidak_sesuai") items.push(t("next.fill_figures"));
  items.push(officeStep());
  $("next").replaceChildren(
    h("h3", {}, t("next.heading")),
    h("ol", { id: "next-steps" }, items.map((text) => h("li", {}, text))),
  );
}

function conditionSteps(r) {
  const out = [];
  for (const c of r.conditions || []) {
    // condition texts often repeat their own code ("T1: ..."): say it once
    const teks = c.teks.replace(new RegExp(`^\\s*${c.kode}\\s*[:.]\\s*`), "");
    out.push(t(c.kind === "B" ? "next.condition_b" : "next.condition_t", { kode: c.kode, teks }));
  }
  for (const o of r.overlays || []) {
    if (o.efek === "B" && o.deciding) out.push(t("next.overlay_b", { jenis: overlayName(o.jenis) }));
  }
  for (const x of r.rasters || []) {
    if (x.exceeded && x.efek === "B") out.push(t("next.raster_b", { label: pick(x, "label_") }));
  }
  return out;
}

// the estimate is the pipeline's own (GET /pages/pnbp), filled in when it arrives
function pnbpStep(r) {
  const land = landArea(r);
  const step = h("span", {}, t("next.pnbp_ask"));
  if (!page.pnbp || !land) return step;
  fetch(`/pages/pnbp?area_m2=${encodeURIComponent(land)}`)
    .then((resp) => (resp.ok ? resp.json() : null))
    .then((e) => {
      if (e) step.textContent = t("next.pnbp", { land: num(land, 0), amount: num(e.nominal, 0) });
    })
    .catch(() => {});
  return step;
}

function officeStep() {
  const o = page.office || {};
  const where = [o.name, o.address].filter(Boolean).join(", ");
  const text = t("next.office", { office: where });
  return o.hours ? `${text} ${t("next.office_hours", { hours: o.hours })}` : text;
}

function overlayName(jenis) {
  const name = page.overlay_kinds[jenis];
  return name ? `${jenis} (${name})` : jenis;
}

// ---------------------------------------------------------------- tables
function table(id, caption, headers, rows, rowClass = () => null) {
  if (!rows.length) return h("div", {});
  return h("div", { class: "table-wrap" },
    h("table", { class: "data", id },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((cells, i) =>
        h("tr", { class: rowClass(i) }, cells.map((c, j) =>
          h("td", { "data-label": headers[j], class: typeof c === "number" ? "n" : null },
            typeof c === "number" ? num(c) : c)))))));
}

function itbxChip(cls, cell) {
  const key = ITBX.includes(cls) ? cls : "none";
  return h("span", {},
    h("span", { class: `cls cls-${key}` }, cls || "–"), " ", t(`itbx.${key}`),
    cell && cell !== cls ? h("span", { class: "muted" }, ` [${cell}]`) : "");
}

function yesNo(ok) {
  if (ok === true) return h("span", { class: "ok-yes" }, `✓ ${t("res.ok")}`);
  if (ok === false) return h("span", { class: "ok-no" }, `✕ ${t("res.exceeded")}`);
  return h("span", { class: "ok-unknown" }, t("res.unknown"));
}

function partsTable(r) {
  const parts = r.parts || [];
  return table("parts-table", t("res.parts"),
    [t("col.subzone"), t("col.zone"), t("col.block"), t("col.place"), t("col.area"), t("col.share"), t("col.itbx"), t("col.deciding")],
    parts.map((p) => [
      h("span", {}, h("strong", {}, p.kodszn), p.namszn ? ` ${p.namszn}` : ""),
      [p.kodzon, p.namzon].filter(Boolean).join(" ") || "—",
      [p.kodblk, p.kodsbl].filter(Boolean).join(" / ") || "—",
      [p.wadmkd, p.wadmkc].filter(Boolean).join(", ") || "—",
      p.area_m2, h("span", {}, pct(p.share)),
      itbxChip(p.itbx, p.cell),
      p.deciding ? t("res.yes") : t("res.sliver"),
    ]),
    (i) => (parts[i].deciding ? null : "not-deciding"));
}

const CHECK_NAME = { max_floor_area_m2: "chk.floor_area", max_site_area_m2: "chk.site_area", max_floors: "chk.floors" };

function conditionsTable(r) {
  return table("conditions-table", t("res.conditions"),
    [t("col.code"), t("col.kind"), t("col.text"), t("col.subzone"), t("col.checks")],
    (r.conditions || []).map((c) => [
      h("strong", {}, c.kode),
      t(c.kind === "B" ? "itbx.B" : "itbx.T"),
      c.teks,
      c.kodszn.join(", "),
      c.checks.length
        ? h("ul", { class: "plain" }, c.checks.map((k) =>
          h("li", {}, `${t(CHECK_NAME[k.limit] || k.limit)} ≤ ${num(k.max)}; ${t("res.proposed")}: ${k.proposed === null ? "—" : num(k.proposed)} `, yesNo(k.ok))))
        : "—",
    ]));
}

function intensityTable(r) {
  return table("intensity-table", t("res.intensity"),
    [t("col.rule"), t("col.limit"), t("col.proposed"), t("col.status"), t("col.source")],
    (r.intensity || []).map((i) => [
      h("span", {}, h("strong", {}, i.rule), ` ${t(`rule.${i.rule}`)}`),
      `${i.rule === "KDH" ? "≥" : "≤"} ${num(i.limit, 2)} ${unit(i.unit)}`,
      i.proposed === null ? "—" : `${num(i.proposed, 2)} ${unit(i.unit)}`,
      yesNo(i.ok),
      i.source,
    ]));
}

function unit(u) {
  return u === "lantai/floors" ? t("unit.floors") : u;
}

function overlaysTable(r) {
  return table("overlays-table", t("res.overlays"),
    [t("col.overlay"), t("col.effect"), t("col.text"), t("col.height_cap"), t("col.share")],
    (r.overlays || []).map((o) => [
      h("strong", {}, overlayName(o.jenis)),
      t(`efek.${o.efek || "info"}`),
      o.keterangan || "—",
      o.tb === null ? "—" : `${num(o.tb)} m`,
      h("span", {}, pct(o.share)),
    ]));
}

function rastersTable(r) {
  return table("rasters-table", t("res.rasters"),
    [t("col.raster"), t("col.max"), t("col.mean"), t("col.share_above"), t("col.effect"), t("col.status")],
    (r.rasters || []).map((x) => [
      pick(x, "label_"),
      x.max === null ? "—" : num(x.max, 2),
      x.mean === null ? "—" : num(x.mean, 2),
      h("span", {}, pct(x.share_above)),
      t(`efek.${x.efek || "info"}`),
      x.exceeded ? h("span", { class: "ok-no" }, t("res.raster_exceeded")) : h("span", { class: "ok-yes" }, t("res.raster_ok")),
    ]));
}

function rtrwTable(r) {
  return table("rtrw-table", t("res.rtrw"),
    [t("col.rtrw"), t("col.kind"), t("col.area")],
    (r.rtrw || []).map((x) => [x.namobj, x.jnsrpr || "—", x.area_m2]));
}

function reasonsList(r) {
  const reasons = (r.reasons || []).filter((x) => x.code !== "outcome");
  return h("div", {},
    h("h3", {}, t("res.reasons")),
    h("ul", { class: "reasons", id: "reasons" },
      reasons.map((x) => h("li", { class: `eff-${x.effect}` }, pick(x)))));
}

// ---------------------------------------------------------------- the site over its zones
async function drawResultMap(r, site) {
  if (!resultMap) {
    resultMap = makeMap($("result-map"), { zoomControl: true });
    resultLayers = L.layerGroup().addTo(resultMap);
    window.kkpr.resultMap = resultMap;
  }
  resultMap.invalidateSize();
  resultLayers.clearLayers();
  const siteLayer = L.geoJSON(site, {
    style: (f) => (f.geometry.type === "Point" ? {} : { color: "#111", weight: 3.5, fill: false }),
    pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 8, color: "#111", weight: 3, fillOpacity: 0.9, fillColor: "#fff" }),
  });
  // the site with its surroundings: at least about 300 m across, so neighbours show
  const bounds = siteLayer.getBounds();
  const c = bounds.getCenter();
  const half = 0.0014;
  const view = bounds.pad(0.8).extend([[c.lat - half, c.lng - half], [c.lat + half, c.lng + half]]);
  const partFids = new Set((r.parts || []).map((p) => String(p.fid)));
  const codes = new Map();
  try {
    const [z, o] = await Promise.all([
      fetchFeatures("zones", bboxOf(view), { max: 2000 }),
      fetchFeatures("overlays", bboxOf(view), { max: 500 }),
    ]);
    L.geoJSON(z.features, {
      style: (f) => ({ ...zoneStyle(f), weight: partFids.has(String(f.id)) ? 2 : 0.6, color: partFids.has(String(f.id)) ? "#222" : "#4a4a4a" }),
      onEachFeature(f, layer) {
        const p = f.properties || {};
        codes.set(zoneCode(p), zoneName(p));
        if (partFids.has(String(f.id))) {
          layer.bindTooltip(plainText(zoneCode(p)), { permanent: true, direction: "center", className: "zone-label" });
        } else {
          layer.bindTooltip(plainText(`${zoneCode(p)} ${zoneName(p)}`), { sticky: true });
        }
      },
    }).addTo(resultLayers);
    const kinds = new Set();
    L.geoJSON(o.features, {
      style: (f) => overlayStyle(f.properties.jenis ?? f.properties.JENIS),
      onEachFeature(f, layer) {
        const j = f.properties.jenis ?? f.properties.JENIS;
        kinds.add(j);
        layer.bindTooltip(plainText(overlayName(j)), { sticky: true });
      },
      interactive: true,
    }).addTo(resultLayers);
    const conformingItems = drawConforming(r);
    renderLegend($("result-legend"), codes,
      [...[...kinds].map(overlayLegendItem), siteLegendItem(), ...conformingItems]);
  } catch {
    $("result-legend").replaceChildren(h("li", {}, t("map.load_error")));
  }
  siteLayer.addTo(resultLayers);
  resultMap.fitBounds(view);
}

// The part of the site where the activity is not forbidden (every result's
// ``conforming``, GeoJSON in lon/lat): hatched green over the zones, with its words in
// the legend, so an owner sees which part of the plot the verdict allows (green, dashed).
const CONFORMING_STYLE = {
  color: "#1b7f3b", weight: 2, dashArray: "5 4", fillColor: "#2e9e4f", fillOpacity: 0.35,
  className: "conforming", interactive: false,
};

function drawConforming(r) {
  const c = r.conforming || {};
  if (!r.site || r.site.geometry_type === "Point") return [];
  const share = typeof c.share === "number" ? c.share : 0;
  if (c.geometry && share > 0) L.geoJSON(c.geometry, { style: () => CONFORMING_STYLE }).addTo(resultLayers);
  const words = share >= 0.9995 ? t("precheck.conforming.all")
    : share > 0 ? t("precheck.conforming.some", { area: num(c.area_m2, 0), share: pct(share) })
    : t("precheck.conforming.none");
  return [h("li", { class: "conforming-item" },
    h("span", { class: "swatch conforming", "aria-hidden": "true" }),
    h("span", {}, h("strong", {}, t("precheck.conforming.legend")), " ", h("span", { id: "conforming-words" }, words)))];
}
