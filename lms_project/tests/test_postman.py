"""The Postman collection is generated from the OpenAPI schema and covers every operation."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _requests(collection: dict) -> list[dict]:
    return [item for folder in collection["item"] for item in folder["item"]]


def test_collection_has_every_operation_with_bearer_auth_and_token_scripts(tmp_path, api_client, settings):
    call_command("generate_postman_collection", output_dir=str(tmp_path), stdout=io.StringIO())
    collection = json.loads((tmp_path / f"{settings.PROJECT_NAME}.postman_collection.json").read_text())
    environment = json.loads((tmp_path / f"{settings.PROJECT_NAME}.postman_environment.json").read_text())

    schema = api_client.get("/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in {"get", "post", "put", "patch", "delete"}
    }
    requests = _requests(collection)
    generated = {
        (
            r["request"]["method"],
            "/" + "/".join(r["request"]["url"]["path"]).replace("{{", "{").replace("}}", "}"),
        )
        for r in requests
    }
    assert generated == operations
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert collection["auth"]["bearer"][0]["value"] == "{{access_token}}"

    login = next(r for r in requests if r["request"]["url"]["path"][-2:] == ["auth", "login"])
    script = "\n".join(login["event"][0]["script"]["exec"])
    assert 'pm.environment.set("access_token"' in script
    assert login["request"]["auth"] == {"type": "noauth"}
    assert json.loads(login["request"]["body"]["raw"])["email"] == "student@lms.local"

    me = next(r for r in requests if r["request"]["url"]["path"][-2:] == ["auth", "me"])
    assert "auth" not in me["request"]  # inherits the collection's bearer auth

    keys = {value["key"] for value in environment["values"]}
    assert {"base_url", "access_token", "refresh_token", "course_id"} <= keys
