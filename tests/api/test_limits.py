"""Limits: oversized bodies and sites answer 413/422 (never 500, never a hang); the public
pre-check is rate-limited per client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from api.errors import RateLimited
from api.limits import RateLimiter, client_network
from tests.api.conftest import ROOT, Api, make_api, mini_site
from tests.mini_plan import X0, Y0
from tests.server import Server


def ring(n: int, radius: float = 20.0) -> list[list[float]]:
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = [[X0 + 50 + radius * np.cos(a), Y0 + 50 + radius * np.sin(a)] for a in angles]
    return [*pts, pts[0]]


def test_body_over_the_limit_is_413_before_parsing(mini_api: Api) -> None:
    limit = mini_api.state.settings.max_body_bytes
    r = mini_api.client.post(
        "/v1/checks",
        content=b"[" * (limit + 1),
        headers={**mini_api.auth("staff"), "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/input-too-large")
    # each language writes the number its own way (in Indonesian, "," is the decimal mark)
    assert f"{limit:_}".replace("_", ".") + " bita" in r.json()["message_id"]
    assert f"{limit:,} bytes" in r.json()["message_en"]


def test_streamed_body_without_length_is_counted(mini_api: Api) -> None:
    limit = mini_api.state.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = mini_api.client.post(
        "/v1/precheck", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


def test_too_many_vertices_is_413(mini_plan_dir: Path, tmp_path: Path) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", max_site_vertices=500)
    body = {"site": {"type": "Polygon", "coordinates": [ring(600)]}, "crs": "EPSG:32751"}
    r = api.check({**body, "kbli": "47111"})
    assert r.status_code == 413 and r.json()["vertices"] == 601
    assert r.json()["where"] == "site.coordinates"
    ok = api.check(
        {
            "site": {"type": "Polygon", "coordinates": [ring(400)]},
            "crs": "EPSG:32751",
            "kbli": "47111",
        }
    )
    assert ok.status_code == 201


def test_site_larger_than_any_permit_is_422(mini_plan_dir: Path, tmp_path: Path) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", max_site_area_m2=1000.0)
    r = api.check(mini_site(0, 0, 50, 50))  # 2,500 m²
    assert r.status_code == 422 and r.json()["type"].endswith("/site-too-large")
    assert r.json()["message_id"] == "Luas tapak 2.500 m² melebihi batas 1.000 m²"
    assert r.json()["message_en"] == "The site area 2,500 m² exceeds the limit of 1,000 m²"
    assert api.check(mini_site(0, 0, 30, 30)).status_code == 201


def test_public_precheck_is_rate_limited_per_client(mini_plan_dir: Path, tmp_path: Path) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", public_rate_limit_per_minute=3)
    body = mini_site(10, 10, 60, 60)
    codes = [api.client.post("/v1/precheck", json=body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    r = api.client.post("/v1/precheck", json=body)
    assert r.json()["type"].endswith("/rate-limited")
    assert int(r.headers["retry-after"]) >= 1
    # a key holder is not the anonymous public
    keyed = api.client.post("/v1/precheck", json=body, headers=api.auth("permit_system"))
    assert keyed.status_code == 201


def test_the_public_limit_is_one_count_for_every_worker(
    live_server: Callable[..., Server], mini_plan_dir: Path
) -> None:
    """Two API processes on one records database (the workers of a machine; machines
    on one PostgreSQL) count a client's pre-checks together, not each on its own."""
    a = live_server(mini_plan_dir, public_rate_limit_per_minute="3")
    b = live_server(mini_plan_dir, public_rate_limit_per_minute="3")
    body = mini_site(10, 10, 60, 60)
    answers = [httpx.post(f"{s.url}/v1/precheck", json=body, timeout=30) for s in (a, b, a, b)]
    assert [r.status_code for r in answers] == [201, 201, 201, 429]
    assert answers[-1].json()["type"].endswith("/rate-limited")


def test_rate_limiter_refills_and_keeps_clients_apart() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])  # one a second
    assert all(limiter.take("a") is None for _ in range(60))
    wait = limiter.take("a")
    assert wait is not None and 0 < wait <= 1.0
    assert limiter.take("b") is None
    now[0] += 1.0
    assert limiter.take("a") is None


