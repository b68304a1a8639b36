"""kkpr: Kesesuaian Kegiatan Pemanfaatan Ruang (spatial conformity of business sites).

The engine is importable and useful with no server and no database::

    from kkpr import check, read_plan, Proposal
    plan = read_plan("zoning_data/kupang")
    result = check(plan, site_geojson, "47111", Proposal(floor_area_m2=150))
"""

from kkpr.check import check, check_many
from kkpr.model import CheckResult, Outcome, Proposal, Site
from kkpr.plan.package import Plan, read_plan

__all__ = ["CheckResult", "Outcome", "Plan", "Proposal", "Site", "check", "check_many", "read_plan"]
__version__ = "0.1.0"
