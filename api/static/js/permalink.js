// The check's inputs in the URL hash, so a link reproduces it:
//   #kbli=47111&site=<geometry>&land_area_m2=...&floors=...
// A geometry is "pt:lon,lat" for a point, or "pg:" + polygons joined by "!", each
// polygon's rings joined by ",", each ring in the encoded-polyline format at 1e-7°
// (about a centimetre: the link gives back the same areas, not nearly the same).
const SCALE = 1e7;
export const FIGURES = [
  "land_area_m2", "footprint_m2", "floor_area_m2", "floors", "height_m", "green_area_m2",
];

// arithmetic rather than bit operations: values at 1e-7° exceed 32 bits
function encodeValue(v, out) {
  let x = v < 0 ? -2 * v - 1 : 2 * v;
  while (x >= 32) {
    out.push(String.fromCharCode(32 + (x % 32) + 63));
    x = Math.floor(x / 32);
  }
  out.push(String.fromCharCode(x + 63));
}

export function encodeRing(ring) {
  const out = [];
  let px = 0;
  let py = 0;
  for (const [lon, lat] of ring) {
    const x = Math.round(lon * SCALE);
    const y = Math.round(lat * SCALE);
    encodeValue(y - py, out);
    encodeValue(x - px, out);
    px = x;
    py = y;
  }
  return out.join("");
}

export function decodeRing(text) {
  const ring = [];
  let i = 0;
  let x = 0;
  let y = 0;
  const next = () => {
    let result = 0;
    let factor = 1;
    let b;
    do {
      if (i >= text.length) throw new Error("truncated");
      b = text.charCodeAt(i++) - 63;
      result += (b % 32) * factor;
      factor *= 32;
    } while (b >= 32);
    return result % 2 ? -(result + 1) / 2 : result / 2;
  };
  while (i < text.length) {
    y += next();
    x += next();
    ring.push([x / SCALE, y / SCALE]);
  }
  return ring;
}

export function encodeGeometry(g) {
  if (g.type === "Point") return `pt:${g.coordinates[0].toFixed(7)},${g.coordinates[1].toFixed(7)}`;
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  return "pg:" + polys.map((rings) => rings.map(encodeRing).join(",")).join("!");
}

export function decodeGeometry(text) {
  if (text.startsWith("pt:")) {
    const [lon, lat] = text.slice(3).split(",").map(Number);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new Error("bad point");
    return { type: "Point", coordinates: [lon, lat] };
  }
  if (!text.startsWith("pg:")) throw new Error("unknown geometry encoding");
  const polys = text.slice(3).split("!").map((p) => p.split(",").map(decodeRing));
  return polys.length === 1
    ? { type: "Polygon", coordinates: polys[0] }
    : { type: "MultiPolygon", coordinates: polys };
}

export function writeState({ site, kbli, figures }) {
  const p = new URLSearchParams();
  if (kbli) p.set("kbli", kbli);
  if (site) p.set("site", encodeGeometry(site));
  for (const k of FIGURES) if (figures[k] !== null && figures[k] !== undefined) p.set(k, figures[k]);
  return p.toString();
}

export function readState(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  if (!p.has("site") && !p.has("kbli")) return null;
  const state = { kbli: p.get("kbli") || "", site: null, figures: {} };
  if (p.get("site")) state.site = decodeGeometry(p.get("site"));
  for (const k of FIGURES) if (p.has(k)) state.figures[k] = p.get(k);
  return state;
}
