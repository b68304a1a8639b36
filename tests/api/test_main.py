"""The app around the routers: what it compresses, which settings it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.main import GZIP_MINIMUM_BYTES, create_app
from kkpr.errors import InvalidInput
from kkpr.settings import Settings
from tests.api.conftest import Api


def test_large_answers_are_compressed_and_check_records_are_not(
    kupang_api: Api, kupang_dir: Path
) -> None:
    gzip = {"Accept-Encoding": "gzip"}
    zones = kupang_api.client.get("/ogc/collections/zones/items?limit=1000", headers=gzip)
    assert zones.status_code == 200
    assert zones.headers["content-encoding"] == "gzip"
    assert len(zones.content) > GZIP_MINIMUM_BYTES  # httpx gives the body uncompressed

    feature = json.loads((kupang_dir / "examples" / "k1_minimarket.geojson").read_text())
    record = kupang_api.client.post(
        "/v1/checks",
        json={"site": feature, "kbli": "47111"},
        headers={**kupang_api.auth("permit_system"), **gzip},
    )
    assert record.status_code == 201, record.text
    assert "content-encoding" not in record.headers  # one first flight either way
    assert len(record.content) < GZIP_MINIMUM_BYTES


def test_the_built_in_document_key_serves_trials_only(mini_plan_dir: Path, tmp_path: Path) -> None:
    def app(**settings: str) -> object:
        return create_app(Settings(plan_dir=mini_plan_dir, data_dir=tmp_path, **settings))

    with pytest.raises(InvalidInput) as refused:
        app(public_base_url="https://kkpr.kupangkota.go.id")
    assert refused.value.where == "KKPR_DOCUMENT_SECRET"
    assert "forge" in refused.value.message_en and "memalsukan" in refused.value.message_id
    assert app(public_base_url="https://kkpr.kupangkota.go.id", document_secret="x" * 64)
    for trial in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert app(public_base_url=trial)  # make run, a trial on this machine
