"""The pre-check's helpers under ``/pages/``: the landmarks of a plan package
(``tempat.csv``) are found by the place search from whichever store serves the plan,
not from the folder the server was started with."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.plan.package import read_plan
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore
from tests.api.conftest import Api, make_api

TEMPAT = (
    "nama,jenis,lat,lon,keterangan\n"
    "Pasar Inpres Naikoten,pasar,-10.1712,123.5931,pasar tradisional\n"
    "Jalan Soeharto,jalan,-10.1650,123.6011,\n"
    "Tanpa koordinat,pasar,,\n"
)


@pytest.fixture
def plan_with_landmarks(mini_plan_dir: Path, tmp_path: Path) -> Path:
    plan = tmp_path / "plan"
    shutil.copytree(mini_plan_dir, plan)
    (plan / "tempat.csv").write_text(TEMPAT, encoding="utf-8")
    return plan


def test_landmarks_come_with_the_plan_in_either_store(
    store_kind: str,
    plan_with_landmarks: Path,
    mini_plan_dir: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    store: Store
    if store_kind == "memory":
        store = MemoryStore(read_plan(plan_with_landmarks))
        api = make_api(mini_plan_dir, tmp_path / "var", store=store)
    else:
        postgis_store_for: Callable[[Path], Store] = request.getfixturevalue("postgis_store_for")
        store = postgis_store_for(plan_with_landmarks)
        api = make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=store.url)  # type: ignore[attr-defined]
    # the server's plan folder (mini_plan_dir) has no tempat.csv: they come from the store
    assert not (mini_plan_dir / "tempat.csv").exists()
    marks = store.rules().landmarks
    assert [m.nama for m in marks] == ["Pasar Inpres Naikoten", "Jalan Soeharto"]
    items = api.client.get("/pages/places", params={"q": "pasar inpres"}).json()["items"]
    assert items[0]["name"] == "Pasar Inpres Naikoten" and items[0]["kind"] == "tempat"
    assert items[0]["detail"] == "pasar tradisional"
    assert items[0]["bbox"] == [123.5931, -10.1712, 123.5931, -10.1712]
    street = api.client.get("/pages/places", params={"q": "jl soeharto"}).json()["items"]
    assert street[0]["kind"] == "jalan"


def test_a_plan_without_landmarks_has_none(
    store_for: Callable[[Path], Store], mini_plan_dir: Path
) -> None:
    assert store_for(mini_plan_dir).rules().landmarks == ()


# ---------------------------------------------------------------- the pre-check's PDF


def pdf_text(content: bytes) -> tuple[int, str]:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(reader.pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("example", "outcome"),
    [("r_minimarket_terbatas", "sesuai_bersyarat"), ("rth_minimarket_dilarang", "tidak_sesuai")],
)
def test_the_pre_check_pdf_is_one_page_marked_as_a_pre_check(
    kupang_api: Api, example: str, outcome: str
) -> None:
    from api.i18n import MESSAGES
    from kkpr.permalink import encode_geometry
    from kkpr.settings import SAMPLE_PLAN_DIR

    feature = json.loads((SAMPLE_PLAN_DIR / "examples" / f"{example}.geojson").read_text())
    params = {"kbli": "47111", "site": encode_geometry(feature["geometry"]), "floors": "2"}
    r = kupang_api.client.get("/pages/precheck.pdf", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(r.content)
    assert pages == 1
    assert "PRA-PERIKSA — BUKAN IZIN" in text and "PRE-CHECK — NOT A PERMIT" in text
    headline_id, headline_en = MESSAGES[f"out.{outcome}"]
    assert headline_id in text and headline_en in text
    assert "Langkah berikutnya" in text and "What to do next" in text
    assert "kbli=47111" in text  # the link back to the shareable page
    # it is an answered pre-check: in the log like any other
    logged = kupang_api.client.get(
        "/v1/checks/" + text.split(" · ")[2].split()[0], headers=kupang_api.auth("staff")
    )
    assert logged.status_code == 200 and logged.json()["result"]["outcome"] == outcome


def test_a_damaged_pdf_link_is_a_plain_422(kupang_api: Api) -> None:
    r = kupang_api.client.get("/pages/precheck.pdf", params={"kbli": "47111", "site": "pg:@@@"})
    assert r.status_code == 422
    assert r.json()["message_id"].startswith("Tautan pra-periksa rusak")
    r = kupang_api.client.get("/pages/precheck.pdf", params={"kbli": "47111"})
    assert r.status_code == 422


def test_the_link_reads_as_the_page_writes_it() -> None:
    from kkpr.permalink import decode_geometry, encode_geometry

    poly = {
        "type": "Polygon",
        "coordinates": [
            [[123.6, -10.17], [123.6012345, -10.17], [123.6, -10.1691], [123.6, -10.17]]
        ],
    }
    assert decode_geometry(encode_geometry(poly)) == poly
    multi = {"type": "MultiPolygon", "coordinates": [poly["coordinates"]] * 2}
    assert decode_geometry(encode_geometry(multi)) == multi
    # one step of 1e-7° south and west, as permalink.js writes it ("@" is -1, "?" 0)
    step = decode_geometry("pg:@@??")
    assert step["coordinates"] == [[[-1e-7, -1e-7], [-1e-7, -1e-7]]]
