// Plans from the web (admin): upload a package (loaded inactive), its validation report
// on the map, its diff against the active version, the re-check impact on recorded
// checks, then activate or roll back. Every step is recorded by the server.
import { h, keepHashOnLanguageSwitch, num, page, pick, t } from "./i18n.js";
import { makeMap } from "./mapbase.js";
import { problemItem } from "./problems.js";
import { tileUrl, zoneTileStyle } from "./tiles.js";

const $ = (id) => document.getElementById(id);
const API = page.api;
const planId = page.plan_id;
const map = makeMap($("plans-map"));
map.createPane("marks").style.zIndex = 640;

// the active version's zones as vector tiles; the URL names the version, since a tile
// may be kept by the browser for minutes and must not outlive an activation
let active = null;
let activeShown = null;
function showActive(version) {
  if (version === activeShown) return;
  if (active) active.remove();
  active = L.vectorGrid.protobuf(`${tileUrl("zones")}?v=${encodeURIComponent(version)}`, {
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: { zones: zoneTileStyle },
    maxNativeZoom: 18,
  });
  active.setZIndex(2);
  activeShown = version;
  if ($("show-active").checked) active.addTo(map);
}
const problemMarks = L.featureGroup().addTo(map);
const diffMarks = L.featureGroup().addTo(map);
const impactMarks = L.featureGroup().addTo(map);
window.kkpr = { map, problemMarks, diffMarks, impactMarks };
for (const [id, layer] of [["show-active", () => active], ["show-problems", () => problemMarks],
  ["show-diff", () => diffMarks], ["show-impact", () => impactMarks]]) {
  $(id).addEventListener("change", () => {
    if (!layer()) return;
    if ($(id).checked) layer().addTo(map);
    else layer().remove();
  });
}

let state = null; // {plan, versions, events}
let current = null; // the version under review

function problemOf(body) {
  return pick(body) || body.title || t("err.unknown");
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = page.csrf;
  let resp;
  try {
    resp = await fetch(path, { method, headers, body });
  } catch {
    return { ok: false, status: 0, body: { message_id: t("err.network"), message_en: t("err.network") } };
  }
  const data = await resp.json().catch(() => ({}));
  return { ok: resp.ok, status: resp.status, body: data };
}

// ---------------------------------------------------------------- the plan and its versions
async function loadState(select) {
  const r = await call("GET", `${API}/plans/${encodeURIComponent(planId)}`);
  if (!r.ok) {
    $("plan-current").textContent = problemOf(r.body);
    return;
  }
  state = r.body;
  showActive(state.plan.active_version);
  $("plan-current").textContent = t("plans.current", {
    name: state.plan.name, version: state.plan.active_version,
  });
  const pick_ = $("version-pick");
  pick_.replaceChildren(...state.versions.map((v) => h("option", { value: v.version }, t("plans.version.option", {
    version: v.version, at: (v.loaded_at || "").slice(0, 16).replace("T", " "), by: v.loaded_by || "—",
    active: v.active ? t("plans.version.active") : "",
  }))));
  const wanted = select || current || (state.versions.find((v) => !v.active) || state.versions[0] || {}).version;
  if (wanted) pick_.value = wanted;
  renderEvents();
  await choose(pick_.value);
}

$("version-pick").addEventListener("change", () => choose($("version-pick").value));

async function choose(version) {
  if (!version) return;
  const changed = version !== current;
  current = version;
  const isActive = version === state.plan.active_version;
  $("activate").textContent = t("plans.act.activate", { version });
  $("rollback").textContent = t("plans.act.rollback", { version });
  $("activate").disabled = isActive;
  $("rollback").disabled = !isActive;
  $("diff-run").disabled = isActive;
  $("impact-run").disabled = isActive;
  if (changed) {
    diffMarks.clearLayers();
    impactMarks.clearLayers();
    $("diff").replaceChildren(isActive ? h("p", { class: "muted" }, t("plans.act.is_active")) : "");
    $("impact").replaceChildren();
    $("impact-progress-box").hidden = true;
    await loadReport(version);
  }
}

