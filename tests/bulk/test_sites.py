"""Reading a sites file: the proposal columns are the proposal's figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kkpr.bulk.sites import PROPOSAL_COLUMNS, read_sites
from kkpr.model import Proposal


def test_a_sites_file_carries_the_proposal_figures_in_their_order(tmp_path: Path) -> None:
    # the columns staff see in a results file, in this order (docs and templates name them)
    assert PROPOSAL_COLUMNS == (
        "land_area_m2",
        "footprint_m2",
        "floor_area_m2",
        "floors",
        "height_m",
        "green_area_m2",
    )
    figures = {c: i + 1.0 for i, c in enumerate(PROPOSAL_COLUMNS)}
    csv = tmp_path / "sites.csv"
    pd.DataFrame(
        [{"id": "a", "kbli": "47111", **figures, "tod_bonus": "true", "wkt": "POINT (1 2)"}]
    ).to_csv(csv, index=False)
    sites = read_sites(csv)
    assert list(sites.columns) == ["site_id", "kbli", *PROPOSAL_COLUMNS, "geometry"]
    # each column is a figure of the single check's proposal, read as a number
    row = sites.iloc[0]
    proposal = Proposal(**{c: row[c] for c in PROPOSAL_COLUMNS})
    assert [getattr(proposal, c) for c in PROPOSAL_COLUMNS] == list(figures.values())
