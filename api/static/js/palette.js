// Stable colours for sub-zones: a base colour per family (R yellow, K red, SPU brown,
// I purple, TR grey, RTH green, PS/HL dark green, P light green, W pink, ...) lightened
// by the number of the sub-zone (R-1 darkest ... R-5 lightest). A plan may ship its own
// colour in a WARNA / warna / color property of the zone polygons; that wins.
const FAMILY = {
  R: "#e9c400", K: "#d7301f", KT: "#ef7d21", SPU: "#9a5b2e", C: "#f08a78",
  I: "#7b3fa0", KPI: "#6a2c91", SIKI: "#9b6fc0", TR: "#7d7d7d", RTH: "#3f9a3f",
  PS: "#1f5f2a", HL: "#1b4d20", HP: "#5d8f2b", HPT: "#4f7f24", P: "#9bd16a",
  W: "#ec6fb0", HK: "#6b6b2a", PL: "#a99bd0", IK: "#3f9fd6", BA: "#5b9bd5",
  PTL: "#b58b6b", PK: "#e07b7b",
};

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function rgbToHex([r, g, b]) {
  return "#" + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
}

function hashHue(text) {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % 360;
}

export function family(code) {
  const m = String(code || "").toUpperCase().match(/^[A-Z]+/);
  return m ? m[0] : "";
}

/** The fill colour of a sub-zone code. */
export function colourOf(code, props = {}) {
  const own = props.warna || props.WARNA || props.color || props.colour;
  if (own && /^#[0-9a-f]{6}$/i.test(own)) return own;
  const fam = family(code);
  const base = FAMILY[fam];
  if (!base) return `hsl(${hashHue(fam || String(code))}, 45%, 62%)`;
  const n = Number((String(code).match(/(\d+)\s*$/) || [])[1] || 1);
  const mix = Math.min(0.12 * (n - 1), 0.6);
  return rgbToHex(hexToRgb(base).map((v) => v + (255 - v) * mix));
}

// overlays: an outline colour and dash per kind (JENIS)
const OVERLAY = {
  KKOP: ["#1f4e9c", "8 6"], KRB: ["#c0392b", "6 4"], SEMPADAN: ["#0097a7", "4 4"],
  CAGBUD: ["#7b4a12", "2 5"], LP2B: ["#558b2f", "8 4"], TOD: ["#6a1b9a", "10 4"],
  HANKAM: ["#37474f", "3 3"], KARST: ["#8d6e63", "6 3"], RESAPAN: ["#1565c0", "2 3"],
};

export function overlayStyle(jenis) {
  const [color, dashArray] = OVERLAY[String(jenis || "").toUpperCase()] || ["#333", "5 5"];
  return { color, dashArray, weight: 2.5, fill: true, fillOpacity: 0.06, fillColor: color };
}
