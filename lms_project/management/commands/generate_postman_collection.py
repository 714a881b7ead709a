"""`manage.py generate_postman_collection`: a Postman collection and environment from the OpenAPI schema.

Every operation of `/openapi.json` becomes a request, grouped in folders by tag, with the schema's
example body. The collection authenticates with `Bearer {{access_token}}`; the login, register and
refresh requests carry a test script that stores the returned tokens in the environment, so "log
in, then call anything" works without copying tokens by hand.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from drf_spectacular.generators import SchemaGenerator

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "patch", "delete")
TOKEN_SCRIPT = [
    "if (pm.response.code < 300) {",
    "  const body = pm.response.json();",
    "  if (body.tokens) {",
    '    pm.environment.set("access_token", body.tokens.access_token);',
    '    pm.environment.set("refresh_token", body.tokens.refresh_token);',
    "  }",
    "}",
]
TOKEN_ENDPOINTS = ("/auth/login", "/auth/register", "/auth/refresh")


def _example_from_schema(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A small example value for a schema without examples (required fields only)."""
    if depth > 4:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _example_from_schema(components.get(name, {}), components, depth + 1)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key):
            return _example_from_schema(schema[key][0], components, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", list(schema.get("properties", {})))
        return {
            name: _example_from_schema(prop, components, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required and not prop.get("readOnly")
        }
    if kind == "array":
        return [_example_from_schema(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    return {"uuid": "{{id}}", "email": "user@example.com", "date-time": "2026-01-01T00:00:00Z"}.get(
        fmt, "string"
    )


def _body(operation: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        media = content["application/json"]
        examples = media.get("examples") or {}
        if examples:
            value = next(iter(examples.values())).get("value")
        else:
            value = _example_from_schema(media.get("schema", {}), components)
        return {"mode": "raw", "raw": json.dumps(value, indent=2), "options": {"raw": {"language": "json"}}}
    if "multipart/form-data" in content:
        schema = content["multipart/form-data"].get("schema", {})
        if "$ref" in schema:
            schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        fields = []
        for name, prop in schema.get("properties", {}).items():
            if prop.get("format") == "binary":
                fields.append({"key": name, "type": "file", "src": []})
            else:
                fields.append(
                    {
                        "key": name,
                        "type": "text",
                        "value": "",
                        "disabled": name not in schema.get("required", []),
                    }
                )
        return {"mode": "formdata", "formdata": fields}
    return None


def _is_public(operation: dict[str, Any]) -> bool:
    return not any("jwtAuth" in requirement for requirement in operation.get("security", [{}]))


def build(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    components = schema.get("components", {}).get("schemas", {})
    folders: dict[str, list[dict[str, Any]]] = {}
    path_variables: set[str] = set()
    for path, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            segments = [s for s in path.strip("/").split("/") if s]
            postman_segments = []
            for segment in segments:
                if segment.startswith("{") and segment.endswith("}"):
                    path_variables.add(segment[1:-1])
                    postman_segments.append("{{" + segment[1:-1] + "}}")
                else:
                    postman_segments.append(segment)
            raw = "{{base_url}}/" + "/".join(postman_segments)
            request: dict[str, Any] = {
                "method": method.upper(),
                "header": [{"key": "Accept", "value": "application/json"}],
                "url": {"raw": raw, "host": ["{{base_url}}"], "path": postman_segments},
                "description": operation.get("description") or operation.get("summary", ""),
            }
            body = _body(operation, components)
            if body is not None:
                request["body"] = body
                if body["mode"] == "raw":
                    request["header"].append({"key": "Content-Type", "value": "application/json"})
            if _is_public(operation):
                request["auth"] = {"type": "noauth"}
            item: dict[str, Any] = {
                "name": operation.get("summary") or f"{method.upper()} {path}",
                "request": request,
            }
            if method == "post" and path.endswith(TOKEN_ENDPOINTS):
                item["event"] = [
                    {"listen": "test", "script": {"type": "text/javascript", "exec": TOKEN_SCRIPT}}
                ]
            folders.setdefault((operation.get("tags") or ["other"])[0], []).append(item)
    name = settings.PROJECT_NAME
    collection = {
        "info": {
            "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/collection")),
            "name": name,
            "description": schema.get("info", {}).get("description", ""),
            "schema": SCHEMA_URL,
        },
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{access_token}}", "type": "string"}],
        },
        "variable": [{"key": "base_url", "value": "http://127.0.0.1:8000"}],
        "item": [{"name": tag, "item": items} for tag, items in sorted(folders.items())],
    }
    environment = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/environment")),
        "name": f"{name} (local)",
        "values": [
            {"key": "base_url", "value": "http://127.0.0.1:8000", "type": "default", "enabled": True},
            {"key": "access_token", "value": "", "type": "secret", "enabled": True},
            {"key": "refresh_token", "value": "", "type": "secret", "enabled": True},
            *(
                {"key": var, "value": "", "type": "default", "enabled": True}
                for var in sorted(path_variables)
            ),
        ],
        "_postman_variable_scope": "environment",
    }
    return collection, environment


class Command(BaseCommand):
    help = "Write the Postman collection and environment for the API, generated from the OpenAPI schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", default=str(Path(settings.BASE_DIR) / "postman"))

    def handle(self, *args: Any, **options: Any) -> None:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        collection, environment = build(json.loads(json.dumps(schema, default=str)))
        out = Path(options["output_dir"])
        out.mkdir(parents=True, exist_ok=True)
        name = settings.PROJECT_NAME
        for suffix, document in (("postman_collection", collection), ("postman_environment", environment)):
            path = out / f"{name}.{suffix}.json"
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {path}")
        requests = sum(len(folder["item"]) for folder in collection["item"])
        self.stdout.write(self.style.SUCCESS(f"{requests} requests in {len(collection['item'])} folders"))
