#!/usr/bin/env python3
"""Generate the SYNTHETIC sample plan package "kupang-rdtr" (Kota Kupang, NTT).

THIS IS NOT THE ENACTED RDTR OF KOTA KUPANG. Zones, blocks, rules, overlays, flood
hazard and elevation are all invented.  They are laid on real coordinates (the coast of
Teluk Kupang, the old town, El Tari airport, Tenau port, Kali Dendeng and Kali Liliba,
real kecamatan / kelurahan names) so that the package looks and behaves like a real one.

    python zoning_data/kupang/generate.py [--out DIR] [--zones N] [--seed S]

Deterministic (fixed seed, no network).  Without ``--zones`` the plan covers the coastal
city from Alak (west) to El Tari (east), about 2,000 sub-blocks.  With ``--zones N`` the
extent is scaled so that exactly N sub-blocks of 0.5-5 ha are written: beyond the real
city the coast, the centres and the hills are continued synthetically (for benchmarks;
everything is vectorised, 500,000 sub-blocks take well under a minute).

How it is built: a jittered street lattice of blocks (KODBLK), aligned with the coast, is
split into sub-blocks (KODSBL), clipped by the coast and cut by the two river corridors;
zones follow simple geographic rules (trade on the centres and arterial streets, PS on
the shore and rivers, industry near Tenau, TR/HK at El Tari, P-1 at the edge ...).
The rules tables (ITBX, KBLI, conditions, intensity) are at the bottom of this file.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin

try:  # run as a script (python zoning_data/kupang/generate.py) or imported as a module
    from zoning_data.kupang.roads import write_roads
except ImportError:  # pragma: no cover - the script's own folder is on sys.path
    from roads import write_roads  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent / "kbli2020.csv"
CRS = "EPSG:32751"
SEED = 2023
_TO_UTM = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
_TO_LL = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
# GeoPackages carry a timestamp: pin it so that regenerating gives identical files.
pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2023-01-01T00:00:00.000Z"})

# --------------------------------------------------------------------------- geography
# Local frame: origin at the city centre, u along the coast (20 degrees north of east),
# v across it (positive towards the sea).  All lattice geometry is built in (u, v) metres.
THETA = math.radians(20.0)
_C, _S = math.cos(THETA), math.sin(THETA)
ORIGIN = np.array(_TO_UTM.transform(123.600, -10.170))


def utm(lon, lat):
    return np.array(_TO_UTM.transform(lon, lat))


def to_local(x, y):
    dx, dy = np.asarray(x) - ORIGIN[0], np.asarray(y) - ORIGIN[1]
    return dx * _C + dy * _S, -dx * _S + dy * _C


def to_utm(u, v):
    u, v = np.asarray(u), np.asarray(v)
    return ORIGIN[0] + u * _C - v * _S, ORIGIN[1] + u * _S + v * _C


def ll_to_local(lon, lat):
    return to_local(*utm(lon, lat))


# Shore of Teluk Kupang, west (Tenau) to east (towards Tarus), approximate.
COAST_LL = [
    (123.520, -10.215),
    (123.532, -10.197),
    (123.540, -10.186),
    (123.551, -10.174),
    (123.563, -10.166),
    (123.575, -10.161),
    (123.586, -10.157),
    (123.598, -10.153),
    (123.608, -10.150),
    (123.620, -10.146),
    (123.634, -10.141),
    (123.648, -10.137),
    (123.662, -10.133),
    (123.680, -10.127),
    (123.700, -10.118),
]
RIVERS_LL = {
    "Kali Dendeng": [
        (123.5818, -10.1585),
        (123.5822, -10.1620),
        (123.5800, -10.1670),
        (123.5825, -10.1735),
        (123.5790, -10.1810),
        (123.5810, -10.1900),
        (123.5770, -10.2000),
    ],
    "Kali Liliba": [
        (123.6296, -10.1440),
        (123.6298, -10.1490),
        (123.6330, -10.1560),
        (123.6310, -10.1640),
        (123.6360, -10.1730),
        (123.6340, -10.1830),
        (123.6390, -10.1950),
    ],
}
PLACES = {  # lon, lat
    "centre": (123.600, -10.170),
    "kota_lama": (123.5865, -10.1605),
    "oebobo": (123.6055, -10.1665),
    "gubernuran": (123.6030, -10.1700),
    "balai_kota": (123.6200, -10.1560),
    "rsud": (123.5905, -10.1690),
    "undana": (123.6670, -10.1560),
    "ukaw": (123.6170, -10.1750),
    "stadion": (123.6150, -10.1690),
    "tenau": (123.5320, -10.1970),
    "terminal": (123.6080, -10.1610),
    "oeba": (123.5990, -10.1545),
    "lasiana": (123.6620, -10.1345),
    "pasir_panjang": (123.6120, -10.1500),
    "taman_nostalgia": (123.6115, -10.1585),
    "tmp": (123.5940, -10.1725),
    "eltari": (123.6710, -10.1710),
    "resapan": (123.6150, -10.1880),
}
KELURAHAN = [  # kelurahan, kecamatan, lon, lat (approximate centres)
    ("Alak", "Alak", 123.545, -10.185),
    ("Namosain", "Alak", 123.557, -10.172),
    ("Nunbaun Sabu", "Alak", 123.553, -10.178),
    ("Nunbaun Delha", "Alak", 123.563, -10.177),
    ("Nunhila", "Alak", 123.569, -10.167),
    ("Fatufeto", "Alak", 123.575, -10.165),
    ("Mantasi", "Alak", 123.578, -10.161),
    ("Penkase Oeleta", "Alak", 123.549, -10.195),
    ("Manulai II", "Alak", 123.560, -10.193),
    ("Manutapen", "Alak", 123.569, -10.184),
    ("Batuplat", "Alak", 123.565, -10.203),
    ("LLBK", "Kota Lama", 123.585, -10.158),
    ("Merdeka", "Kota Lama", 123.588, -10.162),
    ("Fatubesi", "Kota Lama", 123.593, -10.156),
    ("Tode Kisar", "Kota Lama", 123.590, -10.159),
    ("Airmata", "Kota Lama", 123.592, -10.163),
    ("Nefonaek", "Kota Lama", 123.596, -10.161),
    ("Oeba", "Kota Lama", 123.599, -10.156),
    ("Pasir Panjang", "Kota Lama", 123.606, -10.153),
    ("Fontein", "Kota Raja", 123.583, -10.166),
    ("Kuanino", "Kota Raja", 123.585, -10.172),
    ("Nunleu", "Kota Raja", 123.580, -10.175),
    ("Naikoten I", "Kota Raja", 123.593, -10.169),
    ("Naikoten II", "Kota Raja", 123.591, -10.175),
    ("Airnona", "Kota Raja", 123.595, -10.180),
    ("Bakunase", "Kota Raja", 123.586, -10.181),
    ("Bakunase II", "Kota Raja", 123.586, -10.189),
    ("Oebobo", "Oebobo", 123.605, -10.170),
    ("Oetete", "Oebobo", 123.600, -10.165),
    ("Fatululi", "Oebobo", 123.611, -10.162),
    ("Kayu Putih", "Oebobo", 123.614, -10.174),
    ("Oebufu", "Oebobo", 123.621, -10.168),
    ("Tuak Daun Merah", "Oebobo", 123.614, -10.184),
    ("Liliba", "Oebobo", 123.629, -10.176),
    ("Kelapa Lima", "Kelapa Lima", 123.616, -10.153),
    ("Oesapa Barat", "Kelapa Lima", 123.626, -10.149),
    ("Oesapa", "Kelapa Lima", 123.637, -10.146),
    ("Oesapa Selatan", "Kelapa Lima", 123.640, -10.158),
    ("Lasiana", "Kelapa Lima", 123.656, -10.145),
    ("Maulafa", "Maulafa", 123.600, -10.187),
    ("Oepura", "Maulafa", 123.608, -10.193),
    ("Sikumana", "Maulafa", 123.592, -10.197),
    ("Naikolan", "Maulafa", 123.622, -10.193),
    ("Kolhua", "Maulafa", 123.605, -10.207),
    ("Belo", "Maulafa", 123.622, -10.211),
    ("Fatukoa", "Maulafa", 123.588, -10.215),
    ("Naimata", "Maulafa", 123.645, -10.177),
    ("Penfui", "Maulafa", 123.660, -10.165),
]
# Runway 07/25 of El Tari lies (conveniently) along the u axis of the local frame.
RUNWAY_LEN, RUNWAY_ELEV = 2500.0, 102.0
# Hills (lon, lat, height m, sigma m): their flanks are steeper than 40 %.
HILLS_LL = [
    (123.5560, -10.1840, 72.0, 85.0),
    (123.5980, -10.1830, 48.0, 60.0),
    (123.6450, -10.1800, 55.0, 70.0),
]
FAR = 11_000.0  # beyond this distance from the centre the landscape is synthetic


def coast_v(u):
    """v of the shoreline at u (flat continuation beyond the real shore, plus wiggles)."""
    cu, cv = np.array([ll_to_local(lon, lat) for lon, lat in COAST_LL]).T
    order = np.argsort(cu)
    u = np.asarray(u, dtype=float)
    return (
        np.interp(u, cu[order], cv[order]) + 22 * np.sin(u / 110 + 1.0) + 9 * np.sin(u / 37 + 2.0)
    )


def land_polygon(u0, u1, v_bottom):
    """Land south of the shoreline between u0 and u1, in UTM."""
    u = np.arange(math.floor(u0 / 15), math.ceil(u1 / 15) + 1) * 15.0  # one global sampling
    ring_u = np.r_[u, u[-1], u[0]]
    ring_v = np.r_[coast_v(u), v_bottom, v_bottom]
    return shapely.Polygon(np.c_[to_utm(ring_u, ring_v)])


def river_lines():
    """Meandering river centrelines in UTM, each starting 250 m out at sea."""
    lines = {}
    for name, pts in RIVERS_LL.items():
        xy = np.array([utm(*p) for p in pts])
        mu, _mv = to_local(*xy[0])
        xy = np.vstack([np.c_[to_utm(mu, coast_v(mu) + 250)], xy])
        line = shapely.segmentize(shapely.LineString(xy), 20.0)
        c = shapely.get_coordinates(line)
        s = np.r_[0, np.cumsum(np.hypot(*np.diff(c, axis=0).T))]
        t = np.gradient(c, axis=0)
        n = np.c_[-t[:, 1], t[:, 0]] / np.hypot(*t.T)[:, None]
        wiggle = 28 * np.sin(s / 95) * np.clip(s / 300, 0, 1)
        lines[name] = shapely.LineString(c + n * wiggle[:, None])
    return lines


def _gauss(x, y, cx, cy, amp, sig):
    return amp * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sig * sig))


class Landscape:
    """Elevation and flood hazard as functions of UTM coordinates."""

    def __init__(self, rng, u0, u1, v0, v1):
        self.rivers = shapely.MultiLineString(list(river_lines().values()))
        self.river_box = shapely.bounds(self.rivers.buffer(400))
        c = shapely.get_coordinates(self.rivers, return_index=False)
        seg = np.stack([c[:-1], c[1:]], 1)
        seg = seg[np.hypot(*(seg[:, 1] - seg[:, 0]).T) < 100]  # drop the jump between rivers
        self.river_segments = shapely.STRtree(shapely.linestrings(seg))
        self.hills = [(*utm(lon, lat), a, s) for lon, lat, a, s in HILLS_LL]
        # synthetic hills, at most one near each node of a 5 km lattice, far from the real city
        self.g0 = np.array([math.floor(u0 / 5000) * 5000, math.floor(v0 / 5000) * 5000])
        nu, nv = int((u1 - self.g0[0]) // 5000) + 2, int((v1 - self.g0[1]) // 5000) + 2
        self.synth = np.full((nu, nv, 4), np.nan)  # u, v, height, sigma
        for i in range(nu):
            for j in range(nv):
                gu, gv = self.g0 + 5000 * np.array([i, j])
                if math.hypot(gu, gv) > FAR + 2000 and rng.random() < 0.5:
                    self.synth[i, j] = (
                        gu + rng.uniform(-1500, 1500),
                        gv + rng.uniform(-1500, 1500),
                        rng.uniform(45, 80),
                        rng.uniform(60, 95),
                    )
        self.ponds = [
            (*utm(123.6135, -10.1700), 0.8, 170.0),  # Oebobo / Jl. El Tari
            (*utm(123.6405, -10.1600), 0.75, 200.0),  # Oesapa Selatan
            (*utm(123.5700, -10.1800), 0.7, 150.0),
        ]  # Manutapen (cekungan)

    def river_distance(self, x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        d = np.full(x.shape, 1e6)
        b = self.river_box
        near = (x > b[0]) & (x < b[2]) & (y > b[1]) & (y < b[3])
        idx = np.nonzero(near)[0]
        (i, _), dist = self.river_segments.query_nearest(
            shapely.points(x[idx], y[idx]),
            max_distance=400,
            return_distance=True,
            all_matches=False,
        )
        d[idx[i]] = dist  # farther than 400 m a river has no effect
        return d

    def elevation(self, x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        u, v = to_local(x, y)
        d = coast_v(u) - v  # distance inland, metres
        dp = np.maximum(d, 0)
        h = 140 * (1 - np.exp(-dp / 3600))  # coastal plain rising to the south
        west = 1 / (1 + np.exp((u - 1500) / 700))
        # the coral-limestone terrace scarp behind the old town
        h += west * 22 * 0.5 * (1 + np.tanh((d - 650 - 60 * np.sin(u / 400)) / 18))
        for hx, hy, amp, sig in self.hills:
            h += _gauss(x, y, hx, hy, amp, sig)
        h += self._synthetic_hills(u, v)
        h -= 16 * (1 - np.exp(-dp / 500)) * np.exp(-((self.river_distance(x, y) / 38) ** 2))
        h += 1.5 * np.sin(x / 173) * np.cos(y / 211)
        return np.where(d > 0, np.maximum(h, 0.0), 0.0)

    def _synthetic_hills(self, u, v):
        """Each point can only be near the hill of its nearest lattice node."""
        i = np.clip(np.rint((u - self.g0[0]) / 5000).astype(int), 0, self.synth.shape[0] - 1)
        j = np.clip(np.rint((v - self.g0[1]) / 5000).astype(int), 0, self.synth.shape[1] - 1)
        hu, hv, amp, sig = np.moveaxis(self.synth[i, j], -1, 0)
        return np.nan_to_num(_gauss(u, v, hu, hv, amp, sig))

    def slope_pct(self, x, y, step=7.5):
        e = self.elevation
        gx = (e(x + step, y) - e(x - step, y)) / (2 * step)
        gy = (e(x, y + step) - e(x, y - step)) / (2 * step)
        return 100 * np.hypot(gx, gy)

    def flood_hazard(self, x, y, h=None):
        x, y = np.asarray(x, float), np.asarray(y, float)
        h = self.elevation(x, y) if h is None else h
        u, v = to_local(x, y)
        d = coast_v(u) - v
        coastal = np.exp(-h / 12.0) * (d < 2000)
        river = (
            0.95
            * np.exp(-((self.river_distance(x, y) / 70) ** 2))
            * np.exp(-np.maximum(d, 0) / 4000)
        )
        ponds = sum(_gauss(x, y, px, py, a, s) for px, py, a, s in self.ponds)
        hz = 1 - (1 - coastal) * (1 - river) * (1 - ponds)
        hz += 0.04 * np.sin(x / 61) * np.sin(y / 47)
        return np.round(np.clip(hz, 0, 1), 2), d > 0


# --------------------------------------------------------------------------- sub-blocks
def default_extent():
    """(u0, u1, v_top, v_bottom(u)) of the default planning area, local metres."""
    eu, ev = ll_to_local(*PLACES["eltari"])
    u0, u1 = ll_to_local(123.5465, -10.180)[0], eu + RUNWAY_LEN / 2 + 450
    step_u = eu - 3600

    def v_bottom(u):
        return np.where(u < step_u, -2000.0, ev - 500.0)

    return u0, u1, v_bottom


def street_lattice(rng, u0, u1, v_top, v_bot):
    """Jittered, gently warped lattice of street-block corners (local coords)."""
    us, vs = [u0], [v_top]
    while us[-1] < u1:
        us.append(us[-1] + (220 + 110 * min(abs(us[-1]) / 7000, 1)) * rng.uniform(0.8, 1.25))
    while vs[-1] > v_bot:
        vs.append(vs[-1] - (170 + 80 * min(max(-vs[-1], 0) / 5000, 1)) * rng.uniform(0.8, 1.25))
    U, V = np.meshgrid(np.array(us), np.array(vs))
    U = U + rng.uniform(-22, 22, U.shape)
    V = V + rng.uniform(-22, 22, V.shape)
    U, V = U + 40 * np.sin(V / 900), V + 40 * np.sin(U / 1100 + 0.7)
    return U, V


_PATTERNS = {1: (1, 1), 2: (2, 1), 3: (3, 1), 4: (2, 2), 5: (3, 2), 6: (3, 2), 7: (4, 2), 8: (4, 2)}


def split_blocks(rng, U, V, keep):
    """Split every kept block into a x b sub-blocks.

    Cut points are bilinear in the block's corners, so a sub-block edge on the block
    boundary is a straight piece of the street edge; the cut points of the neighbouring
    block on that edge are inserted too, so that the coverage is exactly noded.
    """
    R, C = np.nonzero(keep)
    corners = np.stack(
        [
            np.stack([U[R, C], V[R, C]], -1),
            np.stack([U[R, C + 1], V[R, C + 1]], -1),
            np.stack([U[R + 1, C + 1], V[R + 1, C + 1]], -1),
            np.stack([U[R + 1, C], V[R + 1, C]], -1),
        ],
        1,
    )  # TL TR BR BL
    x, y = corners[..., 0], corners[..., 1]
    area = 0.5 * np.abs(np.sum(x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y, axis=1))
    cu, cv = corners.mean(1).T
    target = (
        (0.9 + 2.0 * np.clip(np.hypot(cu, cv) / 7000, 0, 1)) * 1e4 * rng.uniform(0.75, 1.3, len(R))
    )
    k = np.clip(np.round(area / target), 1, 8).astype(int)
    A = np.array([_PATTERNS[i][0] for i in range(1, 9)])[k - 1]
    B = np.array([_PATTERNS[i][1] for i in range(1, 9)])[k - 1]
    # cut parameters of every block (NaN-padded, with a NaN border for missing neighbours)
    S = np.full((keep.shape[0] + 2, keep.shape[1] + 2, 5), np.nan)
    T = np.full((keep.shape[0] + 2, keep.shape[1] + 2, 3), np.nan)
    for a in range(1, 5):
        S[R[a == A] + 1, C[a == A] + 1, : a + 1] = _cuts(rng, int((a == A).sum()), a)
    for b in range(1, 3):
        T[R[b == B] + 1, C[b == B] + 1, : b + 1] = _cuts(rng, int((b == B).sum()), b)
    out = {key: [] for key in ("ring", "r", "c", "p", "q")}
    for a, b in sorted(set(_PATTERNS.values())):
        idx = np.nonzero((a == A) & (b == B))[0]
        if len(idx) == 0:
            continue
        r1, c1 = R[idx] + 1, C[idx] + 1
        s, t = S[r1, c1, : a + 1], T[r1, c1, : b + 1]
        P00, P10, P11, P01 = (corners[idx, i][:, None, :] for i in range(4))
        ss, tt = s[:, :, None, None], t[:, None, :, None]
        G = (
            (1 - ss) * (1 - tt) * P00[:, None]
            + ss * (1 - tt) * P10[:, None]
            + ss * tt * P11[:, None]
            + (1 - ss) * tt * P01[:, None]
        )
        nb = {
            "top": S[r1 - 1, c1, 1:4],
            "bottom": S[r1 + 1, c1, 1:4][:, ::-1],
            "left": T[r1, c1 - 1, 1:2],
            "right": T[r1, c1 + 1, 1:2],
        }
        for p in range(a):
            for q in range(b):
                top = _edge_points(P00, P10, nb["top"], s[:, p], s[:, p + 1], q == 0, G[:, p, q])
                right = _edge_points(
                    P10, P11, nb["right"], t[:, q], t[:, q + 1], p == a - 1, G[:, p + 1, q]
                )
                bottom = _edge_points(
                    P01, P11, nb["bottom"], s[:, p + 1], s[:, p], q == b - 1, G[:, p + 1, q + 1]
                )
                left = _edge_points(
                    P00, P01, nb["left"], t[:, q + 1], t[:, q], p == 0, G[:, p, q + 1]
                )
                ring = np.concatenate(
                    [
                        G[:, p, q, None],
                        top,
                        G[:, p + 1, q, None],
                        right,
                        G[:, p + 1, q + 1, None],
                        bottom,
                        G[:, p, q + 1, None],
                        left,
                        G[:, p, q, None],
                    ],
                    1,
                )
                out["ring"].append(ring)
                out["r"].append(R[idx])
                out["c"].append(C[idx])
                out["p"].append(np.full(len(idx), p))
                out["q"].append(np.full(len(idx), q))
    return {key: np.concatenate(val) for key, val in out.items()}


def _edge_points(P0, P1, cuts, start, stop, on_boundary, corner):
    """Neighbour cut points on the street edge P0-P1 between parameters start and stop
    (repeats of the start corner where there are none; removed later)."""
    if not on_boundary:
        return np.repeat(corner[:, None], cuts.shape[1], axis=1)
    lo, hi = np.minimum(start, stop)[:, None], np.maximum(start, stop)[:, None]
    par = np.clip(np.nan_to_num(cuts, nan=np.inf), lo, hi)  # keeps the order along the edge
    return (1 - par)[..., None] * P0 + par[..., None] * P1


def _cuts(rng, m, n):
    w = rng.uniform(0.75, 1.25, (m, n))
    c = np.c_[np.zeros(m), np.cumsum(w, 1) / w.sum(1, keepdims=True)]
    c[:, -1] = 1.0
    return c


def clip_to_land(geoms, land):
    """Clip the sub-blocks at the shore; returns (parts, index of the parent, clipped?)."""
    shapely.prepare(land)
    inside = shapely.contains_properly(land, geoms)
    edge = np.nonzero(~inside & shapely.intersects(land, geoms))[0]
    clipped = shapely.intersection(geoms[edge], land)
    parts, pidx = shapely.get_parts(clipped, return_index=True)
    ok = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) >= 50)
    inner = np.nonzero(inside)[0]
    clipped = np.r_[np.zeros(len(inner), bool), np.ones(int(ok.sum()), bool)]
    return np.r_[geoms[inner], parts[ok]], np.r_[inner, edge[pidx[ok]]], clipped


def carve_rivers(geoms, parent, clipped, rivers, half_width=25.0):
    """Cut a river corridor out of the sub-blocks; corridor pieces become PS sub-blocks."""
    corridor = shapely.union_all([r.buffer(half_width) for r in rivers.values()])
    tree = shapely.STRtree(geoms)
    hit = np.unique(tree.query(corridor, predicate="intersects"))
    keep = np.ones(len(geoms), bool)
    new, new_parent, new_piece, new_river = [], [], [], []
    for i in hit:
        inner = geoms[i].intersection(corridor)
        if inner.area < 300:
            continue
        rest = [g for g in shapely.get_parts(geoms[i].difference(corridor)) if g.area > 0]
        small = [g for g in rest if g.area < 400]
        inner = shapely.union_all([inner, *small])
        pieces = [(g, True) for g in shapely.get_parts(inner) if g.geom_type == "Polygon"]
        pieces += [(g, False) for g in rest if g.area >= 400]
        keep[i] = False
        for j, (g, is_river) in enumerate(pieces):
            new.append(g)
            new_parent.append(parent[i])
            new_piece.append(j + 1)
            new_river.append(is_river)
    geoms_out = np.r_[geoms[keep], np.array(new, dtype=object)]
    parent_out = np.r_[parent[keep], np.array(new_parent, dtype=int)]
    piece = np.r_[np.zeros(keep.sum(), int), np.array(new_piece, dtype=int)]
    river = np.r_[np.zeros(keep.sum(), bool), np.array(new_river, dtype=bool)]
    return geoms_out, parent_out, piece, river, np.r_[clipped[keep], np.ones(len(new), bool)]


def node_coverage(geoms, touched, grid=0.001):
    """The lattice vertices are on a 1 mm grid already; put the polygons cut by the shore
    or a river and their neighbours on it too, and insert into them the vertices of their
    neighbours: an exactly noded coverage."""
    tree = shapely.STRtree(geoms)
    ring = np.unique(tree.query(geoms[touched], predicate="dwithin", distance=10 * grid)[1])
    geoms[ring] = shapely.set_precision(geoms[ring], grid)
    tree = shapely.STRtree(geoms)
    src, nbr = tree.query(geoms[ring], predicate="dwithin", distance=10 * grid)
    other = ring[src] != nbr
    src, nbr = src[other], nbr[other]
    coords, ci = shapely.get_coordinates(geoms[nbr], return_index=True)
    owner = src[ci]
    order = np.argsort(owner, kind="stable")
    refs = shapely.multipoints(
        coords[order], indices=np.unique(owner[order], return_inverse=True)[1]
    )
    has = np.unique(owner)
    geoms[ring[has]] = shapely.make_valid(shapely.snap(geoms[ring[has]], refs, 2 * grid))
    return geoms


def build_sub_blocks(rng, n_zones):
    """The sub-block polygons (UTM) with their lattice indices, in row-major order."""
    du0, du1, v_bottom = default_extent()
    v_top = float(coast_v(np.arange(du0, du1, 10)).max()) + 30
    scale = 1.0 if n_zones is None else math.sqrt(n_zones / 2000) * 1.1
    for _attempt in range(6):
        u0, u1 = du0 * scale, du1 * scale
        v_bot = v_top - (v_top + 3500) * scale
        U, V = street_lattice(np.random.default_rng(rng.integers(1 << 31)), u0, u1, v_top, v_bot)
        cu = (U[:-1, :-1] + U[1:, 1:]) / 2
        cv = (V[:-1, :-1] + V[1:, 1:]) / 2
        keep = cv < coast_v(cu) + 150
        if n_zones is None:
            keep &= cv > v_bottom(cu)
        sub = split_blocks(rng, U, V, keep)
        rings = np.round(np.c_[to_utm(sub["ring"][..., 0].ravel(), sub["ring"][..., 1].ravel())], 3)
        geoms = shapely.polygons(rings.reshape(sub["ring"].shape))
        land = land_polygon(u0 - 500, u1 + 500, v_bot - 5000)
        geoms, parent, clipped = clip_to_land(geoms, land)
        if n_zones is None or len(geoms) >= n_zones * 1.02:
            break
        scale *= math.sqrt(n_zones / max(len(geoms), 1)) * 1.08
    geoms, parent, piece, river, clipped = carve_rivers(geoms, parent, clipped, river_lines())
    geoms = node_coverage(shapely.remove_repeated_points(geoms), clipped | (piece > 0))
    cols = {k: sub[k][parent] for k in ("r", "c", "p", "q")}
    order = np.lexsort((piece, cols["q"], cols["p"], cols["c"], cols["r"]))
    if n_zones is not None:
        order = order[:n_zones]
    df = pd.DataFrame({k: v[order] for k, v in cols.items()})
    df["river"] = river[order]
    df["art_row_n"] = _arterial_row(df["r"].to_numpy())
    df["art_row_s"] = _arterial_row(df["r"].to_numpy() + 1)
    df["art_col_w"] = _arterial_col(df["c"].to_numpy())
    df["art_col_e"] = _arterial_col(df["c"].to_numpy() + 1)
    df["a"] = df.groupby(["r", "c"])["p"].transform("max") + 1
    df["b"] = df.groupby(["r", "c"])["q"].transform("max") + 1
    return gpd.GeoDataFrame(df, geometry=shapely.make_valid(geoms[order]), crs=CRS)


def _arterial_row(r):
    return (r == 1) | (r % 5 == 3)


def _arterial_col(c):
    return c % 7 == 3


# --------------------------------------------------------------------------- zoning
def satellite_centres(rng, u0, u1, v0, v1):
    """Synthetic town centres and industrial estates far from Kupang (benchmark extents)."""
    towns, estates = [], []
    for gu in np.arange(math.floor(u0 / 9000) * 9000, u1 + 9000, 9000):
        for gv in np.arange(math.floor(v0 / 9000) * 9000, v1 + 9000, 9000):
            pu, pv = gu + rng.uniform(-2500, 2500), gv + rng.uniform(-2500, 2500)
            if math.hypot(pu, pv) > FAR and pv < coast_v(pu) - 500:
                (estates if rng.random() < 0.15 else towns).append((pu, pv))
    return np.array(towns).reshape(-1, 2), np.array(estates).reshape(-1, 2)


def _dist_to(u, v, pts):
    if len(pts) == 0:
        return np.full(len(u), 1e9)
    tree = shapely.STRtree(shapely.points(pts))
    _, d = tree.query_nearest(shapely.points(u, v), return_distance=True, all_matches=False)
    return d


def assign_zones(rng, gdf, land: Landscape, towns_estates):
    """KODSZN for every sub-block from simple geographic rules (later rules win)."""
    pts = shapely.point_on_surface(gdf.geometry.values)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    u, v = to_local(x, y)
    n = len(gdf)
    d_coast = coast_v(u) - v
    towns, estates = towns_estates
    d_main = np.hypot(u, v)
    d_town = _dist_to(u, v, towns)
    d = np.minimum(d_main, d_town * 1.6)  # satellite towns are smaller
    near = {k: np.hypot(*(np.c_[u, v] - np.array(ll_to_local(*p))).T) for k, p in PLACES.items()}
    slope = land.slope_pct(x, y)
    hazard, _ = land.flood_hazard(x, y)
    rnd = rng.random(n)
    z = np.where(d < 1800, "R-2", np.where(d < 4500, "R-3", "R-4")).astype(object)
    z[(d > 6000) & (d_coast > 1500) & (rnd < 0.8)] = "P-1"
    resid = np.isin(z, ["R-2", "R-3", "R-4"])
    for code, lo, hi in [
        ("K-3", 0.0, 0.03),
        ("SPU-2", 0.03, 0.06),
        ("RTH-2", 0.06, 0.085),
        ("RTH-3", 0.085, 0.10),
        ("RTH-7", 0.10, 0.11),
    ]:
        z[resid & (rnd >= lo) & (rnd < hi)] = code
    g = gdf
    on_art = (
        ((g.p == 0) & g.art_col_w)
        | ((g.p == g.a - 1) & g.art_col_e)
        | ((g.q == 0) & g.art_row_n)
        | ((g.q == g.b - 1) & g.art_row_s)
    )
    on_art = on_art.to_numpy() & (z != "P-1")
    r2 = rng.random(n)
    z[on_art & (d < 1300)] = np.where(r2[on_art & (d < 1300)] < 0.55, "K-2", "C-1")
    mid = on_art & (d >= 1300) & (d < 4500)
    z[mid & (r2 < 0.45)] = "K-2"
    z[mid & (r2 >= 0.45) & (r2 < 0.65)] = "K-3"
    z[on_art & (d >= 4500) & (r2 < 0.5)] = "K-3"
    z[(near["kota_lama"] < 520) | (near["oebobo"] < 480) | (d_town < 300)] = "K-1"
    z[
        (near["gubernuran"] < 260)
        | (near["balai_kota"] < 220)
        | ((d_town < 500) & (d_town >= 300) & (rnd < 0.3))
    ] = "KT"
    z[
        (near["rsud"] < 170)
        | (near["undana"] < 480)
        | (near["ukaw"] < 200)
        | (near["stadion"] < 170)
    ] = "SPU-1"
    z[near["taman_nostalgia"] < 150] = "RTH-2"
    z[near["tmp"] < 110] = "RTH-7"
    z[(near["tenau"] < 3000) & (d_coast > 60)] = "I"
    z[_dist_to(u, v, estates) < 1600] = "I"
    z[(near["oeba"] < 380) & (d_coast < 260)] = "IK"
    z[
        ((near["lasiana"] < 1150) & (d_coast < 450))
        | ((near["pasir_panjang"] < 330) & (d_coast < 200))
    ] = "W"
    z[(slope > 30) & ~np.isin(z, ["K-1", "KT", "SPU-1"])] = "RTH-1"
    eu, ev = ll_to_local(*PLACES["eltari"])
    airport = (np.abs(u - eu) < RUNWAY_LEN / 2 + 320) & (np.abs(v - ev) < 380)
    lanud = (u > eu - 900) & (u < eu + 150) & (v >= ev + 380) & (v < ev + 880)
    z[airport] = "TR"
    z[lanud] = "HK"
    z[((near["tenau"] < 900) & (d_coast < 600)) | (near["terminal"] < 110)] = "TR"
    z[(d_coast < 70) | gdf["river"].to_numpy()] = "PS"
    return z, dict(x=x, y=y, u=u, v=v, d=d, d_coast=d_coast, slope=slope, hazard=hazard)


# --------------------------------------------------------------------------- overlays
def _local_poly(u, v):
    return shapely.Polygon(np.c_[to_utm(np.asarray(u, float), np.asarray(v, float))])


def kkop_surfaces():
    """Simplified obstacle-limitation surfaces of El Tari (code 4 instrument runway)."""
    eu, ev = ll_to_local(*PLACES["eltari"])
    half = RUNWAY_LEN / 2 + 60  # runway strip ends
    strip = _local_poly(
        [eu - half, eu + half, eu + half, eu - half], [ev - 150, ev - 150, ev + 150, ev + 150]
    )
    rows = []
    approach_all = []
    for sign, rwy in [(-1, "07"), (1, "25")]:
        for (a, b), tb in zip([(0, 1000), (1000, 2000), (2000, 3000)], [10, 25, 45], strict=True):
            ua, ub = eu + sign * (half + a), eu + sign * (half + b)
            wa, wb = 150 + 0.15 * a, 150 + 0.15 * b
            poly = _local_poly([ua, ub, ub, ua], [ev - wa, ev - wb, ev + wb, ev + wa]).normalize()
            approach_all.append(poly)
            rows.append(
                (
                    "KKOP",
                    f"Kawasan ancangan pendaratan dan lepas landas landasan {rwy} "
                    f"(jarak {a}-{b} m dari ujung runway strip): batas ketinggian {tb} m",
                    tb,
                    "B",
                    poly,
                )
            )
    approach = shapely.union_all(approach_all)
    trans = strip.buffer(315, cap_style="flat").difference(strip).difference(approach)
    rows.append(
        ("KKOP", "Kawasan di bawah permukaan transisi: batas ketinggian 20 m", 20, "B", trans)
    )
    ends = [shapely.Point(to_utm(eu - half, ev)), shapely.Point(to_utm(eu + half, ev))]
    inner = shapely.convex_hull(shapely.union_all([e.buffer(4000, 64) for e in ends]))
    conical = shapely.convex_hull(shapely.union_all([e.buffer(6000, 64) for e in ends]))
    taken = shapely.union_all([approach, trans, strip])
    rows.append(
        (
            "KKOP",
            "Kawasan di bawah permukaan horizontal dalam: batas ketinggian 45 m",
            45,
            "",
            inner.difference(taken),
        )
    )
    rows.append(
        (
            "KKOP",
            "Kawasan di bawah permukaan kerucut: batas ketinggian 100 m",
            100,
            "",
            conical.difference(inner).difference(approach),
        )
    )
    return rows


def build_overlays(plan, zones, rtrw_land):
    """ketentuan_khusus: KKOP, KRB, SEMPADAN, CAGBUD, TOD, LP2B, RESAPAN, HANKAM."""
    shore = coast_line(rtrw_land)
    rivers = river_lines()
    rows = kkop_surfaces()
    rows.append(
        (
            "KRB",
            "Kawasan rawan bencana tsunami dan gelombang pasang (zona bahaya tinggi, "
            "< 400 m dari garis pantai)",
            None,
            "B",
            shore.buffer(400),
        )
    )
    for name, line in rivers.items():
        mouth = shapely.Point(line.coords[0])
        lower = line.intersection(mouth.buffer(1800)).buffer(130)
        rows.append(("KRB", f"Kawasan rawan banjir dataran rendah {name}", None, "B", lower))
        rows.append(
            (
                "SEMPADAN",
                f"Sempadan sungai {name}: 15 m dari tepi kiri dan kanan palung sungai "
                "(dalam kawasan perkotaan tanpa tanggul)",
                None,
                "X",
                line.buffer(20),
            )
        )
    rows.append(
        (
            "SEMPADAN",
            "Sempadan pantai: paling sedikit 100 m dari titik pasang tertinggi ke arah darat",
            None,
            "X",
            shore.buffer(100),
        )
    )
    kl = utm(*PLACES["kota_lama"])
    rows.append(
        (
            "CAGBUD",
            "Kawasan Cagar Budaya Kota Lama Kupang (bekas Benteng Concordia dan kawasan "
            "pecinan LLBK): wajib rekomendasi Tim Ahli Cagar Budaya",
            None,
            "B",
            shapely.Point(kl)
            .buffer(210)
            .union(shapely.Point(kl + np.array([120.0, -90.0])).buffer(150)),
        )
    )
    rows.append(
        (
            "TOD",
            "Kawasan berorientasi transit (TOD) Terminal Oebobo, radius 400 m: insentif "
            "intensitas (bonus KLB)",
            None,
            "",
            shapely.Point(utm(*PLACES["terminal"])).buffer(400, 32),
        )
    )
    p1 = plan.geometry.values[
        (zones == "P-1")
        & (
            np.hypot(*to_local(*shapely.get_coordinates(shapely.centroid(plan.geometry.values)).T))
            < 15_000
        )
    ]
    if len(p1):
        rows.append(
            (
                "LP2B",
                "Lahan pertanian pangan berkelanjutan: tidak boleh dialihfungsikan untuk "
                "kegiatan selain pertanian",
                None,
                "X",
                shapely.coverage_union_all(p1),
            )
        )
    rows.append(
        (
            "RESAPAN",
            "Kawasan resapan air Oepura-Naikolan: wajib sumur resapan dan KDH minimal 40%",
            None,
            "B",
            shapely.Point(utm(*PLACES["resapan"])).buffer(550, 32),
        )
    )
    hk = plan.geometry.values[zones == "HK"]
    if len(hk):
        rows.append(
            (
                "HANKAM",
                "Kawasan pertahanan dan keamanan Lanud El Tari",
                None,
                "X",
                shapely.coverage_union_all(hk),
            )
        )
    df = pd.DataFrame(rows, columns=["JENIS", "KETERANGAN", "TB", "EFEK", "geometry"])
    geom = shapely.make_valid(shapely.intersection(df["geometry"].values, rtrw_land))
    geom = np.array([_polygonal(g) for g in geom], dtype=object)
    df["TB"] = pd.to_numeric(df["TB"])
    out = gpd.GeoDataFrame(df.drop(columns="geometry"), geometry=geom, crs=CRS)
    return out[~out.geometry.is_empty].reset_index(drop=True)


def _polygonal(g):
    parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 1]
    return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()


def coast_line(rtrw_land):
    b = shapely.bounds(rtrw_land)
    u = to_local(np.array([b[0], b[2], b[0], b[2]]), np.array([b[1], b[1], b[3], b[3]]))[0]
    uu = np.arange(math.floor(u.min() / 15) - 70, math.ceil(u.max() / 15) + 70) * 15.0
    return shapely.LineString(np.c_[to_utm(uu, coast_v(uu))])


def overlay_flags(plan, overlays, jenis, tree=None):
    """1 where an overlay of that JENIS covers part of the polygon (> 1 m2), else 0."""
    geoms = plan.geometry.values
    flag = np.zeros(len(geoms), dtype="int16")
    tree = tree or shapely.STRtree(geoms)
    for g in overlays.geometry.values[overlays["JENIS"].to_numpy() == jenis]:
        pieces = _chop(g, 2000.0)  # long coastal bands: keep overlays small
        src, idx = tree.query(pieces, predicate="intersects")
        if len(idx) == 0:
            continue
        area = shapely.area(shapely.intersection(geoms[idx], pieces[src]))
        total = np.bincount(idx, weights=area, minlength=len(geoms))
        flag[total > 1.0] = 1
    return flag


def _chop(g, size):
    x0, y0, x1, y1 = g.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, size), np.arange(y0, y1, size))
    tiles = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + size, ys.ravel() + size)
    shapely.prepare(g)
    tiles = tiles[shapely.intersects(g, tiles)]
    pieces = np.array([shapely.clip_by_rect(g, *t.bounds) for t in tiles], dtype=object)
    return pieces[~shapely.is_empty(pieces)]


# --------------------------------------------------------------------------- RTRW
def build_rtrw(rng, plan_bounds, towns_estates, land):
    """Coarse general-plan (RTRW) polygons on a larger area than the RDTR."""
    xmin, ymin, xmax, ymax = plan_bounds
    pad = 3000
    box = shapely.box(xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    area = box.area
    spacing = max(1000.0, math.sqrt(area / 20000))
    gx, gy = np.meshgrid(
        np.arange(xmin - pad, xmax + pad, spacing), np.arange(ymin - pad, ymax + pad, spacing)
    )
    seeds = np.c_[gx.ravel(), gy.ravel()] + rng.uniform(-0.35, 0.35, (gx.size, 2)) * spacing
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    shapely.prepare(land)
    edge = ~shapely.contains_properly(land, cells)
    cells[edge] = shapely.intersection(cells[edge], land)
    parts = shapely.get_parts(cells)
    parts = parts[(shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 1.0)]
    c = shapely.point_on_surface(parts)
    u, v = to_local(shapely.get_x(c), shapely.get_y(c))
    towns, estates = towns_estates
    d = np.minimum(np.hypot(u, v), _dist_to(u, v, towns) * 1.6)
    near = {k: np.hypot(*(np.c_[u, v] - np.array(ll_to_local(*p))).T) for k, p in PLACES.items()}
    eu, ev = ll_to_local(*PLACES["eltari"])
    hl_u, hl_v = ll_to_local(123.560, -10.218)
    name = np.where(d < 5500, "Kawasan Permukiman", "Kawasan Pertanian").astype(object)
    name[(near["tenau"] < 2600) | (_dist_to(u, v, estates) < 1600)] = "Kawasan Peruntukan Industri"
    name[(np.abs(u - eu) < 1800) & (np.abs(v - ev) < 700)] = "Kawasan Pertahanan dan Keamanan"
    name[(near["lasiana"] < 1200) & (coast_v(u) - v < 600)] = "Kawasan Pariwisata"
    forest = (np.hypot(u - hl_u, v - hl_v) < 2200) | ((d > FAR) & (rng.random(len(u)) < 0.12))
    name[forest] = "Kawasan Hutan Lindung"
    lindung = np.isin(name, ["Kawasan Hutan Lindung"])
    return gpd.GeoDataFrame(
        {
            "NAMOBJ": name,
            "JNSRPR": np.where(lindung, "Kawasan Lindung", "Kawasan Budi Daya"),
            "WADMPR": "Nusa Tenggara Timur",
            "WADMKK": "Kota Kupang",
            "REMARK": "Contoh sintetis RTRW (bukan Perda RTRW yang berlaku)",
        },
        geometry=parts,
        crs=CRS,
    )


# --------------------------------------------------------------------------- attributes
def swp_letters(i):
    """0 -> A, 25 -> Z, 26 -> AA ..."""
    s = ""
    i = int(i) + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def attribute_table(plan, zones, info, overlays):
    """The KUGI attribute columns of pola_ruang."""
    df = pd.DataFrame(index=plan.index)
    kod = pd.Series(zones, index=plan.index)
    df["NAMOBJ"] = kod.map({k: v[2] for k, v in SUBZONES.items()})
    df["KODZON"] = kod.map({k: v[0] for k, v in SUBZONES.items()})
    df["NAMZON"] = kod.map({k: v[1] for k, v in SUBZONES.items()})
    df["KODSZN"] = kod
    df["NAMSZN"] = df["NAMOBJ"]
    df["JNSRPR"] = np.where(kod.isin(LINDUNG), "Kawasan Lindung", "Kawasan Budi Daya")
    df["KODEWP"] = "WP-01"
    block_u = (
        pd.Series(info["u"], index=plan.index).groupby([plan["r"], plan["c"]]).transform("mean")
    )
    swp_i = ((block_u - block_u.min()) // 2500).astype(int)
    letters = {i: swp_letters(i) for i in swp_i.unique()}
    df["KODSWP"] = swp_i.map(letters).astype("str")
    blocks = pd.DataFrame({"swp": swp_i, "r": plan["r"], "c": plan["c"]}).drop_duplicates()
    blocks = blocks.sort_values(["swp", "r", "c"])
    blocks["n"] = blocks.groupby("swp").cumcount() + 1
    blk_no = pd.merge(
        pd.DataFrame({"r": plan["r"], "c": plan["c"]}), blocks, on=["r", "c"], how="left"
    )["n"]
    df["KODBLK"] = df["KODSWP"] + "." + blk_no.astype("str").to_numpy()
    sub_no = df.groupby("KODBLK").cumcount()
    sub_letters = {i: swp_letters(i).lower() for i in sub_no.unique()}
    df["KODSBL"] = df["KODBLK"] + "." + sub_no.map(sub_letters).astype("str")
    df["WADMPR"] = "Nusa Tenggara Timur"
    df["WADMKK"] = "Kota Kupang"
    kel_xy = np.array([utm(lon, lat) for _, _, lon, lat in KELURAHAN])
    tree = shapely.STRtree(shapely.points(kel_xy))
    idx = tree.query_nearest(shapely.points(info["x"], info["y"]), all_matches=False)[1]
    df["WADMKC"] = np.array([k[1] for k in KELURAHAN])[idx]
    df["WADMKD"] = np.array([k[0] for k in KELURAHAN])[idx]
    tree = shapely.STRtree(plan.geometry.values)
    for col, jenis in [
        ("KKOP_1", "KKOP"),
        ("LP2B_2", "LP2B"),
        ("KRB_03", "KRB"),
        ("TOD_04", "TOD"),
        ("CAGBUD", "CAGBUD"),
        ("HANKAM", "HANKAM"),
        ("KSMPDN", "SEMPADAN"),
        ("RESAIR", "RESAPAN"),
    ]:
        df[col] = overlay_flags(plan, overlays, jenis, tree)
    df["TPZ_00"] = np.where(df["TOD_04"] == 1, "Bonus Zoning (TOD)", None)
    # per-polygon intensity overrides (mostly NULL): TOD bonus, heritage caps, road widening
    base = pd.DataFrame(INTENSITAS, columns=INTENSITAS_COLS).set_index("kodszn").loc[kod]
    for col in ("KDB", "KLB", "KDH", "TB", "JLB", "GSB"):
        df[col] = np.nan
    built = ~kod.isin(LINDUNG | {"P-1", "TR", "HK", "I", "IK"})
    tod = (df["TOD_04"] == 1) & built
    df.loc[tod, "KLB"] = (base["klb"].to_numpy()[tod] + 1.0).round(2)
    df.loc[tod, "JLB"] = base["jlb"].to_numpy()[tod] + 2
    df.loc[tod, "TB"] = base["tb"].to_numpy()[tod] + 8
    heritage = (df["CAGBUD"] == 1) & built
    df.loc[heritage, ["TB", "JLB", "GSB"]] = [12.0, 3.0, 3.0]
    widen = (
        (plan["r"] == 1) & (plan["q"] == 0) & (np.abs(info["u"]) < 2500) & built & ~tod & ~heritage
    )
    df.loc[widen.to_numpy(), "GSB"] = 8.0
    df["REMARK"] = "Contoh sintetis, bukan RDTR yang berlaku"
    df["LUASHA"] = (plan.geometry.area / 1e4).round(4)
    return gpd.GeoDataFrame(df, geometry=plan.geometry.values, crs=CRS)


# --------------------------------------------------------------------------- rasters
def write_rasters(out, land: Landscape, bounds):
    """Flood hazard index (0..1) and DEM (m) as tiled, DEFLATE-compressed float32 GeoTIFFs."""
    xmin, ymin, xmax, ymax = bounds
    span = max(xmax - xmin, ymax - ymin) + 600
    paths = {}
    for name, base in [("dem", 15.0), ("bahaya_banjir", 20.0)]:
        cell = max(base, math.ceil(span / 2400 / 5) * 5)
        x0, y1 = math.floor((xmin - 300) / cell) * cell, math.ceil((ymax + 300) / cell) * cell
        ncol, nrow = math.ceil((xmax + 300 - x0) / cell), math.ceil((y1 - ymin + 300) / cell)
        xs = x0 + (np.arange(ncol) + 0.5) * cell
        ys = y1 - (np.arange(nrow) + 0.5) * cell
        X, Y = np.meshgrid(xs, ys)
        h = land.elevation(X.ravel(), Y.ravel())
        if name == "dem":
            arr = np.round(h, 1)
        else:
            hz, on_land = land.flood_hazard(X.ravel(), Y.ravel(), h)
            arr = np.where(on_land, hz, -9999.0)
        arr = arr.reshape(nrow, ncol).astype("float32")
        transform = from_origin(x0, y1, cell, cell)
        path = out / "rasters" / f"{name}.tif"
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=ncol,
            height=nrow,
            count=1,
            dtype="float32",
            crs=CRS,
            transform=transform,
            nodata=-9999.0,
            compress="DEFLATE",
            predictor=3,
            zlevel=6,
            tiled=True,
            blockxsize=256,
            blockysize=256,
        ) as dst:
            dst.write(arr, 1)
            dst.update_tags(
                1,
                UNITS="m" if name == "dem" else "index 0..1",
                SOURCE="synthetic sample (zoning_data/kupang/generate.py)",
            )
        paths[name] = (arr, transform)
    return paths


# --------------------------------------------------------------------------- tables
def write_csv(path, header, rows):
    pd.DataFrame(rows, columns=header).to_csv(path, index=False, lineterminator="\n")


def itbx_frame():
    lines = [ln for ln in ITBX.strip().splitlines() if ln.strip() and not ln.startswith("#")]
    cols = lines[0].split("|")[2].split()
    rows = []
    for ln in lines[1:]:
        code, name, cells = ln.split("|")
        cells = cells.split()
        assert len(cells) == len(cols), (code, len(cells))
        rows.append([code, name, *("" if c == "." else c for c in cells)])
    return pd.DataFrame(rows, columns=["kode_kegiatan", "kegiatan", *cols])


def kbli_frame():
    cat = pd.read_csv(CATALOGUE, dtype=str).set_index("kode")["judul"]
    codes = [(k, act) for act, ks in KBLI_MAP.items() for k in ks.split()]
    missing = [k for k, _ in codes if k not in cat.index]
    assert not missing, f"KBLI codes not in {CATALOGUE.name}: {missing}"
    rows = [(k, cat[k], act) for k, act in codes]
    return pd.DataFrame(rows, columns=["kbli", "judul", "kode_kegiatan"]).sort_values("kbli")


def write_tables(out, zones_used):
    itbx = itbx_frame()
    itbx.to_csv(out / "itbx.csv", index=False, lineterminator="\n")
    kbli_frame().to_csv(out / "kbli.csv", index=False, lineterminator="\n")
    ket = pd.DataFrame(
        KETENTUAN, columns=["kode", "teks", "max_floor_area_m2", "max_site_area_m2", "max_floors"]
    )
    ket.astype({c: "Int64" for c in ket.columns[2:]}).to_csv(
        out / "ketentuan.csv", index=False, lineterminator="\n"
    )
    intens = [r for r in INTENSITAS if r[0] in set(zones_used) | set(SUBZONES)]
    write_csv(out / "intensitas.csv", INTENSITAS_COLS, intens)
    (out / "plan.toml").write_text(PLAN_TOML, encoding="utf-8")


PLAN_TOML = """\
# SYNTHETIC SAMPLE: generated by zoning_data/kupang/generate.py, not the enacted RDTR.
id = "kupang-rdtr"
name = "RDTR Kota Kupang (contoh sintetis / synthetic sample)"
region_code = "53.71"
legal_basis = "Contoh sintetis — bukan Perwali yang berlaku"
effective_from = 2023-01-01
crs = "EPSG:32751"

