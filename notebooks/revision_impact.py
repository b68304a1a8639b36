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
# # Dampak revisi rencana / the impact of a plan revision
#
# Revisi RDTR dibuat di sini dengan kode, seperti yang akan dilakukan perencana di QGIS:
# **satu batas zona digeser** dan **satu sel ITBX diubah**. Lalu: apa yang berubah
# (`kkpr plan diff`), dan tapak mana yang hasil pemeriksaannya berubah
# (`kkpr recheck --against`).
#
# The sample RDTR is revised in code, as a planner would in QGIS: **one zone boundary
# moves** and **one ITBX cell changes**. Then: what changed (`kkpr plan diff`), and
# which sites change outcome (`kkpr recheck --against`).
#
# The same from a shell:
# ```
# kkpr plan diff OLD NEW --gpkg diff.gpkg --map diff.html
# kkpr recheck --sites sites.parquet --plan NEW --against OLD --out hasil.gpkg
# ```

# %%
# charts: matplotlib (inline in Jupyter, Agg when run as a script)
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely

from kkpr.bulk import PlanRef, read_sites, write_table
from kkpr.bulk.recheck import recheck
from kkpr.plan.package import find_layer, read_plan
from kkpr.revision import diff_plans
from kkpr.settings import SAMPLE_PLAN_DIR

OLD_DIR = Path(os.environ.get("KKPR_NOTEBOOK_PLAN", SAMPLE_PLAN_DIR))
WORK = Path(tempfile.mkdtemp(prefix="kkpr-revisi-"))
NEW_DIR = WORK / "rencana_revisi"
shutil.copytree(OLD_DIR, NEW_DIR, ignore=shutil.ignore_patterns("examples"))
old = read_plan(OLD_DIR)
print(old.meta.name, "·", len(old.zones), "zona / zones ·", "kerja / work dir:", WORK)

# %% [markdown]
# ## 1. Geser satu batas / move one boundary
#
# Dua zona bertetangga dengan sub-zona berbeda dan batas bersama yang panjang: zona A
# diperluas 25 m ke dalam zona B.
#
# Two neighbouring zones of different sub-zones with a long shared edge: zone A grows
# 25 m into zone B.

# %%
SHIFT_M = 25.0
layer = find_layer(NEW_DIR, "pola_ruang")
raw = gpd.read_file(layer)
code_col = next(c for c in raw.columns if c.lower() == "kodszn")
geoms = np.asarray(raw.geometry.values, dtype=object)
left, right = shapely.STRtree(geoms).query(geoms, predicate="touches")
pairs = (left < right) & (raw[code_col].to_numpy()[left] != raw[code_col].to_numpy()[right])
left, right = left[pairs], right[pairs]
shared = shapely.length(shapely.intersection(geoms[left], geoms[right]))
k = int(np.argmax(shared))
a, b = int(left[k]), int(right[k])
piece = shapely.intersection(geoms[b], shapely.buffer(geoms[a], SHIFT_M, join_style="mitre"))
raw.loc[a, "geometry"] = shapely.union(geoms[a], piece)
raw.loc[b, "geometry"] = shapely.difference(geoms[b], piece)
raw.to_file(layer, driver="GPKG" if layer.suffix == ".gpkg" else None)
moved_from, moved_to = raw[code_col][b], raw[code_col][a]
print(f"{piece.area:,.1f} m² berpindah dari / pass from {moved_from} → {moved_to} (batas / edge {shared[k]:,.0f} m)")

# %% [markdown]
# ## 2. Ubah satu sel ITBX / change one ITBX cell
#
# Baris kegiatan minimarket (KBLI 47111, atau KBLI pertama di rencana) pada sub-zona
# yang paling luas: dari sel yang ada menjadi X (atau menjadi I bila sudah X).

