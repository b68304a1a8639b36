"""Request validation errors in Bahasa Indonesia beside pydantic's English: on a model of
our own, and through the API as a permit system or the pre-check form receives them."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core.core_schema import ErrorType

from api.validation import WORDS, message_id
from tests.api.conftest import Api, mini_site


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=5)]
    floors: Annotated[int, Field(ge=0, le=1000)]
    share: Annotated[float, Field(gt=0.5)]
    kind: Literal["a", "b"]


def errors_of(data: object) -> dict[str, dict[str, object]]:
    try:
        Form.model_validate(data)
    except ValidationError as exc:
        return {str(e["loc"][0]) if e["loc"] else "": dict(e) for e in exc.errors()}
    raise AssertionError("no error")


def test_every_listed_type_is_one_pydantic_knows() -> None:
    assert set(WORDS) <= set(get_args(ErrorType))


def test_errors_read_in_indonesian_with_their_limits() -> None:
    got = errors_of({"name": "panjang", "floors": -1, "share": 0.25, "kind": "c", "x": 1})
    said = {field: message_id(e) for field, e in got.items()}
    assert said == {
        "name": "terlalu panjang: paling banyak 5 karakter",
        "floors": "paling kecil 0",
        "share": "harus lebih dari 0,5",  # a decimal comma
        "kind": "harus salah satu dari 'a' atau 'b'",
        "x": "bidang ini tidak dikenal",
    }
    assert message_id(errors_of({})["name"]) == "wajib diisi"
    assert message_id(errors_of({"floors": "dua"})["floors"]) == "harus berupa bilangan bulat"


def test_an_unlisted_type_keeps_pydantic_english() -> None:
    error = {"type": "uuid_parsing", "msg": "Input should be a valid UUID", "ctx": {}}
    assert message_id(error) == "Input should be a valid UUID"
    # a listed type whose ctx lacks the value it names
    assert message_id({"type": "greater_than", "msg": "Input should be big"}) == (
        "Input should be big"
    )


def test_the_api_answers_each_field_in_both_languages(mini_api: Api) -> None:
    body = {**mini_site(10, 10, 60, 60), "proposal": {"floors": -1}, "colour": "biru"}
    r = mini_api.check(body)
    assert r.status_code == 422
    problem = r.json()
    errors = {".".join(e["loc"]): e for e in problem["errors"]}
    assert errors["body.proposal.floors"]["message_id"] == "paling kecil 0"
    assert errors["body.proposal.floors"]["message_en"] == errors["body.proposal.floors"]["msg"]
    assert errors["body.colour"]["message_id"] == "bidang ini tidak dikenal"
    first = problem["errors"][0]
    assert problem["message_id"] == f"Permintaan tidak sesuai skema: {first['message_id']}"
    assert problem["message_en"] == f"The request does not match the schema: {first['msg']}"


def test_a_body_that_is_not_json_is_named_so(mini_api: Api) -> None:
    r = mini_api.client.post(
        "/v1/checks",
        content=b'{"site": ',
        headers={**mini_api.auth("staff"), "content-type": "application/json"},
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["message_id"] == "Isi permintaan bukan JSON yang sah"
    assert problem["message_en"] == "The request body is not valid JSON"
    assert problem["errors"][0]["message_id"] == "bukan JSON yang sah"