def test_oversized_body_over_real_http_reads_413(
    live_server: Callable[..., Server], mini_plan_dir: Path
) -> None:
    """A real client still sending a large body gets the 413, not a reset connection."""
    server = live_server(mini_plan_dir)
    payload = b'{"site": "' + b"x" * 6_000_000 + b'"}'
    r = httpx.post(
        f"{server.url}/v1/precheck",
        content=payload,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 413
    assert r.json()["type"].endswith("/input-too-large")
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


def make_run_uvicorn_args() -> tuple[str, ...]:
    """The uvicorn options ``make run`` passes (the Makefile's ``UVICORN_ARGS``)."""
    line = next(
        x for x in (ROOT / "Makefile").read_text().splitlines() if x.startswith("UVICORN_ARGS")
    )
    return tuple(line.split("=", 1)[1].split())


def test_rotating_x_forwarded_for_does_not_escape_the_public_limit(
    live_server: Callable[..., Server], mini_plan_dir: Path
) -> None:
    """Issue 15, finding 10: uvicorn believes X-Forwarded-For from 127.0.0.1 by default,
    so a local client claiming a new address per request was never limited. Served as
    ``make run`` serves, the limit counts the TCP peer."""
    body = mini_site(10, 10, 60, 60)

    def rotating(server: Server) -> list[int]:
        return [
            httpx.post(
                f"{server.url}/v1/precheck",
                json=body,
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
                timeout=30,
            ).status_code
            for i in range(5)
        ]

    as_make_run = live_server(
        mini_plan_dir, uvicorn_args=make_run_uvicorn_args(), public_rate_limit_per_minute="3"
    )
    assert rotating(as_make_run) == [201, 201, 201, 429, 429]
    # the cause, for the record: uvicorn's default trusts the header from loopback
    default = live_server(mini_plan_dir, public_rate_limit_per_minute="3")
    assert rotating(default) == [201] * 5


def test_an_ipv6_client_is_its_slash_64() -> None:
    assert client_network("2001:db8:1:2::1") == client_network("2001:db8:1:2:ffff::9")
    assert client_network("2001:db8:1:3::1") != client_network("2001:db8:1:2::1")
    assert client_network("::ffff:192.0.2.7") == "192.0.2.7" == client_network("192.0.2.7")
    limiter = RateLimiter(2)
    for i in range(2):
        limiter.check(f"2001:db8::{i + 1}")
    with pytest.raises(RateLimited):
        limiter.check("2001:db8::ffff")


# ---------------------------------------------------------------- fair share (issue 15, finding 3)


def test_an_unauthenticated_check_is_a_401_before_its_body_is_read(mini_api: Api) -> None:
    for body in (b"{not json", json.dumps(mini_site(10, 10, 60, 60)).encode()):
        r = mini_api.client.post(
            "/v1/checks", content=body, headers={"content-type": "application/json"}
        )
        assert r.status_code == 401, r.text


def test_a_client_over_its_public_limit_gets_429_whatever_it_sends(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    """The limit is taken before the body is read: an over-limit client's body, valid
    or not, large or not, is never parsed (it was parsed, then limited)."""
    api = make_api(mini_plan_dir, tmp_path / "var", public_rate_limit_per_minute=2)
    c = api.client
    assert [c.post("/v1/precheck", json=mini_site(10, 10, 60, 60)).status_code
            for _ in range(2)] == [201, 201]  # fmt: skip
    garbage = c.post("/v1/precheck", content=b"{" * 100_000,
                     headers={"content-type": "application/json"})  # fmt: skip
    assert garbage.status_code == 429 and garbage.headers["retry-after"]
    upload = c.post("/pages/upload", files={"file": ("site.geojson", b"{}")})
    assert upload.status_code == 429  # the public upload shares the limit
    keyed = c.post("/v1/precheck", json=mini_site(10, 10, 60, 60), headers=api.auth("staff"))
    assert keyed.status_code == 201


def test_an_upload_of_too_many_features_is_refused_before_they_are_read(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", max_upload_features=5)
    square = [[[123.60, -10.17], [123.601, -10.17], [123.601, -10.169], [123.60, -10.17]]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": square},
    }
    many = json.dumps({"type": "FeatureCollection", "features": [feature] * 6}).encode()
    r = api.client.post("/pages/upload", files={"file": ("site.geojson", many)})
    assert r.status_code == 413 and "6" in r.json()["detail"]
    few = json.dumps({"type": "FeatureCollection", "features": [feature] * 5}).encode()
    assert (
        api.client.post("/pages/upload", files={"file": ("site.geojson", few)}).status_code == 200
    )


# ---------------------------------------------------------------- limits before parsing (issue 15, 3)


def lonlat_ring(n: int, radius: float = 0.0002) -> list[list[float]]:
    """A ring of ``n`` vertices in the mini plan's area, in longitude/latitude."""
    from kkpr.site import to_crs

    x, y = X0 + 50, Y0 + 50
    import shapely

    centre = to_crs(shapely.Point(x, y), "EPSG:32751", "EPSG:4326")
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = [[centre.x + radius * np.cos(a), centre.y + radius * np.sin(a)] for a in angles]
    return [*pts, pts[0]]


def peak_bytes(run: Callable[[], httpx.Response]) -> tuple[httpx.Response, int]:
    """The answer of ``run`` and the most memory Python held above the start meanwhile."""
    import tracemalloc

    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        answer = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return answer, peak - start


def test_a_body_of_a_million_vertices_is_refused_before_it_becomes_objects(
    mini_api: Api,
) -> None:
    # the attack: a valid pre-check body just under the size limit, all vertices; parsed,
    # its ~800,000 positions would be ~100 MB of Python lists and floats
    limit = mini_api.state.settings.max_body_bytes
    n = (limit - 200) // 14
    coords = ",".join(["[123.6,-10.1]"] * n)
    raw = f'{{"site": {{"type": "Polygon", "coordinates": [[{coords}]]}}, "kbli": "47111"}}'
    body = raw.encode()
    assert len(body) < limit
    post = lambda: mini_api.client.post(  # noqa: E731
        "/v1/precheck", content=body, headers={"content-type": "application/json"}
    )
    r, peak = peak_bytes(post)
    assert r.status_code == 413, r.text
    assert r.json()["vertices"] == n and r.json()["where"] == "site.coordinates"
    # counted on the bytes: the body and its copies, never a list per position
    assert peak < 6 * len(body), f"{peak / 1e6:.0f} MB for a {len(body) / 1e6:.1f} MB body"


def test_a_site_of_too_many_separate_areas_is_refused_before_parsing(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", max_site_parts=3)
    squares = [[[[x + 0.001 * k, y] for x, y in lonlat_ring(4)]] for k in range(4)]
    four = {"type": "MultiPolygon", "coordinates": squares}
    r = api.client.post("/v1/precheck", json={"site": four, "kbli": "47111"})
    assert r.status_code == 413 and r.json()["parts"] == 4, r.text
    assert "bidang" in r.json()["message_id"]
    # spaces between the brackets hide nothing; holes are not parts
    spaced = json.dumps({"site": four, "kbli": "47111"}, indent=2).encode()
    r = api.client.post(
        "/v1/precheck", content=spaced, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["parts"] == 4
    three = {"type": "MultiPolygon", "coordinates": squares[:3]}
    assert api.client.post("/v1/precheck", json={"site": three, "kbli": "47111"}).status_code == 201


def test_a_large_pre_check_body_is_parsed_off_the_event_loop(
    mini_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from api import limits

    where: list[str] = []
    real = limits._parse

    def parse(*args: object, **kw: object) -> object:
        try:
            asyncio.get_running_loop()
            where.append("event loop")
        except RuntimeError:
            where.append("thread")
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(limits, "_parse", parse)
    big = {"site": {"type": "Polygon", "coordinates": [lonlat_ring(5000)]}, "kbli": "47111"}
    body = json.dumps(big).encode()
    assert len(body) > limits.PARSE_INLINE_BYTES
    r = mini_api.client.post(
        "/v1/precheck", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 201, r.text
    small = {"site": {"type": "Polygon", "coordinates": [lonlat_ring(8)]}, "kbli": "47111"}
    assert mini_api.client.post("/v1/precheck", json=small).status_code == 201
    assert where == ["thread", "event loop"]  # a small body costs less than a thread hop


def test_a_bad_large_body_is_a_422_like_any_other(mini_api: Api) -> None:
    big = {"site": {"type": "Polygon", "coordinates": [lonlat_ring(5000)]}, "kbli": 47111}
    r = mini_api.client.post(
        "/v1/precheck", content=json.dumps(big), headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][:2] == ["body", "kbli"] for e in r.json()["errors"]), r.json()
    broken = mini_api.client.post(
        "/v1/precheck",
        content=b'{"site": [' + b" " * 70_000,
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 422


def test_an_upload_of_a_million_vertices_is_refused_before_gdal_reads_it(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    import pyogrio

    from api.routers import pages

    api = make_api(mini_plan_dir, tmp_path / "var", max_site_vertices=1000)
    read: list[str] = []
    real = pyogrio.read_dataframe
    monkeypatch.setattr(
        pages.pyogrio, "read_dataframe", lambda *a, **k: read.append(str(a[0])) or real(*a, **k)
    )
    ring_ = lonlat_ring(3000)
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring_]},
    }
    geojson = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    r = api.client.post("/pages/upload", files={"file": ("site.geojson", geojson)})
    assert r.status_code == 413 and r.json()["vertices"] == 3001, r.text
    kml_coords = " ".join(f"{x},{y},0" for x, y in ring_)
    kml = (
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Polygon>'
        f"<outerBoundaryIs><LinearRing><coordinates>{kml_coords}</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark></kml>"
    ).encode()
    r = api.client.post("/pages/upload", files={"file": ("site.kml", kml)})
    assert r.status_code == 413 and r.json()["vertices"] == 3001, r.text
    # a zipped Shapefile: the .shp's size in the zip's directory bounds its points
    import geopandas as gpd
    import shapely

    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gpd.GeoDataFrame(geometry=[shapely.Polygon(ring_)], crs="EPSG:4326").to_file(
        shp_dir / "site.shp"
    )
    packed = tmp_path / "site.zip"
    with zipfile.ZipFile(packed, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    r = api.client.post("/pages/upload", files={"file": ("site.zip", packed.read_bytes())})
    assert r.status_code == 413 and r.json()["vertices"] > 1000, r.text
    assert read == []  # none of the three was read by GDAL
    small = json.dumps(
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [lonlat_ring(50)]},
        }
    ).encode()
    assert (
        api.client.post("/pages/upload", files={"file": ("site.geojson", small)}).status_code == 200
    )
    assert len(read) == 1


def test_a_refused_client_is_refused_again_without_asking_the_buckets() -> None:
    """A flood over its limit must not cost a database round trip per request: the
    refusal is remembered until the client's bucket can have refilled (issue 15, 3)."""
    from kkpr.records.ratelimit import MemoryBuckets

    class Counted(MemoryBuckets):
        asked = 0

        def take(self, *args: Any, **kw: Any) -> float | None:
            Counted.asked += 1
            return super().take(*args, **kw)

    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0], buckets=Counted())
    limiter.check("203.0.113.9")
    limiter.check("203.0.113.9")
    assert limiter.refused("203.0.113.9") is None
    with pytest.raises(RateLimited):
        limiter.check("203.0.113.9")
    assert Counted.asked == 3
    again = limiter.refused("203.0.113.9")
    assert again is not None and again.retry_after == 30  # one token at 2 per minute
    assert limiter.refused("203.0.113.10") is None  # another client is its own
    assert Counted.asked == 3
    now[0] += 30.0  # the bucket holds one token again: the buckets are asked
    assert limiter.refused("203.0.113.9") is None
    limiter.check("203.0.113.9")
    assert Counted.asked == 4
