"""The OpenAPI document and its reference pages are served by the product, assets included."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders


def test_the_document_describes_every_endpoint_and_its_problems(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/api/v1/works/" in paths
    assert "/api/v1/cases/{reference}/events/" in paths
    upload = paths["/api/v1/works/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "Idempotency-Key" in [p["name"] for p in upload["parameters"]]
    problem = upload["responses"]["429"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_reference_pages_load_their_assets_locally(client):
    for page in ("/api/v1/docs/", "/api/v1/explorer/"):
        html = client.get(page).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        scripts = [s for s in sources if s.endswith(".js")]
        assert scripts, page
        for source in sources:
            assert not source.startswith(("http://", "https://", "//")), (page, source)
        for script in scripts:
            assert finders.find(script.removeprefix("/static/")), script
