"""Bulk re-checks: many sites against a plan, locally or on a Dask cluster."""

from kkpr.bulk.recheck import PlanRef, check_frame, run_dask, run_local
from kkpr.bulk.sites import read_sites, write_table

__all__ = ["PlanRef", "check_frame", "read_sites", "run_dask", "run_local", "write_table"]