[oss]
rdtr_integrated = false  # Kota Kupang has no RDTR integrated in OSS: every case is a PKKPR

[rules]
# The synthetic matrix leaves 68 cells empty: 67 of column HK (the defence and security
# zone lists only the activities it allows) and KURSUS x IK. An enacted matrix has no
# empty cell; this sample declares, as RDTR regulations commonly do for activities
# their matrix does not list, that such an activity is not permitted ("X"). kkpr
# refuses a matrix with empty cells that does not declare this (issue 18 item 7).
empty_cell = "X"

[tolerance]
sliver_m2 = 5.0
sliver_share = 0.01

[[raster]]
id = "banjir"
path = "rasters/bahaya_banjir.tif"
kind = "hazard"          # hazard index 0..1
jenis = "KRB"
label_id = "Indeks bahaya banjir"
label_en = "Flood hazard index"
threshold = 0.6          # cells >= threshold are hazardous
max_share = 0.25         # tolerated share of the site above threshold
efek = "B"

[[raster]]
id = "dem"
path = "rasters/dem.tif"
kind = "dem"             # elevation in metres
label_id = "Kemiringan lereng"
label_en = "Slope"
slope_limit_pct = 40     # land steeper than this is not buildable
max_share = 0.10
efek = "X"

[rtrw]
path = "pola_ruang_rtrw.gpkg"