// ---------------------------------------------------------------- the validation report
function drawProblems(problems, listId) {
  problemMarks.clearLayers();
  let placed = 0;
  const list = h("ol", { class: "list", id: listId });
  for (const p of problems) {
    if (p.geometry) placed += 1;
    list.append(problemItem(p, p.geometry, {
      map, layer: problemMarks,
      style: (_f, colour) => ({ color: colour, weight: 3, dashArray: "6 4", fillOpacity: 0.15 }),
    }));
  }
  return { list, placed };
}

function showReport(report, where, prefix = "report") {
  const summary = h("p", { id: `${prefix}-summary` }, t("plans.report.summary", {
    errors: report.errors, warnings: report.warnings,
  }));
  if (!report.problems.length) {
    problemMarks.clearLayers();
    where.replaceChildren(summary, h("p", { class: "ok-yes" }, t("plans.report.clean")));
    return;
  }
  const { list, placed } = drawProblems(report.problems, `${prefix}-problems`);
  where.replaceChildren(summary, h("p", { class: "muted" }, t("plans.report.placed", { n: placed })), list);
  if (placed) map.fitBounds(problemMarks.getBounds(), { maxZoom: 17 });
}

async function loadReport(version) {
  const r = await call("GET", `${API}/plans/${encodeURIComponent(planId)}/versions/${encodeURIComponent(version)}/report`);
  if (!r.ok) {
    $("report").replaceChildren(h("p", { class: "notice" }, problemOf(r.body)));
    return;
  }
  showReport(r.body, $("report"));
}

// ---------------------------------------------------------------- upload
$("upload-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const status = $("upload-status");
  const file = $("package").files[0];
  if (!file) {
    status.textContent = t("plans.upload.none");
    $("package").focus();
    return;
  }
  status.textContent = t("plans.upload.busy");
  $("upload-submit").disabled = true;
  const form = new FormData();
  form.append("package", file);
  const r = await call("POST", `${API}/upload`, form);
  $("upload-submit").disabled = false;
  document.querySelectorAll("#refused-report").forEach((el) => el.remove());
  if (r.ok) {
    const report = r.body.report;
    status.className = "ok-yes";
    status.textContent = t("plans.upload.done", { version: r.body.version, errors: report.errors, warnings: report.warnings });
    await loadState(r.body.version);
    return;
  }
  status.className = "notice";
  const problems = r.body.problems_on_map || r.body.problems || [];
  if (r.status === 422 && problems.length) {
    status.textContent = t("plans.upload.refused", { errors: problems.filter((p) => p.severity === "error").length });
    const box = h("div", { id: "refused-report" });
    status.after(box);
    showReport({ errors: problems.filter((p) => p.severity === "error").length,
      warnings: problems.filter((p) => p.severity !== "error").length, problems }, box, "refused");
  } else {
    status.textContent = problemOf(r.body);
  }
  await loadState(current);
});

// ---------------------------------------------------------------- diff
function table(id, heads, rows) {
  return h("table", { class: "data plans-table", id },
    h("thead", {}, h("tr", {}, heads.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c === null || c === undefined ? "—" : String(c)))))));
}

function section(title, node, n, shown) {
  return [h("h3", {}, `${title}: ${num(n, 0)}`), node, n > shown ? h("p", { class: "muted" }, t("plans.diff.more", { n: n - shown })) : ""];
}

const SHOWN = 30;
const KIND_COLOUR = { kodszn: "#c2255c", added: "#2b8a3e", removed: "#5f3dc4" };

