"""Checks over HTTP as the permit system uses them: keys, idempotency, read-back, audit.

Hand-worked answers of the mini plan (tests/mini_plan.py): a site inside Z1 (K-1) for
a minimarket (47111) is ``sesuai``; inside Z2 (R-2) the cell is T1 (floor area at
most 200 m²); inside Z3 (RTH-2) it is X.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api import fastpath
from api.schemas import CheckIn
from kkpr.db.sql import sql
from kkpr.settings import Settings
from tests.api.conftest import Api, make_api, mini_site
from tests.mini_plan import CRS, X0, Y0

Z1 = mini_site(10, 10, 60, 60)  # K-1, minimarket: I
Z2 = mini_site(110, 10, 160, 60, proposal={"floor_area_m2": 150})  # R-2, T1 met
Z3 = mini_site(210, 10, 240, 60)  # RTH-2: X


def canonical_hash(record: dict) -> str:
    text = json.dumps(
        {"inputs": record["inputs"], "result": record["result"]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- both stores


def test_check_is_answered_stored_and_read_back_unchanged(api: Api) -> None:
    r = api.check(Z1)
    assert r.status_code == 201, r.text
    record = r.json()
    assert record["result"]["outcome"] == "sesuai"
    assert record["result"]["parts"][0]["kodszn"] == "K-1"
    assert record["plan_id"] == "mini" and record["plan_version"]
    assert record["caller"].startswith("key:") and record["caller_role"] == "permit_system"
    assert r.headers["location"] == f"/v1/checks/{record['id']}"
    assert canonical_hash(record) == record["content_hash"]

    back = api.client.get(r.headers["location"], headers=api.auth("permit_system"))
    assert back.status_code == 200
    assert back.content == r.content  # byte for byte
    # the check log lives beside the store: PostgreSQL with PostGIS, SQLite otherwise
    assert api.state.check_log.db.dialect == ("postgresql" if api.kind == "postgis" else "sqlite")


def canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_answers_are_the_canonical_json_of_the_stored_records(api: Api) -> None:
    one = api.check({**Z2, "ref": "Tanah – milik sendiri"})
    assert one.status_code == 201 and one.content == canonical_json(one.json())
    batch = api.client.post(
        "/v1/checks/batch", json={"checks": [Z3, Z1]}, headers=api.auth("permit_system")
    )
    assert batch.status_code == 201 and batch.content == canonical_json(batch.json())
    for record in batch.json()["checks"]:
        back = api.client.get(f"/v1/checks/{record['id']}", headers=api.auth("staff"))
        assert back.content == canonical_json(record)


def test_a_busy_app_checks_in_the_threadpool_and_answers_the_same(mini_api: Api) -> None:
    idle = mini_api.check(Z2)
    mini_api.state.in_flight += 3  # as if three other requests were being served
    try:
        busy = mini_api.check(Z2)
    finally:
        mini_api.state.in_flight -= 3
    assert idle.status_code == busy.status_code == 201
    a, b = idle.json(), busy.json()
    assert a["id"] != b["id"] and a["result"] == b["result"]
    assert a["content_hash"] == b["content_hash"]  # same inputs and result, same hash
    assert mini_api.state.in_flight == 0


def test_outcomes_of_the_hand_worked_sites(api: Api) -> None:
    outcomes = [api.check(body).json()["result"]["outcome"] for body in (Z1, Z2, Z3)]
    assert outcomes == ["sesuai", "sesuai_bersyarat", "tidak_sesuai"]


def test_same_idempotency_key_and_body_returns_the_stored_result(api: Api) -> None:
    first = api.check(Z1, **{"Idempotency-Key": "oss-0001"})
    again = api.check(Z1, **{"Idempotency-Key": "oss-0001"})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content


def test_same_idempotency_key_with_another_body_is_a_conflict(api: Api) -> None:
    assert api.check(Z1, **{"Idempotency-Key": "oss-0002"}).status_code == 201
    r = api.check(Z2, **{"Idempotency-Key": "oss-0002"})
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/conflict")


def test_idempotency_keys_belong_to_their_caller(api: Api) -> None:
    a = api.check(Z1, "permit_system", **{"Idempotency-Key": "shared"})
    b = api.check(Z2, "staff", **{"Idempotency-Key": "shared"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_concurrent_retries_store_one_check(api: Api) -> None:
    def send(_: int) -> str:
        r = api.check(Z2, **{"Idempotency-Key": "race-1"})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(send, range(8)))
    assert len(ids) == 1


def test_without_key_401_with_wrong_role_403(api: Api) -> None:
    r = api.client.post("/v1/checks", json=Z1)
    assert r.status_code == 401 and r.json()["type"].endswith("/unauthenticated")
    assert "www-authenticate" in r.headers
    r = api.client.post("/v1/checks", json=Z1, headers={"X-API-Key": "kkpr_nope_nope"})
    assert r.status_code == 401
    r = api.check(Z1, role="public")
    assert r.status_code == 403 and r.json()["type"].endswith("/forbidden")
    r = api.client.post(
        "/v1/checks", json=Z1, headers={"Authorization": f"Bearer {api.keys['staff']}"}
    )
    assert r.status_code == 201


def test_reading_a_check_needs_a_key(api: Api) -> None:
    record = api.check(Z1).json()
    assert api.client.get(f"/v1/checks/{record['id']}").status_code == 401
    assert api.client.get("/v1/checks/nope", headers=api.auth("staff")).status_code == 404


def test_batch_checks_in_request_order(api: Api) -> None:
    r = api.client.post(
        "/v1/checks/batch", json={"checks": [Z3, Z1, Z2]}, headers=api.auth("permit_system")
    )
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["count"] == 3
    assert [c["result"]["outcome"] for c in data["checks"]] == [
        "tidak_sesuai",
        "sesuai",
        "sesuai_bersyarat",
    ]
    for c in data["checks"]:
        assert c["batch_id"] == data["batch_id"]
        back = api.client.get(f"/v1/checks/{c['id']}", headers=api.auth("staff")).json()
        assert back == c


def test_correction_is_a_new_record_pointing_to_the_old(api: Api) -> None:
    original = api.check(Z1).json()
    r = api.client.post(
        f"/v1/checks/{original['id']}/corrections",
        json={"reason": "KBLI salah / wrong KBLI", "kbli": "01121"},
        headers=api.auth("staff"),
    )
    assert r.status_code == 201, r.text
    fixed = r.json()
    assert fixed["kind"] == "correction" and fixed["corrects"] == original["id"]
    assert fixed["result"]["outcome"] == "tidak_sesuai"  # farming in K-1 is X
    assert fixed["inputs"]["site"] == original["inputs"]["site"]
    old = api.client.get(f"/v1/checks/{original['id']}", headers=api.auth("staff"))
    assert old.json() == original  # unchanged
    assert f'</v1/checks/{fixed["id"]}>; rel="successor-version"' in old.headers["link"]


def test_corrections_are_for_staff_only(api: Api) -> None:
    original = api.check(Z1).json()
    r = api.client.post(
        f"/v1/checks/{original['id']}/corrections",
        json={"reason": "mencoba / trying"},
        headers=api.auth("permit_system"),
    )
    assert r.status_code == 403


def test_public_precheck_needs_no_key_and_hides_the_address(api: Api) -> None:
    r = api.client.post("/v1/precheck", json=Z1)
    assert r.status_code == 201, r.text
    record = r.json()
    assert record["kind"] == "precheck" and record["caller_role"] == "public"
    assert record["caller"].startswith("public:") and "testclient" not in record["caller"]
    back = api.client.get(f"/v1/checks/{record['id']}", headers=api.auth("staff"))
    assert back.content == r.content


# ---------------------------------------------------------------- memory store only


def test_unknown_kbli_is_a_422_with_near_codes(mini_api: Api) -> None:
    r = mini_api.check(mini_site(10, 10, 60, 60, kbli="47112"))
    assert r.status_code == 422
    body = r.json()
    assert body["type"].endswith("/unknown-activity")
    assert "47111" in [s["kode"] for s in body["suggestions"]]
    assert body["message_id"] and body["message_en"]


def test_site_outside_the_plan_is_a_422(mini_api: Api) -> None:
    r = mini_api.check({"site": {"type": "Point", "coordinates": [106.8, -6.2]}, "kbli": "47111"})
    assert r.status_code == 422 and r.json()["type"].endswith("/site-outside-plan")


def test_batch_failures_list_every_bad_item_and_store_nothing(mini_api: Api) -> None:
    outside = {"site": {"type": "Point", "coordinates": [106.8, -6.2]}, "kbli": "47111"}
    bad_kbli = {**Z2, "kbli": "99999", "ref": "B-2"}
    r = mini_api.client.post(
        "/v1/checks/batch",
        json={"checks": [Z1, outside, bad_kbli]},
        headers=mini_api.auth("permit_system"),
    )
    assert r.status_code == 422
    body = r.json()
    assert body["type"].endswith("/batch-invalid")
    assert [(f["index"], f["kind"]) for f in body["failures"]] == [
        (1, "site-outside-plan"),
        (2, "unknown-activity"),
    ]
    assert body["failures"][1]["ref"] == "B-2"
    with mini_api.state.check_log.db.transaction() as tx:
        assert tx.query(sql("SELECT count(*) AS n FROM check_log")) == [{"n": 0}]


def test_batch_over_the_limit_is_a_413(mini_plan_dir: Path, tmp_path: Path) -> None:
    from tests.api.conftest import make_api

    small = make_api(mini_plan_dir, tmp_path / "var", max_batch_sites=3)
    r = small.client.post(
        "/v1/checks/batch", json={"checks": [Z1] * 4}, headers=small.auth("staff")
    )
    assert r.status_code == 413 and r.json()["limit"] == 3
    ok = small.client.post(
        "/v1/checks/batch", json={"checks": [Z1] * 3}, headers=small.auth("staff")
    )
    assert ok.status_code == 201


def test_batch_idempotency(mini_api: Api) -> None:
    headers = {**mini_api.auth("permit_system"), "Idempotency-Key": "batch-7"}
    first = mini_api.client.post("/v1/checks/batch", json={"checks": [Z1, Z2]}, headers=headers)
    again = mini_api.client.post("/v1/checks/batch", json={"checks": [Z1, Z2]}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    other = mini_api.client.post("/v1/checks/batch", json={"checks": [Z2]}, headers=headers)
    assert other.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"site": {"type": "Polygon", "coordinates": "abc"}, "kbli": "47111"},
        {"site": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "kbli": "47111"},
        {"site": {"type": "Feature", "geometry": 5}, "kbli": "47111"},
        {"site": {"type": "Point", "coordinates": [123.6]}, "kbli": "47111"},
        {"site": {"type": "Point", "coordinates": [123.6, -10.2]}, "kbli": "47111", "crs": "x"},
        {"site": {"type": "Point", "coordinates": [123.6, -10.2]}, "kbli": "47111", "x": 1},
        {"site": {"type": "Point", "coordinates": [123.6, -10.2]}},
        {
            "site": {"type": "Point", "coordinates": [123.6, -10.2]},
            "kbli": "47111",
            "proposal": {"floors": -1},
        },
    ],
)
def test_malformed_bodies_are_422_problems(mini_api: Api, body: dict) -> None:
    r = mini_api.check(body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/request-invalid")
    assert r.json()["where"].startswith("body")


def test_invalid_json_is_a_422_problem(mini_api: Api) -> None:
    r = mini_api.client.post(
        "/v1/checks",
        content=b'{"site": {"type": "Point", "coordinates": [NaN, 1]}, "kbli": "4',
        headers={**mini_api.auth("staff"), "content-type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["type"].endswith("/request-invalid")


def test_non_finite_feature_properties_are_stored_as_null(mini_api: Api) -> None:
    # JSON parsers accept NaN and Infinity; the stored inputs are strict JSON all the same
    feature = {"type": "Feature", "geometry": Z1["site"], "properties": {"a": 1.5, "b": "x"}}
    text = json.dumps({**Z1, "site": feature}).replace("1.5", "NaN").replace('"x"', "-Infinity")
    r = mini_api.client.post(
        "/v1/checks",
        content=text.encode(),
        headers={**mini_api.auth("staff"), "content-type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert b"NaN" not in r.content and b"Infinity" not in r.content
    record = r.json()
    assert record["inputs"]["site"]["properties"] == {"a": None, "b": None}
    assert canonical_hash(record) == record["content_hash"]


def test_self_crossing_site_is_a_422_naming_the_problem(mini_api: Api) -> None:
    corners = [(10, 10), (60, 60), (60, 10), (10, 60), (10, 10)]
    bowtie = {"type": "Polygon", "coordinates": [[[X0 + x, Y0 + y] for x, y in corners]]}
    r = mini_api.check({"site": bowtie, "crs": "EPSG:32751", "kbli": "47111"})
    assert r.status_code == 422
    assert r.json()["type"].endswith("/site-invalid")
    assert "crosses itself near -10." in r.json()["message_en"]  # a place a person can find
    assert "memotong dirinya sendiri" in r.json()["message_id"]
    assert r.json()["reason"].startswith("Self-intersection")


xs = st.floats(-60, 360, allow_nan=False)
ys = st.floats(-60, 260, allow_nan=False)
points = st.tuples(xs, ys).map(lambda p: [X0 + p[0], Y0 + p[1]])
rings = st.lists(points, min_size=3, max_size=12).map(lambda r: [*r, r[0]])
sites = st.one_of(
    points.map(lambda p: {"type": "Point", "coordinates": p}),
    rings.map(lambda r: {"type": "Polygon", "coordinates": [r]}),
    st.lists(rings, min_size=1, max_size=3).map(
        lambda rs: {"type": "MultiPolygon", "coordinates": [[r] for r in rs]}
    ),
)
figures = st.one_of(st.none(), st.floats(0, 1e7, allow_nan=False))
proposals = st.fixed_dictionaries(
    {},
    optional={
        "land_area_m2": figures,
        "footprint_m2": figures,
        "floor_area_m2": figures,
        "floors": st.one_of(st.none(), st.integers(0, 1000)),
        "height_m": figures,
    },
)


@given(
    site=sites,
    kbli=st.sampled_from(["47111", "56101", "01121", "4711", "99999"]),
    proposal=proposals,
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_odd_sites_on_the_plan_never_break_the_service(
    mini_api: Api, site: dict, kbli: str, proposal: dict
) -> None:
    """Self-crossing rings, slivers, points on edges, huge figures: 201 or a 4xx problem."""
    r = mini_api.check({"site": site, "crs": CRS, "kbli": kbli, "proposal": proposal})
    assert r.status_code in (201, 413, 422), r.text
    if r.status_code == 201:
        record = r.json()
        assert record["result"]["outcome"] in (
            "sesuai",
            "sesuai_bersyarat",
            "tidak_sesuai",
            "perlu_kajian",
        )
        assert canonical_hash(record) == record["content_hash"]
    else:
        assert r.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------- the Kupang sample

KUPANG_EXPECTED = {  # from zoning_data/kupang/examples/README.md (worked out by its generator)
    "k1_minimarket": "sesuai",
    "rth_minimarket_dilarang": "tidak_sesuai",
    "r_minimarket_terbatas": "sesuai_bersyarat",
    "sempadan_pantai": "tidak_sesuai",
}


def kupang_body(kupang_dir: Path, name: str) -> dict:
    feature = json.loads((kupang_dir / "examples" / f"{name}.geojson").read_text())
    return {"site": feature, "kbli": feature["properties"]["kbli"], "ref": name}


def test_kupang_examples_as_the_permit_system_sends_them(kupang_api: Api, kupang_dir: Path) -> None:
    for name, outcome in KUPANG_EXPECTED.items():
        r = kupang_api.check(kupang_body(kupang_dir, name))
        assert r.status_code == 201, (name, r.text)
        assert r.json()["result"]["outcome"] == outcome, name
        assert r.json()["plan_id"] == "kupang-rdtr"


def test_kupang_batch_of_every_example_reads_back_unchanged(
    kupang_api: Api, kupang_dir: Path
) -> None:
    names = sorted(p.stem for p in (kupang_dir / "examples").glob("*.geojson"))
    r = kupang_api.client.post(
        "/v1/checks/batch",
        json={"checks": [kupang_body(kupang_dir, n) for n in names]},
        headers=kupang_api.auth("permit_system"),
    )
    assert r.status_code == 201, r.text
    records = r.json()["checks"]
    assert [c["inputs"]["ref"] for c in records] == names
    for c in records:
        if c["inputs"]["ref"] in KUPANG_EXPECTED:
            assert c["result"]["outcome"] == KUPANG_EXPECTED[c["inputs"]["ref"]]
        back = kupang_api.client.get(f"/v1/checks/{c['id']}", headers=kupang_api.auth("staff"))
        assert back.json() == c and canonical_hash(back.json()) == c["content_hash"]


# ---------------------------------------------------------------- the fast path


def _answer(r: Any) -> tuple[int, Any]:
    """What must not depend on the path taken: the status and the body, but for the
    record's own id, time and the problem's instance."""
    body = r.json() if r.headers.get("content-type", "").endswith("json") else r.text
    if isinstance(body, dict):
        body = {
            k: v for k, v in body.items() if k not in {"id", "created_at", "instance", "caller"}
        }
    return r.status_code, body


def _requests(key: str) -> list[tuple[str, dict[str, str], bytes]]:
    good = json.dumps(Z2).encode()
    ok = {"X-API-Key": key, "Content-Type": "application/json"}
    return [
        ("plain", ok, good),
        ("idempotent", {**ok, "Idempotency-Key": "oss-1"}, good),
        ("idempotent again", {**ok, "Idempotency-Key": "oss-1"}, good),
        ("key reused", {**ok, "Idempotency-Key": "oss-1"}, json.dumps(Z1).encode()),
        ("charset", {**ok, "Content-Type": "application/json; charset=utf-8"}, good),
        ("charset, Java", {**ok, "Content-Type": "application/json;charset=UTF-8"}, good),
        ("charset latin-1", {**ok, "Content-Type": "application/json; charset=latin-1"}, good),
        ("bad idempotency key", {**ok, "Idempotency-Key": "kunci spasi"}, good),
        ("long idempotency key", {**ok, "Idempotency-Key": "k" * 256}, good),
        ("text/plain", {**ok, "Content-Type": "text/plain"}, good),
        ("+json", {**ok, "Content-Type": "application/geo+json"}, good),
        ("no content type", {"X-API-Key": key}, good),
        ("utf-16", {**ok, "Content-Type": "application/json"}, json.dumps(Z2).encode("utf-16")),
        ("bom", ok, b"\xef\xbb\xbf" + good),
        ("nan", ok, good.replace(b'"floor_area_m2": 150', b'"floor_area_m2": NaN')),
        ("duplicate keys", ok, good[:-1] + b', "kbli": "56101"}'),
        ("missing kbli", ok, json.dumps({k: v for k, v in Z2.items() if k != "kbli"}).encode()),
        ("extra field", ok, json.dumps({**Z2, "warna": "merah"}).encode()),
        ("not json", ok, b"{site: 1"),
        ("empty", ok, b""),
        ("no key", {"Content-Type": "application/json"}, good),
        ("wrong key", {**ok, "X-API-Key": "kkpr_salah.salah"}, good),
    ]


def test_the_fast_path_answers_as_the_generic_path_does(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same requests to an app with the fast path (the default) and to one with the
    setting ``check_fast_path`` off: the same answers, and only the plainly well-formed
    requests took the fast path."""
    taken: list[bool] = []
    plainly = fastpath.plainly_well_formed

    async def spy(request: Any) -> Any:
        body = await plainly(request)
        taken.append(body is not None)
        return body

    monkeypatch.setattr(fastpath, "plainly_well_formed", spy)
    fast_api = make_api(mini_plan_dir, tmp_path / "fast")
    assert fast_api.state.settings.check_fast_path  # on by default
    fast = [
        _answer(fast_api.client.post("/v1/checks", content=b, headers=h))
        for _, h, b in _requests(fast_api.auth("permit_system")["X-API-Key"])
    ]
    fast_taken = list(taken)
    generic_api = make_api(mini_plan_dir, tmp_path / "generic", check_fast_path=False)
    requests = _requests(generic_api.auth("permit_system")["X-API-Key"])
    generic = [
        _answer(generic_api.client.post("/v1/checks", content=b, headers=h)) for _, h, b in requests
    ]
    assert taken == fast_taken  # the setting off: the fast path never looked at a request
    for (name, _, _), f, g in zip(requests, fast, generic, strict=True):
        assert f == g, name
    # the well-formed requests took the fast path, and only they; the last two, without
    # a valid key, were answered 401 before their body was read (issue 15, finding 3)
    assert [name for name, _, _ in requests[-2:]] == ["no key", "wrong key"]
    keyed = requests[:-2]
    fast_names = [name for (name, _, _), t in zip(keyed, fast_taken, strict=True) if t]
    assert fast_names == [
        "plain",
        "idempotent",
        "idempotent again",
        "key reused",
        "charset",
        "charset, Java",
        "duplicate keys",
    ]
    assert [s for s, _ in fast[:4]] == [201, 201, 201, 409]


