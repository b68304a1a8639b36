"""The one function of kkpr: a site, an activity and a proposal in, a CheckResult out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kkpr.catalogue import catalogue
from kkpr.errors import UnknownActivity
from kkpr.footprint import footprint_in_plan
from kkpr.model import CheckResult, KbliEntry, Located, PlanRules, Proposal, Site
from kkpr.plan.package import Plan
from kkpr.plan.rasters import ground_elevation
from kkpr.rules.outcome import evaluate
from kkpr.rules.overlays import needs_ground
from kkpr.site import site_from_geojson
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore


def as_store(source: Plan | Store) -> Store:
    """A Store for ``source``; a Plan gets one memory store, built once and kept."""
    if isinstance(source, Plan):
        store = source.__dict__.get("_memory_store")
        if store is None:
            store = source.__dict__["_memory_store"] = MemoryStore(source)
        return store
    return source


def as_site(site: Site | dict[str, Any] | str, crs: str | None = None) -> Site:
    return site if isinstance(site, Site) else site_from_geojson(site, crs)


def resolve_activity(rules: PlanRules, kbli: str) -> KbliEntry:
    """The plan's mapping of ``kbli``; UnknownActivity with near matches if none."""
    code = str(kbli).strip()
    entry = rules.kbli.get(code)
    if entry is not None:
        return entry
    cat = catalogue()
    near = cat.near(code, sorted(rules.kbli))
    suggestions = [{"kode": c, "judul": rules.kbli[c].judul} for c in near]
    known = cat.get(code)
    if known is not None:
        suggestions.insert(
            0,
            {
                "kode": known.kode,
                "judul": f"{known.judul} (tidak dipetakan di rencana ini / not mapped by this plan)",
            },
        )
    raise UnknownActivity(code, suggestions)


def check(
    source: Plan | Store,
    site: Site | dict[str, Any] | str,
    kbli: str,
    proposal: Proposal | None = None,
    *,
    plan_id: str | None = None,
    crs: str | None = None,
) -> CheckResult:
    """Check one site against the plan: which zones, what the ITBX says, and why."""
    store = as_store(source)
    rules = store.rules(plan_id)
    entry = resolve_activity(rules, kbli)
    the_site = as_site(site, crs)
    located = store.locate(the_site, plan_id)
    measure_ground(store, rules, located, plan_id)
    proposal = proposal or Proposal()
    return evaluate(rules, located, entry, proposal, _footprint(proposal, the_site, located, rules))


def _footprint(proposal: Proposal, site: Site, located: Located, rules: PlanRules) -> Any:
    """The proposal's drawn building in the plan CRS (None when it has none)."""
    if proposal.footprint is None:
        return None
    return footprint_in_plan(proposal.footprint, site, located.geometry, rules.meta.crs)


def measure_ground(store: Store, rules: PlanRules, located: Located, plan_id: str | None) -> None:
    """The highest ground under the site on the plan's DEM, where a limit elevation
    (a KKOP surface) needs it: a fact of the site a store's raster file gives."""
    if not needs_ground(rules.meta, located.overlays):
        return
    source = getattr(store, "dem_source", None)
    dem = source(plan_id) if source is not None else None
    if dem is not None:
        located.ground_m = ground_elevation(dem[0], located.geometry, dem[1])


def check_many(
    source: Plan | Store,
    requests: Sequence[tuple[Site, str, Proposal]],
    *,
    plan_id: str | None = None,
) -> list[CheckResult]:
    """``check`` for many sites, located in one store call."""
    store = as_store(source)
    rules = store.rules(plan_id)
    entries = [resolve_activity(rules, kbli) for _site, kbli, _p in requests]
    located = store.locate_many([site for site, _k, _p in requests], plan_id)
    for loc in located:
        measure_ground(store, rules, loc, plan_id)
    return [
        evaluate(rules, loc, entry, proposal, _footprint(proposal, site, loc, rules))
        for loc, entry, (site, _k, proposal) in zip(located, entries, requests, strict=True)
    ]
