// What a verdict means for this plot, in plain words with this site's numbers
// ("boleh menutup paling banyak 240 m² dari 400 m² tanah (KDB 60%)"), and the terms
// those sentences use, each explained once. The limits are the result's; the page only
// multiplies them by the plot's area to say them in m².
import { h, num, t } from "./i18n.js";

const ORDER = ["KDB", "KLB", "KDH", "JLB", "TB", "GSB", "KTB"];

/** The plot area the check's ratios use: the drawn boundary, or the figure typed for a point. */
export function landArea(r) {
  if (r.site.geometry_type !== "Point") return r.site.area_m2 || null;
  const given = (r.proposal || {}).land_area_m2;
  return typeof given === "number" && given > 0 ? given : null;
}

/** GSB and KTB of the deciding sub-zones (the result's limits hold KDB to TB). */
async function setbacks(r) {
  const codes = [...new Set((r.parts || []).filter((p) => p.deciding).map((p) => p.kodszn))];
  const out = {};
  await Promise.all(codes.map(async (code) => {
    try {
      const resp = await fetch(`/pages/itbx/${encodeURIComponent(code)}`);
      if (!resp.ok) return;
      const i = (await resp.json()).intensity || {};
      // the strictest: the widest setback, the smallest basement
      if (typeof i.gsb === "number") out.GSB = Math.max(out.GSB ?? 0, i.gsb);
      if (typeof i.ktb === "number") out.KTB = Math.min(out.KTB ?? Infinity, i.ktb);
    } catch {
      // the sentences about the other limits still stand
    }
  }));
  return out;
}

/** The GSB of one road the plot fronts (the result's setbacks), and how the drawn building keeps it. */
function frontage(f) {
  const road = (f.nama || t("roads.mean.unnamed")) + (f.fungsi ? ` (${f.fungsi})` : "");
  if (typeof f.gsb !== "number") return t("roads.mean.unknown", { road });
  const key = f.measured_from === "road" ? "roads.mean.front_axis" : "roads.mean.front";
  const parts = [t(key, { road, limit: num(f.gsb, 1) })];
  if (f.ok === true) parts.push(t("roads.mean.ok", { distance: num(f.distance_m, 1) }));
  if (f.ok === false) parts.push(t("roads.mean.short", { distance: num(f.distance_m, 1), short: num(f.short_m, 1) }));
  return parts.join(" ");
}

function clearance(s) {
  if (s.ok === false) return t("roads.mean.jbb_short", { distance: num(s.distance_m, 1), short: num(s.short_m, 1), limit: num(s.jbb, 1) });
  return t("roads.mean.jbb", { limit: num(s.jbb, 1) });
}

function sentence(rule, limit, land) {
  const L = num(limit, 2);
  switch (rule) {
    case "KDB":
      return land ? t("mean.KDB", { max: num(Math.floor(land * limit / 100), 0), land: num(land, 0), limit: L }) : t("mean.KDB_pct", { limit: L });
    case "KLB":
      return land ? t("mean.KLB", { max: num(Math.floor(land * limit), 0), limit: L }) : t("mean.KLB_pct", { limit: L });
    case "KDH":
      return land ? t("mean.KDH", { min: num(Math.ceil(land * limit / 100), 0), limit: L }) : t("mean.KDH_pct", { limit: L });
    case "KTB":
      if (limit === 0) return t("mean.KTB_none");
      return land ? t("mean.KTB", { max: num(Math.floor(land * limit / 100), 0), limit: L }) : null;
    default:
      return t(`mean.${rule}`, { limit: L });
  }
}

/** The "what it means" block into ``el``; ``terms`` collects the terms it used. */
export async function renderMeaning(el, r, terms) {
  const land = landArea(r);
  const limits = {};
  for (const i of r.intensity || []) limits[i.rule] = i.limit;
  if (r.outcome !== "tidak_sesuai") Object.assign(limits, await setbacks(r));
  // the GSB per road the plot fronts, from the plan's roads (else the sub-zone's, above)
  const fronts = (r.setbacks || []).filter((s) => s.kind === "frontage");
  const subzone = (r.setbacks || []).find((s) => s.kind === "subzone");
  if (subzone && typeof subzone.gsb === "number") limits.GSB = subzone.gsb;
  const lines = [];
  for (const rule of ORDER) {
    if (rule === "GSB" && fronts.length) {
      for (const f of fronts) lines.push(h("li", { "data-rule": "GSB" }, frontage(f)));
      const jbb = (r.setbacks || []).find((s) => s.kind === "jbb")
        || (fronts.some((f) => typeof f.jbb === "number") && { jbb: Math.max(...fronts.map((f) => f.jbb ?? 0)) });
      if (jbb) lines.push(h("li", { "data-rule": "JBB" }, clearance(jbb)));
      terms.add("GSB");
      continue;
    }
    if (typeof limits[rule] !== "number") continue;
    const text = sentence(rule, limits[rule], land);
    if (!text) continue;
    lines.push(h("li", { "data-rule": rule }, text));
    terms.add(rule);
  }
  if (!lines.length) {
    el.replaceChildren();
    el.hidden = true;
    return;
  }
  el.hidden = false;
  el.replaceChildren(
    h("h3", {}, t("mean.heading")),
    h("p", { id: "meaning-land" }, land
      ? t(r.site.geometry_type === "Point" ? "mean.land_given" : "mean.land_site", { land: num(land, 0) })
      : t("mean.land_missing")),
    h("ul", { id: "meaning-list", class: "meaning-list" }, lines),
  );
}

/** Each term used on the page, explained once. */
export function renderTerms(el, terms) {
  const used = [...terms];
  el.hidden = !used.length;
  el.replaceChildren(
    h("h3", {}, t("mean.terms")),
    h("dl", { id: "terms-list" }, used.flatMap((term) => [h("dt", {}, term), h("dd", {}, t(`term.${term}`))])),
  );
}
