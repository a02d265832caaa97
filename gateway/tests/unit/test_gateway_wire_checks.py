from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from gateway.schemas.common import RequestBody
from gateway.schemas.wire import INT32_MAX, INT64_MAX


class Sample(RequestBody):
    version: int | None = None
    daily_limit: int = Field(default=0, le=INT64_MAX)
    name: str = ""
    tags: list[str] = []
    custom_fields: dict[str, object] = {}


def _refused_field(**values: object) -> str:
    with pytest.raises(ValidationError) as refused:
        Sample(**values)
    return ".".join(str(part) for part in refused.value.errors()[0]["loc"])


def test_integers_must_fit_int32_unless_the_field_declares_its_bounds() -> None:
    assert Sample(version=INT32_MAX).version == INT32_MAX
    assert _refused_field(version=INT32_MAX + 1) == "version"
    assert _refused_field(version=-(2**31) - 1) == "version"
    assert Sample(daily_limit=2**40).daily_limit == 2**40
    assert _refused_field(daily_limit=INT64_MAX + 1) == "daily_limit"


def test_text_must_be_storable_at_any_depth() -> None:
    assert Sample(name="ünïcödé 🙂", tags=["a"], custom_fields={"k": ["v"]}).name
    assert _refused_field(name="a\x00b") == "name"
    assert _refused_field(name="\ud800") == "name"
    assert _refused_field(tags=["ok", "\x00"]) == "tags"
    assert _refused_field(custom_fields={"k": {"deep": ["\udfff"]}}) == "custom_fields"
    assert _refused_field(custom_fields={"\x00": 1}) == "custom_fields"


def test_openapi_shows_the_int32_bounds() -> None:
    props = Sample.model_json_schema()["properties"]
    assert {"minimum": -(2**31), "maximum": INT32_MAX, "type": "integer"}.items() <= (
        props["version"]["anyOf"][0].items()
    )
    assert props["daily_limit"]["maximum"] == INT64_MAX
