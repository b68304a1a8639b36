"""Plan revisions: what changed between two versions of a plan, and where."""

from kkpr.revision.diff import PlanDiff, diff_plans

__all__ = ["PlanDiff", "diff_plans"]