# %%
rules = old.rules
KBLI = "47111" if "47111" in rules.kbli else sorted(rules.kbli)[0]
activity = rules.kbli[KBLI].kode_kegiatan
area_by_subzone = old.zones.geometry.area.groupby(old.zones["kodszn"]).sum().sort_values(ascending=False)
cell_subzone = next(s for s in area_by_subzone.index if s in rules.subzones)
itbx = pd.read_csv(NEW_DIR / "itbx.csv", dtype=str, keep_default_na=False)
column = next(c for c in itbx.columns if c.upper() == cell_subzone)
row = itbx["kode_kegiatan"] == activity
before = itbx.loc[row, column].iloc[0]
itbx.loc[row, column] = "I" if before.upper() == "X" else "X"
itbx.to_csv(NEW_DIR / "itbx.csv", index=False)
print(f"ITBX ({activity}, {cell_subzone}): {before or '(kosong)'} → {itbx.loc[row, column].iloc[0]}")

# %% [markdown]
# ## 3. Perbedaan / the diff

# %%
new = read_plan(NEW_DIR)
diff = diff_plans(old, new)
pd.Series(diff.summary())

# %%
diff.transitions()

# %%
diff.itbx_changed

# %%
assert diff.transitions()["area_m2"].sum() == np.float64(diff.zones_changed["area_m2"].sum())
assert abs(diff.zones_changed["area_m2"].sum() - piece.area) < 1.0, "the moved strip, no more"
assert len(diff.itbx_changed) == 1

# %% [markdown]
# ## 4. Tapak contoh / sample sites
#
# Tapak persegi acak (0,01–5 ha, kebanyakan < 0,5 ha) di seluruh rencana; KBLI acak dari
# rencana, sepertiga memakai KBLI yang selnya diubah. Ditambah 40 tapak kecil di lahan
# yang berpindah sub-zona, dengan kegiatan yang diatur berbeda di kedua sub-zona itu.
#
# Random square sites over the plan (random KBLI, a third with the changed cell's KBLI),
# plus 40 small sites on the land that changed sub-zone, with an activity that the two
# sub-zones rule differently.

# %%
rng = np.random.default_rng(7)
minx, miny, maxx, maxy = old.zones.total_bounds
n_random, n_near = 1500, 40
# points on the moved land (rejection sampling in its bounding box)
px0, py0, px1, py1 = piece.bounds
cand = shapely.points(rng.uniform(px0, px1, 20_000), rng.uniform(py0, py1, 20_000))
near_pts = cand[shapely.contains(shapely.buffer(piece, -8.0), cand)][:n_near]
cx = np.concatenate([rng.uniform(minx, maxx, n_random), shapely.get_x(near_pts)])
cy = np.concatenate([rng.uniform(miny, maxy, n_random), shapely.get_y(near_pts)])
area = np.clip(rng.lognormal(np.log(1500), 1.0, len(cx)), 100, 50_000)
area[n_random:] = 15.0 * 15.0
half = np.sqrt(area) / 2
codes = np.array(sorted(rules.kbli))
# an activity the two sub-zones of the moved land rule differently
BOUNDARY_KBLI = next(
    (k for k in codes if (rules.cell(rules.kbli[k].kode_kegiatan, moved_from) or "") != (rules.cell(rules.kbli[k].kode_kegiatan, moved_to) or "")),
    KBLI,
)
kbli = np.where(rng.random(len(cx)) < 1 / 3, KBLI, rng.choice(codes, len(cx)))
kbli[n_random:] = BOUNDARY_KBLI
print(f"KBLI {BOUNDARY_KBLI}: {moved_from} {rules.cell(rules.kbli[BOUNDARY_KBLI].kode_kegiatan, moved_from)} / {moved_to} {rules.cell(rules.kbli[BOUNDARY_KBLI].kode_kegiatan, moved_to)}")
sites = gpd.GeoDataFrame(
    {
        "id": [f"S{i:05d}" for i in range(len(cx))],
        "kbli": kbli,
        "floor_area_m2": np.round(area * rng.uniform(0.1, 0.8, len(cx)), 0),
        "floors": rng.integers(1, 4, len(cx)),
    },
    geometry=shapely.box(cx - half, cy - half, cx + half, cy + half),
    crs=old.meta.crs,
)
sites_path = write_table(sites, WORK / "sites.parquet")
sites = read_sites(sites_path)
len(sites)

