"""The pipeline's checks in the one hashed check log (``kkpr.records.checks``).

Every check the service answers, by any path, is a record of the check log: the
public pre-check and ``POST /v1/checks`` store theirs in the API; the pipeline stores
the check of a submitted application (kind ``application``) and the one a decision
rests on (kind ``decision``) here, before the transaction that uses it, so the
application or decision names a record that is already durable. The record's caller
is the key that acted (``system`` for kkpr's own moves), its role ``pipeline``.
"""

from __future__ import annotations

from typing import Any

from kkpr.pipeline.findings import CheckJson
from kkpr.records.checks import CheckLog, CheckRecord, NewCheck

APPLICATION = "application"  # the check of a submitted application
DECISION = "decision"  # the check a staff (or automatic) decision rests on
ROLE = "pipeline"


def log_check(
    log: CheckLog, kind: str, inputs: dict[str, Any], found: CheckJson, by: str | None
) -> CheckRecord:
    """Append the pipeline's check ``found`` (``CheckResult.to_dict()``) to ``log``."""
    new = NewCheck(
        inputs=inputs,
        result=found.copy(),
        plan_id=found["plan"]["id"],
        plan_version=found["plan"]["version"],
        kind=kind,
    )
    return log.append([new], caller=by or "system", caller_role=ROLE)[0]
