"""The re-check impact of a revision on the recorded checks, in chunks with progress."""

from __future__ import annotations

import shutil
from pathlib import Path

from kkpr.records.checks import CheckLog, NewCheck, open_records
from kkpr.revision.impact import Impact, impact, recorded_sites
from tests.mini_plan import CRS, site


def _stricter(mini_plan_dir: Path, tmp_path: Path) -> Path:
    """Minimarkets forbidden in K-1."""
    folder = tmp_path / "mini-v2"
    shutil.copytree(mini_plan_dir, folder)
    text = (folder / "itbx.csv").read_text()
    (folder / "itbx.csv").write_text(text.replace("Minimarket,I,", "Minimarket,X,"))
    return folder


def _inputs(x0: float, y0: float, x1: float, y1: float, kbli: str = "47111") -> dict[str, object]:
    return {"site": site(x0, y0, x1, y1), "crs": CRS, "kbli": kbli, "proposal": {}}


def test_the_checks_a_revision_changes_are_counted_and_listed(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    log = CheckLog(open_records(f"sqlite:///{tmp_path / 'records.db'}"))

    def record(
        inputs: dict[str, object],
        plan_id: str = "mini",
        kind: str = "check",
        corrects: str | None = None,
    ) -> str:
        new = NewCheck(inputs, {}, plan_id, "v1", kind=kind, corrects=corrects)
        return log.append([new], caller="key:x", caller_role="permit_system")[0].id

    k1 = record(_inputs(10, 10, 60, 60))  # minimarket in K-1: I, then X
    record(_inputs(110, 10, 160, 60))  # in R-2: T1 under both versions
    wrong = record(_inputs(10, 110, 60, 160))  # in R-2 ...
    fixed = record(_inputs(120, 10, 170, 60), kind="correction", corrects=wrong)  # ... corrected
    record({"site": {"type": "Polygon", "coordinates": []}, "kbli": "47111"})  # unreadable
    record(_inputs(10, 10, 60, 60), plan_id="other")  # another plan's

    sites = recorded_sites(log.db, "mini", limit=100)
    assert len(sites) == 4 and wrong not in {s.check_id for s in sites}
    assert fixed in {s.check_id for s in sites}
    assert len(recorded_sites(log.db, "mini", limit=2)) == 2  # the newest two

    seen: list[tuple[int, int]] = []

    def progress(now: Impact) -> None:
        seen.append((now.done, now.total))

    result = impact(
        sites, mini_plan_dir, _stricter(mini_plan_dir, tmp_path), progress, chunk_size=1
    )
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    out = result.to_dict()
    assert (out["total"], out["changed"], out["unchanged"], out["errors"]) == (4, 1, 3, 1)
    assert out["transitions"] == [{"from": "sesuai", "to": "tidak_sesuai", "count": 1}]
    [change] = out["changes"]
    assert change["check_id"] == k1 and change["geometry"]["type"] == "Polygon"
    assert change["reasons_added"]  # what the new version says, for the staff to read

    same = impact(sites, mini_plan_dir, mini_plan_dir)
    assert same.changed == 0 and same.done == 4