function showDiff(d) {
  diffMarks.clearLayers();
  const box = $("diff");
  const lead = h("p", { id: "diff-lead" }, t("plans.diff.lead", { version: d.version, against: d.against }));
  const empty = !d.zones_changed_total && !d.itbx_changed.length && !d.intensity_changed.length &&
    !d.kbli_changed.length && !d.conditions_changed.length && !d.overlays_added.length &&
    !d.overlays_removed.length && !d.overlays_changed.length && !d.meta_changed.length;
  if (empty) {
    box.replaceChildren(h("p", { id: "diff-none" }, t("plans.diff.none", { against: d.against })));
    return;
  }
  const parts = [lead];
  if (d.transitions.length) {
    parts.push(...section(t("plans.diff.zones"), table("diff-zones",
      [t("plans.diff.kind"), t("plans.diff.old"), t("plans.diff.new"), t("plans.diff.area"), t("plans.diff.pieces")],
      d.transitions.slice(0, SHOWN).map((r) => [r.kind, r.old_kodszn, r.new_kodszn, num(r.area_m2, 1), r.pieces])),
    d.transitions.length, SHOWN));
  }
  if (d.itbx_changed.length) {
    const keys = Object.keys(d.itbx_changed[0]).filter((k) => k !== "new_subzone_area_m2");
    parts.push(...section(t("plans.diff.itbx"), table("diff-itbx", keys,
      d.itbx_changed.slice(0, SHOWN).map((r) => keys.map((k) => r[k]))), d.itbx_changed.length, SHOWN));
  }
  for (const [name, key] of [["intensity", "intensity_changed"], ["kbli", "kbli_changed"],
    ["conditions", "conditions_changed"], ["meta", "meta_changed"]]) {
    const rows = d[key];
    if (!rows.length) continue;
    const keys = Object.keys(rows[0]);
    parts.push(...section(t(`plans.diff.${name}`), table(`diff-${name}`, keys,
      rows.slice(0, SHOWN).map((r) => keys.map((k) => r[k]))), rows.length, SHOWN));
  }
  if (d.overlays_added.length || d.overlays_removed.length || d.overlays_changed.length) {
    parts.push(h("p", { id: "diff-overlays" }, t("plans.diff.overlays", {
      added: d.overlays_added.length, removed: d.overlays_removed.length, changed: d.overlays_changed.length,
    })));
  }
  box.replaceChildren(...parts);
  for (const piece of d.zones_changed) {
    if (!piece.geometry) continue;
    const colour = KIND_COLOUR[piece.kind] || "#e8590c";
    L.geoJSON(piece.geometry, {
      pane: "marks", style: () => ({ color: colour, weight: 2, fillColor: colour, fillOpacity: 0.35 }),
    }).bindPopup(h("div", {}, h("strong", {}, piece.detail || piece.kind), h("br"),
      `${piece.old_kodszn ?? "—"} → ${piece.new_kodszn ?? "—"} · ${num(piece.area_m2, 1)} m²`))
      .addTo(diffMarks);
  }
  for (const o of [...d.overlays_added, ...d.overlays_removed]) {
    if (o.geometry) L.geoJSON(o.geometry, { pane: "marks", style: () => ({ color: "#1971c2", weight: 2, dashArray: "4 3", fill: false }) })
      .bindPopup(`${o.jenis} · ${o.keterangan || ""}`).addTo(diffMarks);
  }
  if (diffMarks.getLayers().length) map.fitBounds(diffMarks.getBounds(), { maxZoom: 17 });
}

$("diff-run").addEventListener("click", async () => {
  $("diff").replaceChildren(h("p", { class: "muted" }, t("plans.diff.busy")));
  const r = await call("POST", `${API}/plans/${encodeURIComponent(planId)}/versions/${encodeURIComponent(current)}/diff`);
  if (!r.ok) {
    $("diff").replaceChildren(h("p", { class: "notice" }, problemOf(r.body)));
    return;
  }
  showDiff(r.body);
  refreshEvents();
});