def test_the_setting_reads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KKPR_CHECK_FAST_PATH", "0")
    assert Settings().check_fast_path is False
    monkeypatch.setenv("KKPR_CHECK_FAST_PATH", "1")
    assert Settings().check_fast_path is True


_json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["47111", "EPSG:32751", "Point", "Polygon"])
)
_json = st.recursive(
    _json_leaves,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=20,
)
_bodies = st.fixed_dictionaries(
    {"site": st.just(Z2["site"]), "kbli": st.just("47111") | _json},
    optional={
        "proposal": st.dictionaries(
            st.sampled_from(["floors", "floor_area_m2", "footprint_m2", "height_m", "x"]), _json
        ),
        "crs": st.sampled_from([CRS, "EPSG:4326", "EPSG:1", None]) | _json,
        "ref": _json,
        "plan_id": _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(_bodies, st.sampled_from([json.dumps, lambda v: json.dumps(v, ensure_ascii=False)]))
def test_a_body_validated_by_pydantic_json_is_the_model_fastapi_makes(
    value: dict, dumps: Callable[[Any], str]
) -> None:
    raw = dumps(value).encode()
    try:
        fast = CheckIn.model_validate_json(raw)
    except ValidationError:
        return  # the fast path declines: the generic path answers
    assert fast == CheckIn.model_validate(json.loads(raw))


def test_a_request_that_lost_the_race_for_its_idempotency_key_says_it_replays(
    mini_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15, finding 11: two requests with one Idempotency-Key at once both find no
    earlier record, both check, and the second to store gets the first's record: it
    answered without ``Idempotent-Replayed``. The race, made certain: the early lookup
    finds nothing for the second request."""
    body = mini_site(10, 10, 60, 60)
    headers = {**mini_api.auth("permit_system"), "Idempotency-Key": "race-1"}
    first = mini_api.client.post("/v1/checks", json=body, headers=headers)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    real_replay = mini_api.state.check_log.replay
    calls: list[int] = []

    def late(caller: str, idem: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real_replay(caller, idem)  # raced, then found

    monkeypatch.setattr(mini_api.state.check_log, "replay", late)
    second = mini_api.client.post("/v1/checks", json=body, headers=headers)
    assert len(calls) == 2  # the early lookup, then the one after losing the race
    assert second.status_code == 201 and second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]


# ---------------------------------------------------------------- the building drawn


def test_a_drawn_building_is_checked_and_one_outside_the_site_is_a_clear_422(
    tmp_path: Path,
) -> None:
    from tests.mini_plan import site
    from tests.roads_plan import write_roads_plan

    api = make_api(write_roads_plan(tmp_path / "roads"), tmp_path / "var")
    # 5 m behind the lot line facing Jalan Uji Arteri (GSB 10 m): 5 m over the line
    r = api.check(mini_site(30, 0, 80, 40, proposal={"footprint": site(35, 5, 75, 35)}))
    assert r.status_code == 201, r.text
    result = r.json()["result"]
    assert result["outcome"] == "tidak_sesuai"
    assert result["setbacks"][0]["nama"] == "Jalan Uji Arteri"
    assert result["setbacks"][0]["short_m"] == pytest.approx(5.0)
    assert result["proposal"]["footprint_m2"] == pytest.approx(1200.0)
    # half of it beyond the east lot line
    r = api.check(mini_site(30, 0, 80, 40, proposal={"footprint": site(70, 10, 90, 30)}))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["where"] == "proposal.footprint"
    assert "200.00 m²" in problem["detail"] or "200,00 m²" in problem["detail"]
    # not a polygon: refused by the schema, with its place
    r = api.check(mini_site(30, 0, 80, 40, proposal={"footprint": {"type": "Point",
                                                                 "coordinates": [0, 0]}}))  # fmt: skip
    assert r.status_code == 422 and "footprint" in r.text