[setbacks]
# SYNTHETIC: the roads of jaringan_jalan.gpkg and the GSB of gsb.csv are invented
frontage_m = 15.0        # a road this close to the site is a road it fronts
measured_from = "boundary"  # GSB from the site boundary facing the road
"""


# --------------------------------------------------------------------------- example sites
class SiteFinder:
    """Places applicant sites on the generated plan and describes what they touch."""

    def __init__(self, plan, overlays, rasters, rtrw):
        self.plan, self.overlays, self.rtrw = plan, overlays, rtrw
        self.geoms = plan.geometry.values
        self.tree = shapely.STRtree(self.geoms)
        self.kod = plan["KODSZN"].to_numpy()
        self.dem, self.dem_tf = rasters["dem"]
        self.hz, self.hz_tf = rasters["bahaya_banjir"]
        gy, gx = np.gradient(self.dem.astype(float), self.dem_tf.a)
        self.slope = 100 * np.hypot(gx, gy)
        self.itbx = itbx_frame().set_index("kode_kegiatan")
        self.kbli = kbli_frame().set_index("kbli")["kode_kegiatan"]

    @staticmethod
    def _share(arr, tf, geom, test):
        if geom.geom_type == "Point":
            X, Y = np.array([geom.x]), np.array([geom.y])
        else:
            x0, y0, x1, y1 = geom.bounds
            X, Y = np.meshgrid(np.arange(x0 + 0.5, x1, 1.0), np.arange(y0 + 0.5, y1, 1.0))
            inside = shapely.contains_xy(geom, X, Y)
            X, Y = X[inside], Y[inside]
        col = np.floor((X - tf.c) / tf.a).astype(int)
        row = np.floor((Y - tf.f) / tf.e).astype(int)
        ok = (row >= 0) & (row < arr.shape[0]) & (col >= 0) & (col < arr.shape[1])
        vals = arr[row[ok], col[ok]]
        vals = vals[vals != -9999]
        return float(test(vals).mean()) if len(vals) else 0.0

    def flood_share(self, g):
        return self._share(self.hz, self.hz_tf, g, lambda a: a >= 0.6)

    def steep_share(self, g):
        return self._share(self.slope, self.dem_tf, g, lambda a: a > 40)

    def overlays_hit(self, g):
        ov = self.overlays
        hit = shapely.intersects(ov.geometry.values, g)
        if g.geom_type != "Point":
            hit &= shapely.area(shapely.intersection(ov.geometry.values, g)) > 1
        return ov[hit]

    def zones_hit(self, g):
        idx = self.tree.query(g, predicate="intersects")
        if g.geom_type == "Point":
            return [(self.kod[i], self.plan["KODSBL"].iloc[i], 1.0) for i in idx]
        area = shapely.area(shapely.intersection(self.geoms[idx], g))
        return [
            (self.kod[i], self.plan["KODSBL"].iloc[i], a / g.area)
            for i, a in zip(idx, area, strict=True)
            if a > 0.01
        ]

    def clean(self, g, flood=0.0, steep=0.0, allow=()):
        ov = self.overlays_hit(g)
        ov = ov[~ov["JENIS"].isin(allow) & ov["EFEK"].isin(["B", "X"])]
        return len(ov) == 0 and self.flood_share(g) <= flood and self.steep_share(g) <= steep

    def inside_one(self, zones_ok, size, prefer, ok=None, region=None):
        """A square site of `size` m well inside one polygon of the given sub-zones."""
        idx = np.nonzero(np.isin(self.kod, zones_ok))[0]
        if len(idx) == 0:
            return None
        reps = shapely.point_on_surface(self.geoms[idx])
        idx = idx[np.argsort(shapely.distance(reps, shapely.Point(prefer)))]
        for i in idx[:600]:
            poly = self.geoms[i] if region is None else self.geoms[i].intersection(region)
            inner = poly.buffer(-0.75 * size)
            if inner.is_empty:
                continue
            c = inner.point_on_surface()
            site = shapely.box(c.x - size / 2, c.y - size / 2, c.x + size / 2, c.y + size / 2)
            if site.within(poly) and (ok is None or ok(site)):
                return site
        return None

    def straddling(self, za, zb, size, prefer):
        idx = np.nonzero(np.isin(self.kod, za))[0]
        reps = shapely.point_on_surface(self.geoms[idx])
        for i in idx[np.argsort(shapely.distance(reps, shapely.Point(prefer)))][:600]:
            for j in self.tree.query(self.geoms[i], predicate="touches"):
                if self.kod[j] not in zb:
                    continue
                edge = shapely.line_merge(
                    self.geoms[i].boundary.intersection(self.geoms[j].boundary)
                )
                parts = [p for p in shapely.get_parts(edge) if p.geom_type == "LineString"]
                if not parts:
                    continue
                line = max(parts, key=lambda p: p.length)
                if line.length < 4 * size:
                    continue
                m = line.interpolate(0.5, normalized=True)
                site = shapely.box(m.x - size / 2, m.y - size / 2, m.x + size / 2, m.y + size / 2)
                hit = self.zones_hit(site)
                if len(hit) == 2 and min(h[2] for h in hit) > 0.3 and self.clean(site):
                    return site
        return None

    def partly_outside(self, size, prefer):
        area = shapely.coverage_union_all(self.geoms)
        rtrw = shapely.union_all(self.rtrw.geometry.values)
        ring = shapely.segmentize(
            shapely.get_exterior_ring(max(shapely.get_parts(area), key=lambda p: p.area)), 10
        )
        pts = shapely.points(shapely.get_coordinates(ring))
        u, v = to_local(shapely.get_x(pts), shapely.get_y(pts))
        inland = (coast_v(u) - v) > 1200
        for k in np.nonzero(inland)[0][
            np.argsort(shapely.distance(pts[inland], shapely.Point(prefer)))
        ][:300]:
            p = pts[k]
            site = shapely.box(p.x - size / 2, p.y - size / 2, p.x + size / 2, p.y + size / 2)
            inside = site.intersection(area).area / site.area
            if 0.3 < inside < 0.7 and site.within(rtrw) and self.clean(site, allow=("KKOP",)):
                return site
        return None

    def from_grid(self, grid, tf, mask, zones_ok, size, prefer, min_share, share_fn):
        """A site centred on a raster cell where `mask` dominates, inside the given sub-zones."""
        k = max(1, round(size / tf.a))
        m = mask.astype(float)
        ii = np.pad(m, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        win = (ii[k:, k:] - ii[:-k, k:] - ii[k:, :-k] + ii[:-k, :-k]) / (k * k)
        rows, cols = np.nonzero(win >= min_share)
        if len(rows) == 0:
            return None
        x = tf.c + (cols + k / 2) * tf.a
        y = tf.f + (rows + k / 2) * tf.e
        order = np.argsort(np.hypot(x - prefer[0], y - prefer[1]))
        for o in order[:4000]:
            site = shapely.box(x[o] - size / 2, y[o] - size / 2, x[o] + size / 2, y[o] + size / 2)
            hit = self.zones_hit(site)
            if (
                len(hit) == 1
                and hit[0][0] in zones_ok
                and hit[0][2] > 0.999
                and share_fn(site) >= min_share
                and len(self.overlays_hit(site).query("EFEK in ['B', 'X'] and JENIS != 'KKOP'"))
                == 0
            ):
                return site
        return None

    def describe(self, g, kbli):
        act = self.kbli.get(kbli)
        zones = self.zones_hit(g)
        ov = self.overlays_hit(g)
        cells = [
            f"{z}: {self.itbx.loc[act, z] or '(kosong)'}" if z in self.itbx.columns else f"{z}: -"
            for z in dict.fromkeys(z for z, _, _ in zones)
        ]
        return {
            "zones": ", ".join(f"{z} {s:.0%} ({sb})" for z, sb, s in zones) or "(di luar RDTR)",
            "outside": max(0.0, 1 - sum(s for _, _, s in zones))
            if g.geom_type != "Point"
            else float(not zones),
            "overlays": "; ".join(
                sorted(
                    {f"{j} ({e or 'info'})" for j, e in zip(ov["JENIS"], ov["EFEK"], strict=True)}
                )
            )
            or "-",
            "flood": self.flood_share(g),
            "steep": self.steep_share(g),
            "activity": act,
            "itbx": "; ".join(cells) or "-",
        }


def write_site(path, geom, props):
    """One GeoJSON Feature in EPSG:4326, as an applicant would upload it."""
    ll = shapely.transform(geom, lambda c: np.round(np.c_[_TO_LL.transform(c[:, 0], c[:, 1])], 7))
    feature = {
        "type": "Feature",
        "properties": props,
        "geometry": json.loads(shapely.to_geojson(ll)),
    }
    path.write_text(json.dumps(feature, ensure_ascii=False) + "\n", encoding="utf-8")
    return shapely.transform(ll, lambda c: np.c_[_TO_UTM.transform(c[:, 0], c[:, 1])])


def make_examples(out, plan, overlays, rasters, rtrw):
    f = SiteFinder(plan, overlays, rasters, rtrw)
    centre = utm(*PLACES["centre"])
    coast_sem = overlays[
        (overlays["JENIS"] == "SEMPADAN") & overlays["KETERANGAN"].str.contains("pantai")
    ]
    approach = overlays[(overlays["JENIS"] == "KKOP") & (overlays["EFEK"] == "B")]
    hills = [utm(lon, lat) for lon, lat, _, _ in HILLS_LL]
    resid = ["R-2", "R-3", "R-4"]
    specs = [
        (
            "k1_minimarket",
            "Minimarket di zona perdagangan skala kota (K-1)",
            "47111",
            lambda: f.inside_one(["K-1"], 28, utm(*PLACES["oebobo"]), f.clean),
        ),
        (
            "k2_minimarket",
            "Minimarket di zona perdagangan skala WP (K-2)",
            "47111",
            lambda: f.inside_one(["K-2"], 25, centre, f.clean),
        ),
        (
            "r_minimarket_terbatas",
            "Minimarket di zona perumahan (T)",
            "47111",
            lambda: f.inside_one(["R-2", "R-3"], 22, centre, f.clean),
        ),
        (
            "rth_minimarket_dilarang",
            "Minimarket di taman kota (RTH, X)",
            "47111",
            lambda: f.inside_one(["RTH-2", "RTH-3"], 20, centre, f.clean),
        ),
        (
            "dua_zona",
            "Restoran di batas dua zona (K-2 dan perumahan)",
            "56101",
            lambda: f.straddling(["K-2"], resid, 36, centre),
        ),
        (
            "titik",
            "Lokasi berupa titik (koordinat) di zona perdagangan atau campuran",
            "56101",
            lambda: f.inside_one(["K-2", "C-1"], 20, centre, f.clean),
        ),
        (
            "sebagian_di_luar_rdtr",
            "Lahan sebagian di luar wilayah RDTR (masuk RTRW saja)",
            "68111",
            lambda: f.partly_outside(70, centre),
        ),
        (
            "sempadan_pantai",
            "Restoran di sempadan pantai 100 m",
            "56101",
            lambda: (
                f.inside_one(
                    ["K-2", "K-3", "C-1", "W", "R-2", "R-3"],
                    20,
                    utm(*PLACES["pasir_panjang"]),
                    region=coast_sem.geometry.union_all(),
                )
                if len(coast_sem)
                else None
            ),
        ),
        (
            "kkop_ancangan",
            "Minimarket di bawah kawasan ancangan pendaratan El Tari (KKOP)",
            "47111",
            lambda: (
                f.inside_one(
                    ["K-2", "K-3", "C-1", "R-3", "R-4"],
                    24,
                    utm(*PLACES["eltari"]),
                    region=approach.geometry.union_all(),
                )
                if len(approach)
                else None
            ),
        ),
        (
            "lereng_curam",
            "Rumah tinggal di lereng curam (> 40 %)",
            "68111",
            lambda: f.from_grid(
                f.slope, f.dem_tf, f.slope > 40, [*resid, "K-3"], 45, hills[0], 0.35, f.steep_share
            ),
        ),
        (
            "rawan_banjir",
            "Rumah makan di lokasi rawan banjir (indeks >= 0,6)",
            "56102",
            lambda: f.from_grid(
                f.hz,
                f.hz_tf,
                f.hz >= 0.6,
                [*resid, "K-2", "K-3", "C-1"],
                40,
                utm(123.6135, -10.1700),
                0.5,
                f.flood_share,
            ),
        ),
    ]
    lines = []
    for name, title, kbli, find in specs:
        site = find()
        if site is None:
            print(f"  example {name}: no suitable place in this plan, skipped")
            continue
        if name == "titik":
            site = site.centroid
        props = {"nama": title, "kbli": kbli}
        if site.geom_type != "Point":
            props["luas_lahan_m2"] = round(site.area)
        site = write_site(out / "examples" / f"{name}.geojson", site, props)
        d = f.describe(site, kbli)
        lines.append(
            f"| `{name}.geojson` | {title} | {site.geom_type} | "
            f"{round(site.area) if site.area else '-'} | {d['zones']} | {d['outside']:.0%} | "
            f"{d['overlays']} | {d['flood']:.0%} | {d['steep']:.0%} | {kbli} ({d['activity']}) | {d['itbx']} |"
        )
    (out / "examples" / "README.md").write_text(
        EXAMPLES_README.format(table="\n".join(lines)), encoding="utf-8"
    )


EXAMPLES_README = """\
# Example applicant sites (synthetic sample)

