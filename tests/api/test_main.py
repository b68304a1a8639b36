"""The app around the routers: what it compresses."""

from __future__ import annotations

import json
from pathlib import Path

from api.main import GZIP_MINIMUM_BYTES
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
