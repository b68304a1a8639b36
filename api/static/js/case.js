// One case for staff: its map (the requested site, the part outside the RDTR, the
// conforming part, the approved part, over the zones, overlays and RTRW tiles), the
// check's parts, reasons and conditions, the applicant and the OSS identifiers, every
// step with who and when, and the steps possible now as forms calling the pipeline's
// API. "Approve in part" draws the approved polygon on the map, starting from the
// conforming part. The print view (page.print) draws the map only.
import { h, num, page, pct, pick, t } from "./i18n.js";
import { makeMap } from "./mapbase.js";
import { overlayStyle } from "./palette.js";
import { tileLayer, ZONE_MIN_ZOOM, zoneTileStyle } from "./tiles.js";

const $ = (id) => document.getElementById(id);
// the decision's words: the staff page's, and the one it has no form for
const decisionWord = (d) => (d === "approve_in_part" ? t("cases.decide.approve_in_part") : t(`staff.decide.${d}`));
const caseId = page.case_id;
const STYLE = {
  site: { color: "#111", weight: 3, fill: false },
  outside: { color: "#c92a2a", weight: 2, dashArray: "6 4", fillColor: "#c92a2a", fillOpacity: 0.35 },
  conforming: { color: "#2b8a3e", weight: 2, fillColor: "#2b8a3e", fillOpacity: 0.3 },
  approved: { color: "#1971c2", weight: 3, fillColor: "#1971c2", fillOpacity: 0.3 },
};
const map = makeMap($("case-map"));
map.createPane("case").style.zIndex = 450; // over the tiles, under the drawing's corner markers (600)
window.kkpr = { map, drawnGeometry: () => drawnGeometry() };
const layers = {};
const pointStyle = (colour) => (_f, ll) => L.circleMarker(ll, {
  pane: "case", radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1,
});

// the plan under the case: zones, overlays and the RTRW as vector tiles
layers.rtrw = tileLayer(map, "rtrw", () => ({
  fill: true, fillColor: "#b9a7d6", fillOpacity: 0.25, color: "#6b5b95", weight: 0.8, dashArray: "3 3",
}));
layers.rtrw.setZIndex(1);
layers.zones = tileLayer(map, "zones", zoneTileStyle, { minZoom: ZONE_MIN_ZOOM });
layers.zones.setZIndex(2);
layers.overlays = tileLayer(map, "overlays", (p) => ({ ...overlayStyle(p.jenis), fill: false }));
layers.overlays.setZIndex(3);

function drawParts(geo) {
  for (const name of ["site", "outside", "conforming", "approved"]) {
    if (layers[name]) layers[name].remove();
    layers[name] = L.geoJSON(geo[name] || null, {
      pane: "case", style: STYLE[name], pointToLayer: pointStyle(STYLE[name].color),
    });
    const box = document.querySelector(`[data-layer=${name}]`);
    if (box) box.closest("label").hidden = !geo[name];
    if (!box || box.checked) layers[name].addTo(map);
  }
  if (geo.site) map.fitBounds(layers.site.getBounds(), { maxZoom: 18, padding: [20, 20] });
}

for (const box of document.querySelectorAll("[data-layer]")) {
  box.addEventListener("change", () => {
    const layer = layers[box.dataset.layer];
    if (!layer) return;
    if (box.checked) layer.addTo(map);
    else layer.remove();
  });
}

// ---------------------------------------------------------------- reading the case
async function load() {
  const resp = await fetch(`/v1/staff/cases/${encodeURIComponent(caseId)}`, {
    headers: { Accept: "application/json" },
  }).catch(() => null);
  const body = resp ? await resp.json().catch(() => ({})) : {};
  if (!resp || !resp.ok) {
    $("case-body").replaceChildren(h("p", { class: "notice", id: "case-error" },
      resp ? pick(body) || body.title : t("err.network")));
    return null;
  }
  drawParts(body.map);
  if (!page.print) render(body);
  window.kkpr.case = body;
  window.kkpr.ready = true;
  return body;
}

const dash = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));
const when = (iso) => (iso ? new Date(iso).toLocaleString(page.lang === "id" ? "id-ID" : "en-GB", {
  timeZone: "Asia/Makassar", dateStyle: "medium", timeStyle: "short",
}) : "—");

