# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Mutu rencana / plan quality
#
# Untuk staf Dinas PUPR sebelum sebuah paket RDTR dimuat: **celah** (lahan di dalam
# wilayah rencana tanpa zona), **tampalan** (dua poligon zona di tempat yang sama), dan
# **cakupan matriks ITBX** (pasangan kegiatan × sub-zona yang tidak diatur: pemeriksaan
# otomatis di sana berakhir dengan *perlu kajian*).
#
# For planning staff before an RDTR package is loaded: **gaps** (land inside the plan
# with no zone), **overlaps** (two zone polygons on the same land) and **ITBX matrix
# coverage** (activity × sub-zone pairs the matrix is silent on: an automatic check
# there ends in *staff review*).
#
# Set `KKPR_NOTEBOOK_PLAN` to a plan package folder to look at another plan; by default
# the Kupang sample.

# %%
# charts: matplotlib (inline in Jupyter, Agg when run as a script)
import os
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely

from kkpr.plan.package import read_plan
from kkpr.plan.validate import validate
from kkpr.rules.itbx import parse_cell
from kkpr.settings import SAMPLE_PLAN_DIR

PLAN_DIR = Path(os.environ.get("KKPR_NOTEBOOK_PLAN", SAMPLE_PLAN_DIR))
plan = read_plan(PLAN_DIR)
zones = plan.zones
tol = plan.meta.tolerance
print(f"{plan.meta.name} ({plan.meta.id}), {len(zones):,} poligon zona / zone polygons, CRS {plan.meta.crs}")
print(f"toleransi / tolerance: {tol.sliver_m2} m², {tol.sliver_share:.1%}")

# %% [markdown]
# ## Luas per sub-zona / area by sub-zone

# %%
area_ha = zones.geometry.area.groupby(zones["kodszn"]).sum().sort_values(ascending=False) / 1e4
fig, ax = plt.subplots(figsize=(10, 4))
area_ha.plot.bar(ax=ax, color="#4575b4")
ax.set_ylabel("ha")
ax.set_title("Luas per sub-zona / area by sub-zone")
plt.tight_layout()
plt.show()
area_ha.round(1).to_frame("ha").T

# %% [markdown]
# ## Celah / gaps
#
# Lubang di gabungan semua zona yang lebih luas dari toleransi rencana. Tapak di celah
# tidak mendapat KKKPR otomatis (jalur PKKPR).
#
# Holes in the union of all zones larger than the plan tolerance. A site in a gap gets
# no automatic KKKPR (the PKKPR path).

# %%
geoms = np.asarray(zones.geometry.values, dtype=object)
union = shapely.union_all(geoms)
holes = [
    shapely.Polygon(ring)
    for poly in getattr(union, "geoms", [union])
    for ring in poly.interiors
]
gaps = gpd.GeoDataFrame({"area_m2": [h.area for h in holes]}, geometry=holes, crs=zones.crs)
gaps = gaps[gaps["area_m2"] > tol.sliver_m2].sort_values("area_m2", ascending=False)
print(f"{len(gaps):,} celah / gaps, {gaps['area_m2'].sum():,.1f} m²")
gaps.head(10)

# %% [markdown]
# ## Tampalan / overlaps

# %%
tree = shapely.STRtree(geoms)
left, right = tree.query(geoms, predicate="intersects")
pairs = left < right
left, right = left[pairs], right[pairs]
inter = shapely.intersection(geoms[left], geoms[right])
overlaps = gpd.GeoDataFrame(
    {
        "fid_a": zones.index.to_numpy()[left],
        "fid_b": zones.index.to_numpy()[right],
        "kodszn_a": zones["kodszn"].to_numpy()[left],
        "kodszn_b": zones["kodszn"].to_numpy()[right],
        "area_m2": shapely.area(inter),
    },
    geometry=inter,
    crs=zones.crs,
)
overlaps = overlaps[overlaps["area_m2"] > tol.sliver_m2].sort_values("area_m2", ascending=False)
print(f"{len(overlaps):,} tampalan / overlaps, {overlaps['area_m2'].sum():,.1f} m²")
overlaps.drop(columns="geometry").head(10)

# %% [markdown]
# ## Peta / map: gaps (red) and overlaps (purple) over the zones
#
# Celah dan tampalan kecil digambar dengan tepi tebal supaya terlihat pada skala kota.

