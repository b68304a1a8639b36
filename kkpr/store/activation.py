"""Plan versions in PostGIS: activate, roll back, list.

Activation swaps which version of a plan is active (a partial unique index allows one)
and logs who did it, in one short transaction on a cursor the caller gives (the
store's pooled connection: ``PostgisStore.activate``); the service sees the change at
its next check. Rollback reads that log.
"""

from __future__ import annotations

from typing import Any

from kkpr.errors import Conflict, NotFound

# a version's status (``v``: its row of kkpr.plan_versions); a ``loading`` row whose
# session is gone is a load that died (killed, disconnected)
STATUS_SQL = """CASE WHEN v.status = 'loading' AND NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a
    WHERE a.pid = v.load_pid AND a.backend_start <= v.loaded_at) THEN 'failed'
    ELSE v.status END"""


def with_status(template: str) -> Any:
    """``template`` with its ``{status}`` composed by the driver (``psycopg2.sql``) as
    the expression ``STATUS_SQL``."""
    from psycopg2 import sql as pg

    return pg.SQL(template).format(status=pg.SQL(STATUS_SQL))


# ---------------------------------------------------------------- activation


def activate_vid(cur: Any, plan_id: str, vid: int, action: str, by: str) -> bool:
    """Make ``vid`` the active version of ``plan_id`` and log it; False if it already was."""
    cur.execute("SELECT id FROM kkpr.plans WHERE id = %s FOR UPDATE", (plan_id,))
    cur.execute("SELECT vid FROM kkpr.plan_versions WHERE plan_id = %s AND active", (plan_id,))
    row = cur.fetchone()
    previous = int(row[0]) if row else None
    if previous == vid:
        return False
    cur.execute(
        "UPDATE kkpr.plan_versions SET active = false WHERE plan_id = %s AND active", (plan_id,)
    )
    cur.execute("UPDATE kkpr.plan_versions SET active = true WHERE vid = %s", (vid,))
    cur.execute(
        "UPDATE kkpr.plans p SET name = v.name, region_code = v.region_code "
        "FROM kkpr.plan_versions v WHERE v.vid = %s AND p.id = v.plan_id",
        (vid,),
    )
    cur.execute(
        "INSERT INTO kkpr.activations (plan_id, from_vid, to_vid, action, by) "
        "VALUES (%s, %s, %s, %s, %s)",
        (plan_id, previous, vid, action, by),
    )
    return True


def ready_vid(cur: Any, plan_id: str, version: str) -> int:
    cur.execute(
        with_status(
            "SELECT vid, {status} FROM kkpr.plan_versions v WHERE plan_id = %s AND version = %s"
        ),
        (plan_id, version),
    )
    row = cur.fetchone()
    if row is None:
        cur.execute(
            "SELECT version FROM kkpr.plan_versions WHERE plan_id = %s ORDER BY n", (plan_id,)
        )
        known = ", ".join(r[0] for r in cur.fetchall()) or "—"
        raise NotFound(
            f"Versi {version!r} dari rencana {plan_id!r} tidak ada",
            f"Version {version!r} of plan {plan_id!r} does not exist",
            where=f"{plan_id} {version}",
            hint_id=f"Versi yang ada: {known}",
            hint_en=f"Existing versions: {known}",
        )
    if row[1] != "ready":
        raise Conflict(
            f"Versi {version} berstatus {row[1]}; hanya versi yang siap dapat diaktifkan",
            f"Version {version} is {row[1]}; only a ready version can be activated",
            where=f"{plan_id} {version}",
            hint_id="Muat ulang paketnya: kkpr plan load",
            hint_en="Load the package again: kkpr plan load",
        )
    return int(row[0])


def activate(cur: Any, plan_id: str, version: str, *, by: str) -> None:
    """Make ``version`` the active version of ``plan_id`` (logged for rollback), in the
    transaction of ``cur``."""
    activate_vid(cur, plan_id, ready_vid(cur, plan_id, version), "activate", by)


def rollback(cur: Any, plan_id: str, *, by: str) -> str:
    """Re-activate the version that was active before the current one, in the
    transaction of ``cur``; return it.

    The activation log is read as a stack: each load or activation pushes a version,
    each rollback pops one, so repeated rollbacks walk further back in time.
    """
    cur.execute("SELECT id FROM kkpr.plans WHERE id = %s FOR UPDATE", (plan_id,))
    if cur.fetchone() is None:
        raise NotFound(
            f"Rencana {plan_id!r} tidak ada", f"Plan {plan_id!r} does not exist", where=plan_id
        )
    cur.execute(
        "SELECT to_vid, action FROM kkpr.activations WHERE plan_id = %s ORDER BY id", (plan_id,)
    )
    stack: list[int] = []
    for to_vid, action in cur.fetchall():
        if action == "rollback" and stack:
            stack.pop()
            if not stack or stack[-1] != to_vid:
                stack.append(to_vid)
        else:
            stack.append(to_vid)
    if len(stack) < 2:
        raise Conflict(
            f"Tidak ada versi sebelumnya untuk rencana {plan_id!r}",
            f"Plan {plan_id!r} has no earlier version to roll back to",
            where=plan_id,
            hint_id="Lihat versi: kkpr plan list; aktifkan versi tertentu: kkpr plan activate",
            hint_en="See versions: kkpr plan list; activate one: kkpr plan activate",
        )
    target = stack[-2]
    activate_vid(cur, plan_id, target, "rollback", by)
    cur.execute("SELECT version FROM kkpr.plan_versions WHERE vid = %s", (target,))
    return str(cur.fetchone()[0])


# ---------------------------------------------------------------- listing


def list_plans(cur: Any) -> list[dict[str, Any]]:
    cur.execute(
        "SELECT p.id, p.name, p.region_code, a.version, count(v.vid) "
        "FROM kkpr.plans p LEFT JOIN kkpr.plan_versions v ON v.plan_id = p.id "
        "LEFT JOIN kkpr.plan_versions a ON a.plan_id = p.id AND a.active "
        "GROUP BY p.id, p.name, p.region_code, a.version ORDER BY p.id"
    )
    return [
        {
            "id": r[0],
            "name": r[1],
            "region_code": r[2],
            "active_version": r[3],
            "versions": int(r[4]),
        }
        for r in cur.fetchall()
    ]


def list_versions(cur: Any, *, plan_id: str) -> list[dict[str, Any]]:
    cur.execute(
        with_status(
            "SELECT v.version, v.active, {status}, v.loaded_at, v.loaded_by, v.checksum, "
            "v.effective_from, v.legal_basis, v.zones_count, v.overlays_count, "
            "CASE WHEN v.status = 'loading' THEN coalesce(v.error, 'interrupted') "
            "ELSE v.error END, a.at, a.by FROM kkpr.plan_versions v LEFT JOIN LATERAL ("
            " SELECT at, by FROM kkpr.activations WHERE to_vid = v.vid ORDER BY id DESC LIMIT 1"
            ") a ON true WHERE v.plan_id = %s ORDER BY v.n DESC"
        ),
        (plan_id,),
    )
    out = []
    for r in cur.fetchall():
        status = r[2]
        out.append(
            {
                "version": r[0],
                "active": bool(r[1]),
                "status": status,
                "loaded_at": r[3].isoformat() if r[3] else None,
                "loaded_by": r[4],
                "activated_at": r[11].isoformat() if r[11] else None,
                "activated_by": r[12],
                "checksum": r[5],
                "effective_from": r[6].isoformat() if r[6] else None,
                "legal_basis": r[7],
                "zones": r[8],
                "overlays": r[9],
                "error": r[10] if status == "failed" else None,
            }
        )
    return out