function facts(id, pairs) {
  return h("dl", { class: "facts", id }, pairs.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [
    h("dt", {}, k), h("dd", {}, v instanceof Node ? v : dash(v)),
  ]));
}

function section(id, title, ...children) {
  return h("section", { class: "case-section", "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title), ...children);
}

function render(c) {
  const a = c.assessment;
  $("case-title").textContent = `${c.number} · ${c.business_name}`;
  $("case-sub").textContent = [c.applicant, c.nib && `NIB ${c.nib}`, `KBLI ${c.kbli}`,
    c.kelurahan.join(", "), c.form].filter(Boolean).join(" · ");
  const doc = c.document;
  $("case-document").replaceChildren(doc ? h("a", { href: doc.staff_url, id: "document-link" },
    t("staff.decide.document", { number: doc.number })) : "");
  const check = c.check || {};
  $("case-body").replaceChildren(
    summary(c, a),
    actions(c, a),
    section("check", t("cases.case.check"), checkPart(check, c)),
    section("applicant", t("cases.case.applicant"), applicant(c)),
    section("oss", t("cases.case.oss"), oss(c)),
    section("steps", t("cases.case.steps"), steps(c)),
    section("stages", t("cases.case.stages"), stages(c)),
  );
}

function summary(c, a) {
  const clock = !a ? t("cases.case.no_clock")
    : a.status === "decided" ? t("cases.case.ended", { day: dash(a.ended_on), used: a.working_days_used, allowed: a.working_days })
    : a.paused ? t("cases.case.paused", { why: dash(a.pause_reason), left: dash(a.working_days_left) })
      : a.started_on ? t("cases.case.clock", {
        used: a.working_days_used, allowed: a.working_days, left: dash(a.working_days_left), deadline: dash(a.deadline),
      }) : t("cases.case.not_started");
  return section("summary", t("cases.case.summary"), facts("case-summary", [
    [t("cases.col.state"), a ? h("span", {}, h("span", { class: "badge", id: "state-code" }, a.kd_status), " ",
      pick({ id: a.state_id, en: a.state_en })) : t(`out.${c.outcome}`)],
    [t("cases.case.clock_h"), h("span", { class: a && a.overdue ? "field-error" : "" }, clock)],
    [t("cases.case.outcome"), t(`out.${c.outcome}`)],
    [t("cases.col.form"), `${c.form}${c.rdtr_integrated ? "" : ` · ${t("cases.case.rdtr_not_in_oss")}`}`],
    [t("cases.case.plan"), `${c.plan.id} ${c.plan.version}`],
    [t("cases.col.submitted"), when(c.submitted_at)],
    ...(a && a.missing && a.missing.length ? [[t("cases.case.missing"), a.missing.join("; ")]] : []),
    ...(c.decision ? [[t("staff.decide.decision"), h("span", { id: "decision-made" },
      `${decisionWord(c.decision.decision)} · ${c.decision.decided_on}`)]] : []),
  ]));
}

function checkPart(check, c) {
  const parts = check.parts || [];
  const site = check.site || {};
  const conf = check.conforming || {};
  return h("div", {},
    facts("case-areas", [
      [t("cases.case.area"), `${num(site.area_m2, 1)} m²`],
      [t("cases.map.outside"), `${num(site.outside_m2, 1)} m² (${pct(site.outside_share)})`],
      [t("cases.map.conforming"), conf.area_m2 === null || conf.area_m2 === undefined ? "—"
        : `${num(conf.area_m2, 1)} m² (${pct(conf.share)})`],
      ...(c.decision && c.decision.data_teknis ? [[t("cases.map.approved"),
        `${num(c.decision.data_teknis.luas, 1)} m²`]] : []),
    ]),
    h("h3", {}, t("cases.case.parts")),
    parts.length ? h("div", { class: "table-wrap" }, h("table", { class: "data", id: "case-parts" },
      h("thead", {}, h("tr", {}, [t("cases.case.subzone"), t("cases.case.block"), t("cases.col.kelurahan"),
        t("cases.case.area"), "ITBX"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, parts.map((p) => h("tr", {},
        h("td", {}, `${p.kodszn} ${p.namszn || ""}`),
        h("td", {}, dash(p.kodsbl || p.kodblk)),
        h("td", {}, dash(p.wadmkd)),
        h("td", {}, `${num(p.area_m2, 1)} m² (${pct(p.share)})`),
        h("td", {}, h("span", { class: `cls cls-${p.itbx || "none"}` }, p.cell || "–"),
          p.deciding ? "" : h("span", { class: "muted" }, ` ${t("cases.case.sliver")}`))))))) : h("p", { class: "muted" }, t("cases.case.no_parts")),
    (check.rtrw || []).length ? h("p", { id: "case-rtrw" }, h("strong", {}, `${t("staff.layer.rtrw")}: `),
      check.rtrw.map((r) => `${r.namobj}${r.jnsrpr ? ` (${r.jnsrpr})` : ""}`).join("; ")) : "",
    h("h3", {}, t("cases.case.reasons")),
    h("ul", { class: "reasons", id: "case-reasons" }, (check.reasons || []).map((r) =>
      h("li", { class: `effect-${r.effect}` }, pick(r)))),
    h("h3", {}, t("cases.case.conditions")),
    (c.conditions || []).length || (check.conditions || []).length
      ? h("ul", { id: "case-conditions" }, [
        ...(check.conditions || []).map((x) => h("li", {}, `${x.kode}: ${x.teks}`)),
        ...(c.conditions || []).filter((x) => x.source !== "plan").map((x) => h("li", {}, `${x.kode}: ${pick(x)}`)),
      ])
      : h("p", { class: "muted", id: "case-conditions" }, t("cases.case.none")),
  );
}

function applicant(c) {
  const d = c.applicant_detail;
  const p = c.proposal || {};
  // OSS's code with its words where OSS's field list defines them: "01 · usaha mikro"
  const words = c.applicant_words || {};
  const coded = (field) => (d[field] == null ? null : words[field] ? `${d[field]} · ${pick(words[field])}` : d[field]);
  return facts("case-applicant", [
    [t("cases.col.applicant"), d.name],
    [t("cases.case.business"), d.business_name],
    ["NIB", d.nib],
    [t("cases.case.scale"), coded("skala_usaha")],
    [t("cases.case.investment"), coded("status_penanaman_modal")],
    [t("cases.case.actor_kind"), coded("jenis_pelaku_usaha")],
    [t("cases.case.umk"), coded("flag_umk")],
    [t("cases.case.tenure"), [coded("memiliki_menguasai"), coded("status_tanah")].filter(Boolean).join(" · ") || null],
    [t("cases.case.land"), d.luas_tanah ? `${d.luas_tanah} ${d.satuan_luas_tanah === "02" ? "ha" : "m²"}` : (p.land_area_m2 ? `${num(p.land_area_m2, 1)} m²` : null)],
    [t("cases.case.address"), d.alamat_usaha],
    [t("cases.case.purpose"), d.purpose],
    [t("cases.case.floors"), `${dash(p.floors)} · ${num(p.floor_area_m2, 1)} m²`],
  ]);
}

function oss(c) {
  if (!c.oss) return h("p", { class: "muted", id: "case-oss" }, t("cases.case.not_oss", { ref: dash(c.external_ref) }));
  return facts("case-oss", [
    ["id_izin", c.oss.id_izin], ["oss_id", c.oss.oss_id], ["id_proyek", c.oss.id_proyek],
    ["kd_izin", c.oss.kd_izin], ["kd_daerah", c.oss.kd_daerah], ["NIB", c.oss.nib],
    [t("cases.case.received"), when(c.oss.received_at)],
  ]);
}

function steps(c) {
  const names = c.officer_names || {};
  return h("ol", { class: "timeline", id: "case-steps" }, (c.transitions || []).map((s) => {
    const who = [s.officer_name, s.officer_nip && `NIP ${s.officer_nip}`].filter(Boolean).join(", ");
    const key = s.acted_by ? ` · ${t("cases.case.via", { key: names[s.acted_by] || s.acted_by })}` : "";
    return h("li", {},
      h("strong", {}, `${s.kd_status ? `${s.kd_status} ` : ""}${t(`cases.action.${s.action}`)}`), " ",
      h("span", { class: "muted" }, `${when(s.at)} · ${who}${key} (${t(`cases.actor.${s.actor}`)})`),
      s.keterangan ? h("p", {}, s.keterangan) : "",
      dataLine(s.data));
  }));
}

/** The application's stages as the permit system reported them (KKPR, then the
 * environmental approval, PBG, SLF, the business licence), with who and when. */
function stages(c) {
  return h("ol", { class: "timeline", id: "case-stages" }, (c.history || []).map((s) => h("li", {},
    h("strong", {}, `${t(`trk.stage.${s.stage}`)}: ${t(`trk.stage_status.${s.status}`)}`), " ",
    h("span", { class: "muted" }, `${when(s.at)}${s.actor ? ` · ${(c.officer_names || {})[s.actor] || s.actor}` : ""}`),
    s.note ? h("p", {}, s.note) : "")));
}

function dataLine(data) {
  const shown = Object.entries(data || {}).filter(([k]) => !["estimate"].includes(k));
  if (!shown.length) return "";
  const text = (v) => (Array.isArray(v) ? v.join(", ") : typeof v === "object" && v !== null
    ? Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => `${k}: ${x}`).join(", ") : String(v));
  return h("p", { class: "muted step-data" }, shown.map(([k, v]) => `${k}: ${text(v)}`).join(" · "));
}

// ---------------------------------------------------------------- acting on the case
// what each step carries (kkpr.pipeline.steps.REQUIRED), as form fields
const FIELDS = {
  kembalikan: [["missing", "lines"]],
  tagih: [["kd_billing", "text"], ["tgl_expire", "date"], ["nominal", "number", true], ["url_dokumen", "text", true]],
  unggah_bukti: [["file", "text"]],
  periksa_lapangan: [["tanggal", "date"]],
  pertek: [["nomor", "text"], ["tanggal", "date"], ["file", "text"]],
  fpr: [["anggota", "lines"], ["tanggal", "date"], ["berita_acara", "text"], ["rekomendasi", "text"]],
};
const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);

function officerBox() {
  return h("fieldset", { class: "officer", id: "officer" },
    h("legend", {}, t("cases.act.officer")),
    h("p", { class: "help", id: "officer-help" }, t("cases.act.officer_help")),
    h("div", { class: "field" }, h("label", { for: "officer-nip" }, "NIP"), kept("officer-nip",
      h("input", { id: "officer-nip", type: "text", inputmode: "numeric", maxlength: 18, "aria-describedby": "officer-help" }))),
    h("div", { class: "field" }, h("label", { for: "officer-name" }, t("cases.act.officer_name")),
      kept("officer-name", h("input", { id: "officer-name", type: "text", maxlength: 200 }))));
}

/** An input whose value this tab keeps (the officer acting stays named from step to step). */
function kept(name, input) {
  input.value = sessionStorage.getItem(`kkpr.${name}`) || "";
  input.addEventListener("input", () => sessionStorage.setItem(`kkpr.${name}`, input.value));
  return input;
}

function officer() {
  const nip = $("officer-nip").value.trim();
  const name = $("officer-name").value.trim();
  return nip || name ? { nip, name } : undefined;
}

async function send(path, body) {
  let resp;
  try {
    resp = await fetch(path, {
      method: "POST",
      // the session cookie alone changes nothing: the page's anti-forgery token too
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": page.csrf },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, body: { message_id: t("err.network"), message_en: t("err.network") } };
  }
  return { ok: resp.ok, body: await resp.json().catch(() => ({})) };
}

function actions(c, a) {
  if (!a || !a.next.length) {
    return section("actions", t("cases.case.actions"), h("p", { class: "muted", id: "no-actions" },
      t(a ? "cases.act.none" : "cases.act.kkkpr")));
  }
  const forms = a.next.map((action) => (action === page.decide_action ? decisionForm(c) : stepForm(c, action)));
  return section("actions", t("cases.case.actions"), officerBox(),
    h("div", { class: "actions", id: "case-actions" }, forms));
}

function errorBox(id) {
  return h("p", { class: "field-error", id, role: "alert" });
}

function stepForm(c, action) {
  const key = (n) => `a-${action}-${n}`;
  const info = page.actions[action];
  const fields = FIELDS[action] || [];
  const error = errorBox(key("error"));
  const inputs = {};
  const rows = fields.map(([name, kind, optional]) => {
    const input = kind === "lines" ? h("textarea", { id: key(name), rows: 3, "aria-describedby": key("error") })
      : h("input", { id: key(name), type: kind, "aria-describedby": key("error"), ...(kind === "number" ? { step: "any", min: 0 } : {}) });
    inputs[name] = [input, kind];
    return h("div", { class: "field" }, h("label", { for: key(name) },
      `${t(`cases.field.${name}`)}${optional ? ` ${t("cases.act.optional")}` : ""}`,
      kind === "lines" ? h("span", { class: "help" }, ` ${t("staff.decide.one_per_line")}`) : ""), input);
  });
  const why = h("textarea", { id: key("keterangan"), rows: 2, "aria-describedby": key("error") });
  const button = h("button", { type: "submit", class: info.actor === "staff" ? "primary" : "secondary" },
    t(`cases.action.${action}`));
  const form = h("form", { class: "act", "data-action": action, novalidate: true },
    info.actor !== "staff" ? h("p", { class: "help" }, t("cases.act.for_applicant")) : "",
    ...rows,
    h("div", { class: "field" }, h("label", { for: key("keterangan") },
      info.reason ? t("cases.act.reason_required") : t("cases.act.reason")), why),
    button, error);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    const data = {};
    for (const [name, [input, kind]] of Object.entries(inputs)) {
      const v = input.value.trim();
      if (!v) continue;
      data[name] = kind === "lines" ? lines(v) : kind === "number" ? Number(v) : v;
    }
    button.disabled = true;
    const done = await send(`/v1/applications/${encodeURIComponent(c.id)}/steps/${action}`, {
      keterangan: why.value.trim() || null, data, officer: officer(),
    });
    button.disabled = false;
    if (!done.ok) {
      error.textContent = problemText(done.body);
      return;
    }
    $("case-status").replaceChildren(h("span", { class: "ok-yes" }, t("cases.act.done", { action: t(`cases.action.${action}`) })));
    await load();
  });
  return h("details", { class: "act-box", id: `act-${action}` }, h("summary", {}, t(`cases.action.${action}`)), form);
}

function problemText(body) {
  const detail = (body.errors || []).map((e) => pick(e) || e.msg).filter(Boolean).join("; ");
  return [pick(body) || body.title || t("err.unknown"), pick(body, "hint_") || detail].filter(Boolean).join(" — ");
}

// the approved polygon of a decision in part, drawn on the map
let drawn = null;
let drawer = null;
let onCreated = null; // the decision form's, set when it is drawn
if (L.Draw) map.on(L.Draw.Event.CREATED, (e) => onCreated && onCreated(e));
function clearDrawn() {
  if (drawer) drawer.disable();
  if (drawn) { if (drawn.editing) drawn.editing.disable(); drawn.remove(); }
  drawn = null;
}
function drawnGeometry() {
  // full precision: Leaflet rounds to 6 decimals (~0.1 m) by default, which would move
  // corners on the site's edge outside it
  return drawn ? drawn.toGeoJSON(false).geometry : null;
}

function decisionForm(c) {
  const key = (n) => `d-${n}`;
  const errors = Object.fromEntries(["decision", "reasons", "conditions", "approved_site", "form"]
    .map((n) => [n, errorBox(key(`${n}-error`))]));
  const reasons = h("textarea", { id: key("reasons"), rows: 3, "aria-describedby": key("reasons-error") });
  const conditions = h("textarea", { id: key("conditions"), rows: 3, "aria-describedby": key("conditions-error") });
  const conditionsField = h("div", { class: "field", hidden: true },
    h("label", { for: key("conditions") }, t("staff.decide.conditions")),
    h("p", { class: "help" }, t("staff.decide.one_per_line")), conditions, errors.conditions);
  const conforming = c.map.conforming;
  const areaNote = h("p", { class: "help", id: "drawn-area", "aria-live": "polite" });
  const showArea = () => {
    const g = drawnGeometry();
    areaNote.textContent = g ? t("cases.draw.area", { area: num(ringsArea(g), 1) }) : t("cases.draw.none");
  };
  const start = () => {
    clearDrawn();
    drawn = L.geoJSON(conforming).getLayers()[0];
    drawn.setStyle({ ...STYLE.approved, pane: "case" });
    drawn.addTo(map);
    drawn.editing.enable();
    drawn.on("edit", showArea);
    window.kkpr.drawn = drawn;
    map.fitBounds(drawn.getBounds(), { maxZoom: 19, padding: [20, 20] });
    showArea();
  };
  const anew = () => {
    clearDrawn();
    drawer = new L.Draw.Polygon(map, { allowIntersection: false, showArea: false, shapeOptions: STYLE.approved });
    drawer.enable();
    areaNote.textContent = t("cases.draw.drawing");
  };
  onCreated = (e) => {
    drawn = e.layer.addTo(map);
    window.kkpr.drawn = drawn;
    drawn.editing.enable();
    drawn.on("edit", showArea);
    showArea();
  };
  const drawTools = h("div", { class: "field draw-tools", hidden: true, id: "draw-tools" },
    h("p", { class: "help" }, t("cases.draw.help")),
    h("div", { class: "tools" },
      conforming ? h("button", { type: "button", class: "secondary", id: "draw-from-conforming", onclick: start },
        t("cases.draw.from_conforming")) : "",
      h("button", { type: "button", class: "secondary", id: "draw-anew", onclick: anew }, t("cases.draw.anew")),
      h("button", { type: "button", class: "secondary", id: "draw-clear", onclick: () => { clearDrawn(); showArea(); } },
        t("cases.draw.clear"))),
    areaNote, errors.approved_site);
  const choices = ["approve", "approve_with_conditions", "approve_in_part", "reject"].map((d) => h("label", { class: "choice" },
    h("input", {
      type: "radio", name: "decision", value: d,
      onchange: () => {
        conditionsField.hidden = !["approve_with_conditions", "approve_in_part"].includes(d);
        drawTools.hidden = d !== "approve_in_part";
        if (d === "approve_in_part" && !drawn && conforming) start();
        if (d !== "approve_in_part") clearDrawn();
      },
    }), ` ${decisionWord(d)}`));
  const button = h("button", { type: "submit", class: "primary" }, t("staff.decide.submit"));
  const form = h("form", { class: "decide", id: "decide-form", novalidate: true },
    h("fieldset", { "aria-describedby": key("decision-error") },
      h("legend", {}, t("staff.decide.decision")), ...choices),
    errors.decision, drawTools,
    h("div", { class: "field" }, h("label", { for: key("reasons") }, t("staff.decide.reasons")),
      h("p", { class: "help" }, t("staff.decide.one_per_line")), reasons, errors.reasons),
    conditionsField, button, errors.form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    for (const el of Object.values(errors)) el.replaceChildren();
    const decision = form.elements.decision.value;
    if (!decision) { errors.decision.textContent = t("staff.decide.choose"); return; }
    const given = lines(reasons.value);
    if (!given.length) { errors.reasons.textContent = t("staff.decide.reasons_required"); return; }
    const body = {
      decision, reasons: given, officer: officer(),
      conditions: ["approve_with_conditions", "approve_in_part"].includes(decision) ? lines(conditions.value) : [],
    };
    if (decision === "approve_in_part") {
      const g = drawnGeometry();
      if (!g) { errors.approved_site.textContent = t("cases.draw.required"); return; }
      body.approved_site = g;
    }
    button.disabled = true;
    const done = await send(`/v1/reviews/${encodeURIComponent(c.id)}/decision`, body);
    button.disabled = false;
    if (!done.ok) {
      const where = String(done.body.where || "").replace(/^body\./, "").split(".")[0];
      (errors[where] || errors.form).textContent = problemText(done.body);
      return;
    }
    clearDrawn();
    $("case-status").replaceChildren(h("span", { class: "ok-yes" }, t("staff.decide.done", {
      name: c.business_name, decision: decisionWord(decision),
    })));
    await load();
  });
  return h("details", { class: "act-box", id: "act-putuskan" }, h("summary", {}, t("cases.action.putuskan")), form);
}

/** The area (m²) of a GeoJSON polygon or multipolygon on the sphere, as Leaflet.draw
 * measures it; only a guide: the API measures the approved part in the plan's CRS. */
function ringsArea(g) {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
  let total = 0;
  for (const rings of polys) {
    rings.forEach((ring, i) => {
      const a = L.GeometryUtil.geodesicArea(ring.map(([x, y]) => L.latLng(y, x)));
      total += i === 0 ? a : -a;
    });
  }
  return total;
}

if (page.print) $("print-now").addEventListener("click", () => window.print());
load();