GeoJSON files in EPSG:4326, each a single Feature (a Polygon, or a Point for `titik`) with
the KBLI an applicant might declare.  The columns below were computed by
`zoning_data/kupang/generate.py` with shapely from the written files, not guessed:
zones touched (sub-zone, share of the site, KODSBL), the share of the site outside the
RDTR, the special-provision overlays touched (EFEK), the share of the site whose flood
index is >= 0.6 and whose slope is > 40 % (sampled on a 1 m grid from the rasters), and
the ITBX cell of the KBLI's activity in each zone touched.

| file | site | geometry | area m² | zones (share, sub-block) | outside RDTR | overlays | flood ≥ 0.6 | slope > 40 % | KBLI (activity) | ITBX |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{table}

SYNTHETIC SAMPLE DATA, not the enacted RDTR of Kota Kupang.
"""


# --------------------------------------------------------------------------- main
def generate(out_dir: Path, n_zones: int | None = None, seed: int = SEED) -> Path:
    """Write the plan package into out_dir and return out_dir."""
    out = Path(out_dir)
    (out / "rasters").mkdir(parents=True, exist_ok=True)
    (out / "examples").mkdir(parents=True, exist_ok=True)
    for old in (out / "examples").glob("*.geojson"):
        old.unlink()
    rng = np.random.default_rng(seed)
    plan = build_sub_blocks(rng, n_zones)
    bounds = plan.total_bounds
    pad = 3000
    cu, cv = to_local(bounds[[0, 2, 0, 2]], bounds[[1, 1, 3, 3]])
    land = Landscape(
        np.random.default_rng(seed + 1),
        cu.min() - pad,
        cu.max() + pad,
        cv.min() - pad,
        cv.max() + pad,
    )
    towns_estates = satellite_centres(
        np.random.default_rng(seed + 2), cu.min(), cu.max(), cv.min(), cv.max()
    )
    zones, info = assign_zones(rng, plan, land, towns_estates)
    box = shapely.box(*(bounds + np.array([-pad, -pad, pad, pad])))
    rtrw_land = land_polygon(
        cu.min() - 2 * pad, cu.max() + 2 * pad, cv.min() - 3 * pad
    ).intersection(box)
    overlays = build_overlays(plan, zones, rtrw_land)
    attrs = attribute_table(plan, zones, info, overlays)
    rtrw = build_rtrw(np.random.default_rng(seed + 3), bounds, towns_estates, rtrw_land)
    for gdf, fname, layer in [
        (attrs, "pola_ruang.gpkg", "pola_ruang"),
        (overlays, "ketentuan_khusus.gpkg", "ketentuan_khusus"),
        (rtrw, "pola_ruang_rtrw.gpkg", "pola_ruang_rtrw"),
    ]:
        path = out / fname
        path.unlink(missing_ok=True)
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", use_arrow=True)
    rasters = write_rasters(out, land, bounds)
    write_tables(out, np.unique(zones))
    write_roads(out)
    make_examples(out, attrs, overlays, rasters, rtrw)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--out", type=Path, default=HERE, help="output folder (default: next to this script)"
    )
    ap.add_argument(
        "--zones", type=int, default=None, help="number of sub-block polygons (default: the sample)"
    )
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    out = generate(args.out, args.zones, args.seed)
    n = pyogrio.read_info(out / "pola_ruang.gpkg")["features"]
    print(f"wrote {out} ({n} sub-blocks)")


# =========================================================================== rules tables
LINDUNG = {"PS", "RTH-1", "RTH-2", "RTH-3", "RTH-7"}
SUBZONES = {  # KODSZN: (KODZON, NAMZON, NAMSZN)
    "R-2": ("R", "Zona Perumahan", "Perumahan Kepadatan Tinggi"),
    "R-3": ("R", "Zona Perumahan", "Perumahan Kepadatan Sedang"),
    "R-4": ("R", "Zona Perumahan", "Perumahan Kepadatan Rendah"),
    "K-1": ("K", "Zona Perdagangan dan Jasa", "Perdagangan dan Jasa Skala Kota"),
    "K-2": ("K", "Zona Perdagangan dan Jasa", "Perdagangan dan Jasa Skala WP"),
    "K-3": ("K", "Zona Perdagangan dan Jasa", "Perdagangan dan Jasa Skala SWP"),
    "C-1": ("C", "Zona Campuran", "Campuran Intensitas Tinggi"),
    "KT": ("KT", "Zona Perkantoran", "Perkantoran"),
    "SPU-1": ("SPU", "Zona Sarana Pelayanan Umum", "Sarana Pelayanan Umum Skala Kota"),
    "SPU-2": ("SPU", "Zona Sarana Pelayanan Umum", "Sarana Pelayanan Umum Skala Kecamatan"),
    "I": ("KPI", "Zona Kawasan Peruntukan Industri", "Industri"),
    "IK": ("IK", "Zona Perikanan", "Perikanan"),
    "TR": ("TR", "Zona Transportasi", "Transportasi"),
    "HK": ("HK", "Zona Pertahanan dan Keamanan", "Pertahanan dan Keamanan"),
    "W": ("W", "Zona Pariwisata", "Pariwisata"),
    "RTH-1": ("RTH", "Zona Ruang Terbuka Hijau", "Rimba Kota"),
    "RTH-2": ("RTH", "Zona Ruang Terbuka Hijau", "Taman Kota"),
    "RTH-3": ("RTH", "Zona Ruang Terbuka Hijau", "Taman Kecamatan"),
    "RTH-7": ("RTH", "Zona Ruang Terbuka Hijau", "Pemakaman"),
    "PS": ("PS", "Zona Perlindungan Setempat", "Perlindungan Setempat"),
    "P-1": ("P", "Zona Pertanian", "Tanaman Pangan"),
}

INTENSITAS_COLS = ["kodszn", "kdb", "klb", "kdh", "ktb", "tb", "jlb", "gsb"]
INTENSITAS = [  # KDB/KDH/KTB %, KLB ratio, TB m, JLB floors, GSB m
    ("R-2", 70, 2.1, 20, 0, 12, 3, 4),
    ("R-3", 65, 1.3, 25, 0, 8, 2, 4),
    ("R-4", 60, 1.2, 30, 0, 8, 2, 5),
    ("K-1", 80, 6.4, 10, 70, 32, 8, 6),
    ("K-2", 75, 3.0, 15, 60, 16, 4, 5),
    ("K-3", 70, 1.4, 20, 0, 8, 2, 4),
    ("C-1", 75, 4.5, 15, 60, 24, 6, 6),
    ("KT", 60, 3.6, 25, 50, 24, 6, 8),
    ("SPU-1", 60, 2.4, 30, 50, 16, 4, 8),
    ("SPU-2", 60, 1.8, 30, 0, 12, 3, 6),
    ("I", 70, 1.4, 15, 0, 20, 2, 10),
    ("IK", 60, 1.2, 20, 0, 8, 2, 6),
    ("TR", 40, 0.8, 30, 0, 20, 2, 10),
    ("HK", 50, 1.5, 30, 0, 12, 3, 10),
    ("W", 40, 1.2, 40, 0, 12, 3, 10),
    ("RTH-1", 5, 0.05, 90, 0, 4, 1, 10),
    ("RTH-2", 10, 0.1, 80, 0, 4, 1, 5),
    ("RTH-3", 10, 0.1, 80, 0, 4, 1, 5),
    ("RTH-7", 5, 0.05, 90, 0, 4, 1, 5),
    ("PS", 0, 0.0, 100, 0, 0, 0, 0),
    ("P-1", 10, 0.1, 85, 0, 4, 1, 10),
]

KETENTUAN = [  # kode, teks, max_floor_area_m2, max_site_area_m2, max_floors
    (
        "T1",
        "T1: Diizinkan terbatas dengan luas lantai bangunan untuk kegiatan tersebut paling besar "
        "200 m² per persil dan tidak mengubah fungsi utama bangunan.",
        200,
        None,
        None,
    ),
    (
        "T2",
        "T2: Diizinkan terbatas dengan luas lahan (persil) kegiatan paling besar 500 m².",
        None,
        500,
        None,
    ),
    (
        "T3",
        "T3: Diizinkan terbatas dengan luas lantai bangunan paling besar 1.000 m².",
        1000,
        None,
        None,
    ),
    (
        "T4",
        "T4: Diizinkan terbatas dengan luas lahan paling besar 2.500 m² dan wajib menyediakan area "
        "bongkar muat di dalam persil.",
        None,
        2500,
        None,
    ),
    (
        "T5",
        "T5: Diizinkan terbatas dengan jumlah lantai bangunan paling banyak 2 (dua) lantai.",
        None,
        None,
        2,
    ),
    (
        "T6",
        "T6: Diizinkan terbatas dengan luas total kegiatan sejenis paling besar 20% dari luas blok "
        "peruntukan.",
        None,
        None,
        None,
    ),
    (
        "T7",
        "T7: Diizinkan terbatas dengan waktu operasional pukul 06.00-22.00 WITA.",
        None,
        None,
        None,
    ),
    (
        "T8",
        "T8: Diizinkan terbatas hanya sebagai kegiatan penunjang kegiatan utama zona, dengan luas lantai "
        "paling besar 25% dari total luas lantai bangunan.",
        None,
        None,
        None,
    ),
    (
        "T9",
        "T9: Diizinkan terbatas dengan jarak paling dekat 500 m dari pasar rakyat dan dari toko swalayan "
        "sejenis.",
        None,
        None,
        None,
    ),
    (
        "T10",
        "T10: Diizinkan terbatas berupa kios atau bangunan tidak permanen dengan luas lantai paling besar "
        "50 m².",
        50,
        None,
        None,
    ),
    (
        "B1",
        "B1: Wajib memiliki persetujuan lingkungan (AMDAL atau UKL-UPL) sesuai ketentuan peraturan "
        "perundang-undangan.",
        None,
        None,
        None,
    ),
    (
        "B2",
        "B2: Wajib memiliki kajian analisis dampak lalu lintas (Andalalin) yang disetujui dan menyediakan "
        "parkir di dalam persil.",
        None,
        None,
        None,
    ),
    (
        "B3",
        "B3: Wajib memperoleh persetujuan tertulis warga sekitar dalam radius 100 m yang diketahui RT/RW "
        "dan Lurah setempat.",
        None,
        None,
        None,
    ),
    (
        "B4",
        "B4: Wajib menyediakan instalasi pengolahan air limbah (IPAL) dan tempat penyimpanan sementara "
        "limbah B3 di dalam persil.",
        None,
        None,
        None,
    ),
    (
        "B5",
        "B5: Wajib memperoleh rekomendasi teknis dari instansi yang berwenang (antara lain otoritas "
        "bandar udara, kesyahbandaran, atau TNI/Polri) sesuai fungsi kawasan.",
        None,
        None,
        None,
    ),
    (
        "B6",
        "B6: Wajib memenuhi jarak aman paling sedikit 50 m dari sarana pendidikan, kesehatan dan "
        "peribadatan serta memiliki rekomendasi keselamatan dari instansi teknis.",
        None,
        None,
        None,
    ),
    (
        "B7",
        "B7: Wajib memiliki kajian daya dukung lingkungan pantai, tidak menghalangi akses publik ke "
        "pantai, dan tidak berupa bangunan permanen.",
        None,
        None,
        None,
    ),
    (
        "B8",
        "B8: Wajib memiliki kajian risiko bencana serta menyediakan jalur dan tempat evakuasi "
        "sementara.",
        None,
        None,
        None,
    ),
]

# ITBX: one row per activity; cells I / X / condition codes (T.. limited, B.. conditional,
# joined with ";"); "." = the rule is silent (empty cell in itbx.csv).
ITBX = """
kode_kegiatan|kegiatan| R-2 R-3 R-4 K-1 K-2 K-3 C-1 KT SPU-1 SPU-2 I IK TR HK W RTH-1 RTH-2 RTH-3 RTH-7 PS P-1
# perumahan
RUMAH-TUNGGAL|Rumah tunggal|I I I T6 T6 I I X X X X T8 X . T8 X X X X X T5
RUMAH-KOPEL|Rumah kopel|I I I T6 T6 I I X X X X X X . X X X X X X X
RUMAH-DERET|Rumah deret|I I T6 T6 T6 T6 I X X X X X X . X X X X X X X
RUMAH-SUSUN|Rumah susun|B2 B2;B3 X B2 B2 X I X X X X X X . X X X X X X X
ASRAMA|Asrama|I I T6 T6 T6 T6 I X T8 T8 T8 X X I X X X X X X X
KOS|Rumah kos dan pondokan|I I I I I I I X T8 X X X X . X X X X X X X
RUMAH-DINAS|Rumah dinas|I I I X X X I T8 T8 T8 X X T8 I X X X X X X X
PANTI|Panti sosial (panti wreda, panti asuhan)|I I I X X T6 I X I I X X X . X X X X X X X
# perdagangan
PERDAG-WARUNG|Warung dan toko kelontong|I I I I I I I T8 T8 T8 T8 T8 T8 T8 I X T10 X X X T10
PERDAG-MINI|Toko swalayan minimarket|T1 T1;T9 T1;T9 I I I I T8 T8 X T8 X T8 . T1 X X X X X X
PERDAG-SUPER|Toko swalayan supermarket, hypermarket dan toserba|X X X I I T3;B2 I X X X X X X . X X X X X X X
PERDAG-MALL|Pusat perbelanjaan dan mal|X X X B1;B2 B1;B2 X B1;B2 X X X X X X . X X X X X X X
PERDAG-PASAR|Pasar rakyat|B2;B3 B2;B3 X I I B2 I X X X X B4 T8 X T6 X X X X X X
PERDAG-GROSIR|Perdagangan besar (grosir) dan gudang distribusi|X X X B2 B2 X T4;B2 X X X I T8 B2 . X X X X X X X
PERDAG-BBM|Stasiun pengisian bahan bakar (SPBU/SPBE)|X B3;B6 B6 B6 B6 B6 B6 X X X B6 B6 B6 B6 X X X X X X X
PERDAG-BANGUNAN|Toko bahan bangunan|T2 T2 T2 I I T2 I X X X I X X . X X X X X X X
PERDAG-KENDARAAN|Ruang pamer dan perdagangan kendaraan bermotor|X X X I I X I X X X I X X . X X X X X X X
PERDAG-ECERAN|Toko eceran barang bukan makanan (pakaian, elektronik, alat tulis, dsb.)|T1 T1 T1 I I I I T8 T8 X X X T8 . T1 X X X X X X
PERDAG-DARING|Perdagangan eceran daring (kantor dan gudang kecil)|T1 T1 T1 I I I I T8 X X I X X . X X X X X X X
PERDAG-KAKILIMA|Perdagangan kaki lima dan lapak|T7 T7 T7 T6;T7 T6;T7 T7 T7 X X X X T7 T6 . T7 X T7;T10 T7;T10 X X X
PERDAG-HASILTANI|Perdagangan hasil pertanian, peternakan dan perikanan|T2 T2 T2 I I I I X X X I I X . X X X X X X T4
# makan minum dan akomodasi
RESTORAN|Restoran dan rumah makan|T1 T1 T1 I I I I T8 T8 X T8 T8 T8 . I X T10 X X X X
KEDAI-MINUM|Kafe dan kedai minuman|T1;T7 T1;T7 T1;T7 I I I I T8 T8 X X X T8 . I X T10 X X X X
HIBURAN-MALAM|Bar, kelab malam, diskotek dan karaoke|X X X B3 B3 X B3 X X X X X X . B3 X X X X X X
JASA-BOGA|Jasa boga (katering)|T1 T1 T1 I I I I X X X I X X . I X X X X X X
HOTEL-BINTANG|Hotel bintang|X X X I B2 X I X X X X X X . B8 X X X X X X
HOTEL-MELATI|Hotel non bintang dan penginapan|T3 T3 T3 I I I I X X X X X X . I X X X X X X
PONDOK-WISATA|Pondok wisata (homestay), vila dan bumi perkemahan|I I I I I I I X X X X X X . I X X X X X T5
# jasa
BANK|Bank dan lembaga keuangan|T1 T1 X I I I I I T8 X T8 X T8 . T8 X X X X X X
KANTOR-SWASTA|Kantor swasta dan jasa profesional|T1 T1 T1 I I I I I T8 X T8 X T8 . X X X X X X X
KANTOR-PEMERINTAH|Kantor pemerintahan|T3 T3 T3 I I I I I I I X X T8 I X X X X X X X
BENGKEL|Bengkel kendaraan bermotor|T2;B3 T2;B3 T2;B3 T2 I T2 I X X X I X I . X X X X X X X
CUCI-KENDARAAN|Pencucian kendaraan bermotor|T2;B4 T2;B4 T2;B4 B4 I T2;B4 I X X X I X I . X X X X X X X
LAUNDRY|Binatu (laundry)|T1 T1 T1 I I I I X X X I X X . T8 X X X X X X
SALON|Salon kecantikan, pangkas rambut dan spa|T1 T1 T1 I I I I T8 T8 X X X T8 . I X X X X X X
REPARASI|Reparasi barang elektronik dan rumah tangga|T1 T1 T1 I I I I X X X I X X . X X X X X X X
PERCETAKAN|Percetakan dan fotokopi|T1 T1 T1 I I I I T8 T8 T8 I X X . X X X X X X X
GUDANG|Pergudangan|X X X T4;B2 T4;B2 X T4 X X X I T8 I . X X X X X X T4
EKSPEDISI|Jasa pos, kurir dan ekspedisi|T2 T2 T2 I I I I X X X I X I . X X X X X X X
PARKIR|Gedung dan pelataran parkir|T8 T8 T8 I I I I I I I I I I . I X T8 X X X X
REAL-ESTAT|Jasa agen dan pemasaran real estat|T1 T1 T1 I I I I I X X X X X . T8 X X X X X X
KONSTRUKSI|Kantor dan pangkalan (base camp) jasa konstruksi|X T2 T2 T8 I T2 I X X X I X X . X X X X X X X
JASA-TI|Jasa teknologi informasi dan komunikasi|T1 T1 T1 I I I I I T8 X I X X . X X X X X X X
MENARA-TELKOM|Menara telekomunikasi (BTS)|B3;B6 B3;B6 B3;B6 B6 B6 B6 B6 B6 B6 B6 B6 B6 B5;B6 B5 B6 B6 X X X X B6
KLINIK-HEWAN|Praktik dan klinik dokter hewan|T1;B3 T1;B3 T1 I I I I X X X X X X . X X X X X X I
KEBUGARAN|Pusat kebugaran dan sanggar olahraga|T1 T1 T1 I I I I T8 T8 T8 X X X T8 T8 X X X X X X
BIOSKOP|Bioskop dan gedung pertunjukan|X X X I B2 X I X X X X X X . B2 X X X X X X
TAMAN-REKREASI|Taman rekreasi dan wisata buatan|X X B1 B2 B2 X B2 X X X X X X . I T6;B1 T6 T6 X X B1
WISATA-PANTAI|Wisata pantai dan fasilitas penunjangnya|X X X X X X X X X X X T6 X . I X X X X B7 X
PEMAKAMAN|Pemakaman|X X B3 X X X X X X X X X X . X X X X I X X
# sarana pelayanan umum
PAUD|Pendidikan anak usia dini (PAUD/TK)|I I I I I I I T8 I I X X X T8 X X X X X X X
SEKOLAH-DASAR|Sekolah dasar dan sekolah menengah pertama|I I I T6 T6 I I X I I X X X T8 X X X X X X X
SEKOLAH-MENENGAH|Sekolah menengah atas dan kejuruan|B2 B2 B2 T6 T6 B2 I X I I X X X T8 X X X X X X X
PERGURUAN-TINGGI|Perguruan tinggi|X B2 B2 B2 B2 X B2 X I B2 X X X B5 X X X X X X X
KURSUS|Lembaga kursus dan pelatihan|T1 T1 T1 I I I I I I I T8 . X . T8 X X X X X X
RUMAH-SAKIT|Rumah sakit|X B2 B2 B2 B2 X B2 X I B2 X X X T8 X X X X X X X
KLINIK|Klinik dan puskesmas|T1;B3 T1 T1 I I I I T8 I I T8 T8 T8 T8 T8 X X X X X X
PRAKTIK|Praktik dokter, dokter gigi dan tenaga kesehatan mandiri|I I I I I I I T8 I I T8 X T8 . T8 X X X X X X
APOTEK|Apotek dan toko obat|T1 T1 T1 I I I I T8 T8 T8 X X T8 . T8 X X X X X X
LABORATORIUM|Laboratorium klinik dan laboratorium pengujian|T1;B4 T1;B4 X I I T1 I X I B4 B4 X X . X X X X X X X
IBADAH|Tempat ibadah|B3 B3 B3 T6 T6 B3 T6 T8 T8 T8 T8 T8 T8 . T8 X X X T8 X B3
GEDUNG-PERTEMUAN|Gedung pertemuan dan balai warga|T3;B3 T3;B3 T3;B3 I I I I I I I X X X T8 I X X X X X X
OLAHRAGA|Gelanggang dan lapangan olahraga|T6 T6 T6 B2 B2 T6 B2 X I I X X X I T6 T6 T6 T6 X X X
# industri
INDUSTRI-RT|Industri rumah tangga dan mikro pengolahan pangan|T1;T2 T1;T2 T1;T2 T1 T1 T1 T1 X X X I T1 X . T1 X X X X X T1
INDUSTRI-ROTI|Industri roti, kue dan makanan ringan|T1;B3 T1;B3 T1;B3 T3 T3 T1 T3 X X X I X X . X X X X X X X
INDUSTRI-MAMIN|Industri makanan dan minuman skala menengah dan besar|X X X X X X X X X X I B1 X . X X X X X X B1
INDUSTRI-IKAN|Industri pengolahan dan pengawetan ikan dan rumput laut|X X X X X X X X X X I I X . X X X X X X X
INDUSTRI-ES|Industri es dan air minum isi ulang|X T2 T2 X T2 X T2 X X X I I X . X X X X X X X
INDUSTRI-MEBEL|Industri mebel dan barang dari kayu|X T2;B3 T2;B3 X T2 T2 T2 X X X I X X . X X X X X X T2
INDUSTRI-TENUN|Industri tenun ikat, anyaman dan kerajinan|I I I I I I I X T8 X I X X . I X X X X X I
INDUSTRI-LOGAM|Industri barang logam dan bengkel las|X T2;B3 T2;B3 X T2 X T2 X X X I X X . X X X X X X X
INDUSTRI-BETON|Industri barang dari semen, kapur dan beton|X X B3 X X X X X X X I X X . X X X X X X X
INDUSTRI-AMDK|Industri air minum dalam kemasan dan minuman ringan|X X X X X X X X X X I X X . X X X X X X X
INDUSTRI-KAPAL|Industri galangan dan reparasi kapal|X X X X X X X X X X B1 B1 B1;B5 . X X X X X X X
# transportasi dan utilitas
TERMINAL|Terminal dan angkutan penumpang jalan|X X X B2 B2 X B2 X X X X X I . X X X X X X X
PELABUHAN|Kegiatan kepelabuhanan dan angkutan laut|X X X X X X X X X X B5 B5 I B5 X X X X X X X
BANDARA|Kegiatan kebandarudaraan dan angkutan udara|X X X X X X X X X X X X I B5 X X X X X X X
POOL-ANGKUTAN|Pool dan depo angkutan barang|X X T4;B3 T4 T4 X T4 X X X I X I . X X X X X X X
PEMBANGKIT|Pembangkitan dan penyaluran tenaga listrik (PLTD/PLTS)|X X X X X X X X B1 X B1 X B1 B1 X X X X X X B1
SAMPAH-LIMBAH|Pengelolaan sampah dan air limbah (TPS, TPS3R, IPAL)|B3;B4 B3;B4 B3;B4 B4 B4 B4 B4 B4 B4 B4 I B4 B4 B4 B4 X X X X X B4
AIR-BERSIH|Pengolahan dan distribusi air bersih|B5 B5 B5 B5 B5 B5 B5 B5 B5 B5 I B5 B5 B5 B5 B5 X X X X B5
# pertanian dan perikanan
PERTANIAN-PANGAN|Pertanian tanaman pangan|X T6 I X X X X X X X X X X . X T6 X X X X I
PERTANIAN-HORTI|Pertanian hortikultura dan perkebunan rakyat|T6 T6 I X X X X X X X X X X . T6 T6 T6 X X X I
PEMBIBITAN|Pembibitan dan persemaian tanaman|T2 T2 I T2 T2 T2 T2 X X X X X X . X I I T6 X X I
PETERNAKAN|Peternakan|X X T2;B3 X X X X X X X X X X . X X X X X X T6
PERIKANAN-TANGKAP|Perikanan tangkap dan tempat pendaratan ikan|X X X X X X X X X X X I B5 . T8 X X X X B7 X
BUDIDAYA-IKAN|Budidaya ikan dan rumput laut|X T6 T6 X X X X X X X X I X . T6 X X X X X T6
GALIAN|Penggalian batu kapur, pasir dan tanah urug|X X X X X X X X X X B1 X X . X X X X X X X
# pertahanan dan ruang terbuka
HANKAM|Kegiatan pertahanan dan keamanan|B5 B5 B5 B5 B5 B5 B5 B5 B5 B5 B5 B5 B5 I B5 B5 X X X X B5
RTH-TAMAN|Taman dan ruang terbuka publik|I I I I I I I I I I I I I I I I I I I I I
"""

# KBLI 2020 subclasses -> ITBX activity row (titles are taken from zoning_data/kbli2020.csv).
KBLI_MAP = {
    "RUMAH-TUNGGAL": "68111 41011",
    "KOS": "55900",
    "PANTI": "87301 87302 87901 87902",
    "PERDAG-WARUNG": "47112 47192 47222 47230 47241 47242 47249",
    "PERDAG-MINI": "47111",
    "PERDAG-SUPER": "47191",
    "PERDAG-PASAR": "47811 47812 47813 47814 47815 47821 47825",
    "PERDAG-GROSIR": "46100 46311 46319 46331 46339 46411 46412 46421 46491 46511 46523 46599 46900",
    "PERDAG-BBM": "47301 47302",
    "PERDAG-BANGUNAN": "47521 47522 47523 47524 47527 47528 47529 46634 46638",
    "PERDAG-KENDARAAN": "45101 45103 45104 45301 45302 45401 45403 45405 45406",
    "PERDAG-ECERAN": "47411 47414 47420 47511 47591 47592 47611 47630 47711 47712 47713 47714 "
    "47734 47735 47761 47781",
    "PERDAG-DARING": "47911 47912 47913 47919",
    "PERDAG-KAKILIMA": "47822 47826 47827 47829 47832 47881 47991 47992 56104 56306",
    "PERDAG-HASILTANI": "46201 46206 46209 46321 46324 47215",
    "RESTORAN": "56101 56102 56103",
    "KEDAI-MINUM": "56303 56304 56305",
    "HIBURAN-MALAM": "56301 56302 93291 93292 93294",
    "JASA-BOGA": "56210 56290",
    "HOTEL-BINTANG": "55110 55194",
    "HOTEL-MELATI": "55120 55191 55199",
    "PONDOK-WISATA": "55130 55192 55193",
    "BANK": "64121 64122 64131 64132 64141 64921 66160 65111 65121 66221",
    "KANTOR-SWASTA": "69101 69104 69201 70100 70209 71101 71102 73100 74130 78101 79111 79121 80100 82110",
    "KANTOR-PEMERINTAH": "84112 84119 84121 84122 84137",
    "BENGKEL": "45201 45407",
    "CUCI-KENDARAAN": "45202",
    "LAUNDRY": "96200",
    "SALON": "96111 96112 96121 96122",
    "REPARASI": "95110 95120 95210 95220 95230 95240 95299",
    "PERCETAKAN": "18111 18120 82190",
    "GUDANG": "52101 52102 52109",
    "EKSPEDISI": "53100 53201 52291",
    "PARKIR": "52215",
    "REAL-ESTAT": "68200",
    "KONSTRUKSI": "41012 41013 41014 41016 41017 42101 42102 43211 43221",
    "JASA-TI": "62012 62019 62029 63111 63112 63122",
    "MENARA-TELKOM": "61200",
    "KLINIK-HEWAN": "75000",
    "KEBUGARAN": "93116 93127",
    "BIOSKOP": "59140 90040",
    "TAMAN-REKREASI": "93211 93219 93232 93293",
    "WISATA-PANTAI": "68120 93224 93246",
    "PAUD": "85131 85132 85133 85134",
    "SEKOLAH-DASAR": "85111 85112 85121 85122",
    "SEKOLAH-MENENGAH": "85210 85220 85230 85240",
    "PERGURUAN-TINGGI": "85311 85321 85322",
    "KURSUS": "85491 85493 85495 85499 78421",
    "RUMAH-SAKIT": "86101 86103",
    "KLINIK": "86102 86104 86105",
    "PRAKTIK": "86201 86202 86203 86901",
    "APOTEK": "47721 47722 47723 47724",
    "LABORATORIUM": "71202 72101 86903",
    "IBADAH": "94910",
    "GEDUNG-PERTEMUAN": "68112 82301 94990",
    "OLAHRAGA": "93111 93113 93114 93119",
    "INDUSTRI-RT": "10750 10792 10794 10796 10799",
    "INDUSTRI-ROTI": "10710 10732 10734",
    "INDUSTRI-MAMIN": "10130 10510 10631 10761 10801 11040",
    "INDUSTRI-IKAN": "10211 10212 10213 10216 10221 10298",
    "INDUSTRI-ES": "35302 11052",
    "INDUSTRI-MEBEL": "31001 31002 31004 31009 16101 16221",
    "INDUSTRI-TENUN": "13121 13122 16292 16293 32903 32909",
    "INDUSTRI-LOGAM": "25111 25112 25920 25931 33119",
    "INDUSTRI-BETON": "23921 23951 23953 23957",
    "INDUSTRI-AMDK": "11051",
    "INDUSTRI-KAPAL": "30111 33151",
    "TERMINAL": "49211 49213 49214 52211",
    "PELABUHAN": "50111 50131 52221 52240",
    "BANDARA": "51101 51201 52231",
    "POOL-ANGKUTAN": "49421 49431 49432",
    "PEMBANGKIT": "35111 35112 35113",
    "SAMPAH-LIMBAH": "37011 37021 38110 38211 38212 38301 39000",
    "AIR-BERSIH": "36001 36002",
    "PERTANIAN-PANGAN": "01111 01113 01114 01115 01121 01122 01135",
    "PERTANIAN-HORTI": "01131 01132 01133 01134 01220 01261 01270",
    "PEMBIBITAN": "01194 01301 01302",
    "PETERNAKAN": "01411 01412 01441 01442 01450 01461 01462 01464",
    "PERIKANAN-TANGKAP": "03111 03112 03113 52224",
    "BUDIDAYA-IKAN": "03211 03217 03221 03251",
    "GALIAN": "08101 08102 08104 08105",
    "HANKAM": "84221 84222 84223 84224 84231",
}


if __name__ == "__main__":
    main()
