// The audit trail: filter, page through, export. The figures above it are drawn by the
// server (inline SVG, each with its table).
import { h, page, pick, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const form = $("audit-filter");
let current = 1;
let pages = 1;

function filters() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) params.set(k, String(v).trim());
  return params;
}

// times are stored in UTC; staff read them in the office's time zone
const clock = new Intl.DateTimeFormat(page.lang === "id" ? "id-ID" : "en-GB", {
  timeZone: page.audit.tz, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
});

function when(iso) {
  return iso ? clock.format(new Date(iso)) : "—";
}

async function load(n) {
  const params = filters();
  $("audit-export").href = `/v1/audit.csv?${params}`;
  params.set("page", String(n));
  params.set("page_size", String(page.audit.page_size));
  $("audit-status").textContent = t("audit.loading");
  let resp, body;
  try {
    resp = await fetch(`/v1/audit?${params}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    body = await resp.json();
  } catch {
    $("audit-status").textContent = t("audit.error", { message: t("err.network") });
    return;
  }
  if (!resp.ok) {
    $("audit-status").textContent = t("audit.error", { message: pick(body) || body.title });
    return;
  }
  current = body.page;
  pages = body.pages;
  $("audit-status").textContent = body.total
    ? t("audit.count", { total: body.total, page: body.page, pages: body.pages }) : t("audit.empty");
  $("audit-table").querySelector("tbody").replaceChildren(...body.events.map((e) => h("tr", {},
    h("td", {}, h("time", { datetime: e.at }, when(e.at))),
    h("td", {}, t(`audit.kind.${e.kind}`)),
    h("td", {}, e.action),
    h("td", {}, e.who || e.who_id || "—", e.who && e.who_id && e.who_id !== e.who ? h("span", { class: "muted" }, ` (${e.who_id})`) : null),
    h("td", {}, e.application_id ? h("a", { href: `/staf/kasus/${encodeURIComponent(e.application_id)}` }, e.application_id.slice(0, 12)) : "—"),
    h("td", {}, e.kind === "document" && e.ref
      ? h("a", { href: `/v1/documents/${e.ref.split("/").map(encodeURIComponent).join("/")}.html` }, e.ref)
      : e.kind === "check" && e.ref ? h("a", { href: `/v1/checks/${encodeURIComponent(e.ref)}` }, e.ref.slice(0, 12))
      : (e.ref || "—")),
    h("td", {}, e.detail || ""))));
  $("audit-prev").disabled = current <= 1;
  $("audit-next").disabled = current >= pages;
}

form.addEventListener("submit", (e) => { e.preventDefault(); load(1); });
$("audit-prev").addEventListener("click", () => load(Math.max(1, current - 1)));
$("audit-next").addEventListener("click", () => load(Math.min(pages, current + 1)));
load(1);
