// Messages and numbers in the page's language (Bahasa Indonesia first, English beside).
// The server embeds the catalogue for the chosen language in #page-data.
const data = JSON.parse(document.getElementById("page-data").textContent);

export const page = data;
export const lang = data.lang;
const locale = lang === "id" ? "id-ID" : "en-GB";

/** The message ``key`` with ``{name}`` placeholders filled from ``vars``. */
export function t(key, vars = {}) {
  const text = data.messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** The text of a bilingual object: ``{id, en}`` or ``{message_id, message_en}``. */
export function pick(obj, stem = "") {
  if (!obj) return "";
  const mine = obj[stem + lang] ?? obj[`${stem}message_${lang}`];
  return mine ?? obj[stem + "id"] ?? obj[`${stem}message_id`] ?? "";
}

export function num(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

export function pct(share, digits = 1) {
  return share === null || share === undefined ? "—" : `${num(share * 100, digits)}%`;
}

/** Parse a number typed with a decimal comma or point; empty gives null, junk NaN. */
export function parseNumber(text) {
  const s = String(text ?? "").trim().replace(/\s/g, "");
  if (!s) return null;
  // "1.234,5" (Indonesian) or "1,234.5" (English) or "1234,5"
  let norm = s;
  if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) norm = s.replace(/\./g, "").replace(",", ".");
  else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) norm = s.replace(/,/g, "");
  else norm = s.replace(",", ".");
  return /^-?\d+(\.\d+)?$/.test(norm) ? Number(norm) : NaN;
}

/** An element with attributes and children (strings become text nodes: no HTML injection). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Keep the page language when following same-page links (the hash holds state). */
export function keepHashOnLanguageSwitch() {
  const a = document.getElementById("lang-switch");
  if (!a) return;
  a.addEventListener("click", () => {
    a.href = a.getAttribute("href").split("#")[0] + location.hash;
  });
}