# %%
fig, ax = plt.subplots(figsize=(10, 8))
zones.plot(ax=ax, column="kodszn", cmap="tab20", linewidth=0.1, edgecolor="white", alpha=0.6)
if len(gaps):
    gaps.plot(ax=ax, facecolor="red", edgecolor="red", linewidth=2)
if len(overlaps):
    overlaps.plot(ax=ax, facecolor="purple", edgecolor="purple", linewidth=2)
ax.set_title(f"Celah / gaps: {len(gaps)} · tampalan / overlaps: {len(overlaps)}")
ax.set_axis_off()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Cakupan matriks ITBX / ITBX matrix coverage
#
# Setiap baris kegiatan × setiap sub-zona yang ada di peta: I, T, B, TB, X, atau kosong
# (diam). Kotak abu-abu gelap: matriks diam; sub-zona tanpa kolom sama sekali ditandai.
#
# Every activity row × every sub-zone on the map: I, T, B, TB (terbatas bersyarat), X or
# empty (silent). Dark grey: the matrix is silent; sub-zones with no column at all are
# marked.

# %%
rules = plan.rules
mapped = sorted(set(zones["kodszn"].astype(str)))
activities = sorted(rules.activities)
CLASS_CODE = {"I": 0, "T": 1, "B": 2, "TB": 3, "X": 4, None: 5}
grid = np.array(
    [[CLASS_CODE[(lambda c: str(c) if c else None)(parse_cell(rules.cell(a, s))[0])] for s in mapped] for a in activities]
)
coverage = pd.DataFrame(grid, index=activities, columns=mapped)
silent = coverage == CLASS_CODE[None]
subzone_ha = area_ha.reindex(mapped).fillna(0)
print(f"{silent.values.sum():,} dari / of {silent.size:,} sel diam / cells silent")
no_column = [s for s in mapped if s not in rules.subzones]
print("sub-zona tanpa kolom ITBX / sub-zones with no ITBX column:", no_column or "—")

# %%
from matplotlib.colors import ListedColormap

cmap = ListedColormap(["#1a9641", "#a6d96a", "#fdae61", "#f46d43", "#d7191c", "#404040"])
fig, ax = plt.subplots(figsize=(max(6, len(mapped) * 0.35), max(4, len(activities) * 0.22)))
ax.imshow(grid, cmap=cmap, vmin=0, vmax=5, aspect="auto")
ax.set_xticks(range(len(mapped)), mapped, rotation=90, fontsize=7)
ax.set_yticks(range(len(activities)), activities, fontsize=6)
for k, s in enumerate(mapped):
    if s in no_column:
        ax.get_xticklabels()[k].set_color("red")
handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(i)) for i in range(6)]
ax.legend(handles, ["I", "T", "B", "TB", "X", "diam / silent"], loc="upper left", bbox_to_anchor=(1.01, 1))
ax.set_title("Matriks ITBX pada sub-zona di peta / ITBX matrix over the mapped sub-zones")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Sel diam yang paling berpengaruh / the silent cells that matter most
#
# Diurutkan menurut luas sub-zona (ha) tempat kegiatan itu akan berakhir di *perlu kajian*.
# Ranked by the area (ha) of the sub-zone where that activity would end in staff review.

# %%
silent_cells = (
    silent.stack()
    .loc[lambda s: s]
    .reset_index()
    .rename(columns={"level_0": "kode_kegiatan", "level_1": "kodszn"})
    .drop(columns=0)
)
silent_cells["kegiatan"] = silent_cells["kode_kegiatan"].map(lambda k: rules.activities[k].kegiatan)
silent_cells["kbli"] = silent_cells["kode_kegiatan"].map(
    lambda k: sum(1 for e in rules.kbli.values() if e.kode_kegiatan == k)
)
silent_cells["ha"] = silent_cells["kodszn"].map(subzone_ha).round(1)
silent_cells.sort_values("ha", ascending=False).head(15)

# %%
fig, ax = plt.subplots(figsize=(10, 3.5))
by_subzone = silent.sum(axis=0).reindex(mapped)
by_subzone.plot.bar(ax=ax, color="#404040")
ax.set_ylabel("baris diam / silent rows")
ax.set_title("Baris kegiatan yang diam per sub-zona / silent activity rows per sub-zone")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Laporan validasi / the validation report
#
# Yang sama dengan `kkpr plan validate`: jumlah masalah per kode.

# %%
problems = validate(plan)
report = pd.Series([f"{p.severity}: {p.code}" for p in problems], dtype=str).value_counts()
report.to_frame("jumlah / count") if len(report) else "tidak ada masalah / no problems"
