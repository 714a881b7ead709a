"""The URL conf, the contract's route table and the OpenAPI schema agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from lms_project.tests.routes import ROUTES_FILE, contract_routes, urlconf_routes

# Routes we serve beyond the table: the browsable API's front page (contract section 1).
EXTRA_ROUTES = {"GET /api/v1"}


def test_vendored_route_table_matches_the_shared_contract():
    shared = Path(settings.BASE_DIR).parent / "shared" / "spec" / "routes.txt"
    if not shared.exists():
        pytest.skip("../shared/spec/routes.txt is not beside this checkout")
    assert ROUTES_FILE.read_text() == shared.read_text()


def test_every_served_route_is_in_the_contract():
    assert urlconf_routes() - EXTRA_ROUTES - contract_routes() == set()


def test_every_contract_route_is_served():
    expected = contract_routes()
    assert expected - urlconf_routes() == set()
    assert len(expected) == 72


@pytest.mark.django_db
def test_openapi_schema_documents_every_served_api_route(api_client):
    schema = api_client.get("/openapi.json").json()
    documented = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    served_api = {route for route in urlconf_routes() if " /api/v1/" in route}
    assert served_api - documented == set()
    assert not any(path.endswith("/") for path in schema["paths"] if path != "/")