# %% [markdown]
# ## 5. Periksa ulang / re-check against the old plan

# %%
job = recheck(sites, PlanRef.of(NEW_DIR), PlanRef.of(OLD_DIR), out=WORK / "hasil.gpkg", workers=2)
pd.Series(job.counts()).to_frame("tapak / sites")

# %%
changed = job.changed
print(f"{len(changed)} tapak berubah hasil / sites changed outcome")
changed[["site_id", "kbli", "old_outcome", "outcome", "reasons_removed", "reasons_added"]].head(10)

# %% [markdown]
# ### Sesuai harapan? / as expected?
#
# Setiap tapak yang berubah harus menyentuh lahan yang berpindah sub-zona, atau memakai
# KBLI yang selnya diubah dan menyentuh sub-zona sel itu. Every changed site must touch
# the moved land, or use the changed cell's KBLI and touch that cell's sub-zone.

# %%
touch_piece = changed.intersects(piece)
cell_zone = new.zones[new.zones["kodszn"] == cell_subzone].union_all()
old_cell_zone = old.zones[old.zones["kodszn"] == cell_subzone].union_all()
touch_cell = (changed["kbli"] == KBLI) & (changed.intersects(cell_zone) | changed.intersects(old_cell_zone))
explained = touch_piece | touch_cell
print(f"karena batas / by the boundary: {int(touch_piece.sum())}, karena sel / by the cell: {int(touch_cell.sum())}")
assert explained.all(), changed.loc[~explained, ["site_id", "kbli", "old_outcome", "outcome"]]
assert touch_piece.sum() > 0 and touch_cell.sum() > 0

# %%
flows = (
    changed.groupby(["old_outcome", "outcome"]).size().rename("tapak / sites").reset_index()
)
fig, ax = plt.subplots(figsize=(8, 3.5))
labels = flows["old_outcome"] + " → " + flows["outcome"]
ax.barh(labels, flows["tapak / sites"], color="#d7191c")
ax.set_xlabel("tapak / sites")
ax.set_title("Perubahan hasil / outcome changes")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Peta / map

# %%
focus = piece.buffer(400).bounds
fig, axes = plt.subplots(1, 2, figsize=(13, 6))
for ax, (title, frame) in zip(axes, [("lama / old", old.zones), ("baru / new", new.zones)]):
    frame.cx[focus[0] : focus[2], focus[1] : focus[3]].plot(
        ax=ax, column="kodszn", cmap="tab20", edgecolor="white", linewidth=0.3, legend=True,
        legend_kwds={"fontsize": 6, "loc": "upper left"},
    )
    gpd.GeoSeries([piece], crs=old.meta.crs).boundary.plot(ax=ax, color="black", linewidth=1.5)
    ax.set_xlim(focus[0], focus[2])
    ax.set_ylim(focus[1], focus[3])
    ax.set_title(title)
    ax.set_axis_off()
colours = {"sesuai": "#1a9641", "sesuai_bersyarat": "#fdae61", "tidak_sesuai": "#d7191c", "perlu_kajian": "#7b3294", "error": "#000"}
near = changed.cx[focus[0] : focus[2], focus[1] : focus[3]]
near.plot(ax=axes[1], facecolor="none", edgecolor=near["outcome"].map(colours), linewidth=2)
plt.tight_layout()
plt.show()

# %%
fig, ax = plt.subplots(figsize=(9, 7))
new.zones.plot(ax=ax, color="#eeeeee", edgecolor="#cccccc", linewidth=0.1)
old_cell = old.zones[old.zones["kodszn"] == cell_subzone]
old_cell.plot(ax=ax, color="#fee08b", linewidth=0)
changed.centroid.plot(ax=ax, color=changed["outcome"].map(colours), markersize=12)
ax.set_title(f"Tapak berubah / changed sites · kuning: sub-zona {cell_subzone} (sel ITBX diubah)")
ax.set_axis_off()
plt.tight_layout()
plt.show()

# %%
shutil.rmtree(WORK)
