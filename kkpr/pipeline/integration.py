"""Whether a plan version's RDTR is integrated in OSS: plan.toml, unless staff said otherwise.

Only a site wholly inside an RDTR integrated in OSS takes the KKKPR path (OSS confirms
it); every other site takes the PKKPR path. The plan package says it
(``[oss] rdtr_integrated``, read into ``PlanMeta.rdtr_integrated``); staff may set it
per plan version here, each setting kept with who, when and why, the latest winning.
"""

from __future__ import annotations

from datetime import datetime

from typing_extensions import TypedDict

from kkpr.db.database import Database, Tx
from kkpr.db.sql import sql
from kkpr.errors import InvalidInput
from kkpr.model import PlanMeta
from kkpr.pipeline.db import iso


class IntegrationSetting(TypedDict):
    """One setting of a plan version's integration, as staff made it."""

    plan_id: str
    version: str
    n: int  # the settings of the version, counted from 1
    integrated: bool
    reason: str
    set_by: str | None
    set_at: str


def integrated(tx: Tx, meta: PlanMeta, version: str) -> bool:
    row = tx.one(
        sql(
            "SELECT integrated FROM plan_integration WHERE plan_id = {} AND version = {}"
            " ORDER BY n DESC LIMIT 1"
        ),
        (meta.id, version),
    )
    return bool(row["integrated"]) if row else meta.rdtr_integrated


def set_integrated(
    db: Database, plan_id: str, version: str, value: bool, *, reason: str, by: str | None,
    now: datetime,
) -> IntegrationSetting:  # fmt: skip
    if not reason.strip():
        raise InvalidInput(
            "Perubahan status integrasi OSS harus memuat alasan",
            "A change of the OSS integration status must give its reason",
            where="reason",
        )
    with db.transaction() as tx:
        last = tx.one(
            sql("SELECT MAX(n) AS n FROM plan_integration WHERE plan_id = {} AND version = {}"),
            (plan_id, version),
        )
        n = int(last["n"] or 0) + 1 if last else 1
        tx.execute(
            sql(
                "INSERT INTO plan_integration (plan_id, version, n, integrated, reason, set_by,"
                " set_at) VALUES ({}, {}, {}, {}, {}, {}, {})"
            ),
            (plan_id, version, n, int(value), reason, by, iso(now)),
        )
    return history(db, plan_id, version)[-1]


def history(db: Database, plan_id: str, version: str) -> list[IntegrationSetting]:
    with db.transaction() as tx:
        rows = tx.query(
            sql(
                "SELECT plan_id, version, n, integrated, reason, set_by, set_at FROM plan_integration"
                " WHERE plan_id = {} AND version = {} ORDER BY n"
            ),
            (plan_id, version),
        )
    return [
        {
            "plan_id": r["plan_id"],
            "version": r["version"],
            "n": r["n"],
            "integrated": bool(r["integrated"]),
            "reason": r["reason"],
            "set_by": r["set_by"],
            "set_at": r["set_at"],
        }
        for r in rows
    ]