// ---------------------------------------------------------------- re-check impact
function showImpact(job) {
  const box = $("impact");
  const bar = $("impact-progress");
  $("impact-progress-box").hidden = job.state !== "running";
  bar.max = Math.max(job.total, 1);
  bar.value = job.done;
  $("impact-progress-text").textContent = t("plans.impact.progress", { done: num(job.done, 0), total: num(job.total, 0) });
  if (job.state === "failed") {
    box.replaceChildren(h("p", { class: "notice" }, t("plans.impact.failed", { message: problemOf(job.error || {}) })));
    return;
  }
  if (job.state !== "done") return;
  const res = job.result;
  impactMarks.clearLayers();
  const list = h("ul", { class: "list", id: "impact-changes" });
  for (const c of res.changes) {
    const text = t(c.source === "application" ? "plans.impact.application" : "plans.impact.site", {
      id: c.check_id.slice(0, 12), kbli: c.kbli, kind: c.kind, from: c.old_outcome, to: c.outcome,
    });
    list.append(h("li", {}, text));
    if (c.geometry) {
      L.geoJSON(c.geometry, {
        pane: "marks", style: () => ({ color: "#e8590c", weight: 3, fillOpacity: 0.3 }),
        pointToLayer: (_f, ll) => L.circleMarker(ll, { pane: "marks", radius: 6, color: "#e8590c" }),
      }).bindPopup(text).addTo(impactMarks);
    }
  }
  box.replaceChildren(
    h("p", { id: "impact-summary" }, t("plans.impact.summary", {
      total: num(res.total, 0), changed: num(res.changed, 0), unchanged: num(res.unchanged, 0),
    }), " ", h("span", { class: "muted" }, t("plans.impact.limit", { limit: num(res.limit, 0) }))),
    h("p", { id: "impact-sources" }, t("plans.impact.sources", {
      checks: num((res.sources.check || {}).total || 0, 0), checks_changed: num((res.sources.check || {}).changed || 0, 0),
      apps: num((res.sources.application || {}).total || 0, 0), apps_changed: num((res.sources.application || {}).changed || 0, 0),
    })),
    h("ul", { id: "impact-transitions" }, res.transitions.map((x) => h("li", {}, t("plans.impact.transition", x)))),
    res.changes.length ? list : "",
  );
}

$("impact-run").addEventListener("click", async () => {
  const path = `${API}/plans/${encodeURIComponent(planId)}/versions/${encodeURIComponent(current)}/impact`;
  $("impact-run").disabled = true;
  let r = await call("POST", path);
  while (r.ok && r.body.state === "running") {
    showImpact(r.body);
    await new Promise((done) => setTimeout(done, 400));
    r = await call("GET", path);
  }
  $("impact-run").disabled = false;
  if (!r.ok) {
    $("impact").replaceChildren(h("p", { class: "notice" }, problemOf(r.body)));
    return;
  }
  showImpact(r.body);
  refreshEvents();
});

// ---------------------------------------------------------------- activate, roll back
let pending = null;
function ask(text, action) {
  pending = action;
  $("confirm-text").textContent = text;
  $("confirm").hidden = false;
  $("confirm-yes").focus();
}
$("confirm-no").addEventListener("click", () => { pending = null; $("confirm").hidden = true; });
$("confirm-yes").addEventListener("click", async () => {
  const action = pending;
  pending = null;
  $("confirm").hidden = true;
  if (action) await action();
});

async function act(kind) {
  const version = current;
  const r = await call("POST", `${API}/plans/${encodeURIComponent(planId)}/versions/${encodeURIComponent(version)}/${kind}`);
  const status = $("act-status");
  if (!r.ok) {
    status.className = "notice";
    status.textContent = problemOf(r.body);
    return;
  }
  status.className = "ok-yes";
  status.textContent = t(kind === "activate" ? "plans.act.activated" : "plans.act.rolled_back", {
    version: r.body.active_version, previous: r.body.previous,
  });
  current = null;
  await loadState(r.body.active_version);
}

$("activate").addEventListener("click", () => ask(t("plans.act.confirm_activate", { version: current }), () => act("activate")));
$("rollback").addEventListener("click", () => ask(t("plans.act.confirm_rollback", { version: current }), () => act("rollback")));

// ---------------------------------------------------------------- the record of steps
function renderEvents() {
  const events = state.events || [];
  if (!events.length) {
    $("events").replaceChildren(h("p", { class: "muted" }, t("plans.events.empty")));
    return;
  }
  $("events").replaceChildren(table("events-table",
    [t("plans.events.when"), t("plans.events.who"), t("plans.events.what"), t("plans.events.version"), t("plans.events.detail")],
    events.map((e) => [e.at.slice(0, 19).replace("T", " "), e.by, t(`plans.event.${e.action}`), e.version,
      Object.entries(e.detail || {}).map(([k, v]) => `${k}: ${v}`).join(", ")])));
}

async function refreshEvents() {
  const r = await call("GET", `${API}/plans/${encodeURIComponent(planId)}/events`);
  if (r.ok && state) {
    state.events = r.body;
    renderEvents();
  }
}

keepHashOnLanguageSwitch();
loadState();
