"""GET /draw and /docs work offline: no external URL, every asset served locally."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.errors import ERROR_CODES

URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def assert_offline(html: str) -> None:
    lowered = html.lower()
    assert "cdn" not in lowered
    assert "https://" not in lowered and "http://" not in lowered
    assert "//" not in "".join(URL_ATTRIBUTE.findall(html))  # no protocol-relative URLs


def test_draw_page_is_self_contained(client: TestClient) -> None:
    response = client.get("/draw")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert_offline(html)
    assert '<canvas id="pad"' in html and 'id="clear"' in html and 'type="file"' in html
    assert '<script src="./draw.js">' in html
    script = client.get("/draw.js")  # ./draw.js from /draw
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert_offline(script.text)
    assert "predict/base64" in script.text
    assert "pointerdown" in script.text  # mouse, pen and touch through pointer events
    assert '<script src="./draw_number.js">' in html
    number_script = client.get("/draw_number.js")  # the number mode, after draw.js
    assert number_script.status_code == 200
    assert number_script.headers["content-type"].startswith("text/javascript")
    assert_offline(number_script.text)
    assert "predict/number" in number_script.text


def test_docs_use_only_local_assets(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert_offline(html)
    urls = URL_ATTRIBUTE.findall(html) + re.findall(r"url: '([^']+)'", html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    assert any(url.endswith(".css") for url in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_redoc_is_off(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_openapi_documents_errors_on_every_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    expected = {
        ("/predict", "post"): {400, 413, 415, 422, 503},
        ("/predict/base64", "post"): {400, 413, 415, 422, 503},
        ("/predict/batch", "post"): {400, 413, 422, 503},
        ("/predict/number", "post"): {400, 413, 415, 422, 503},
        ("/predict/number/base64", "post"): {400, 413, 415, 422, 503},
        ("/model/info", "get"): {503},
        ("/health/ready", "get"): {503},
        ("/health", "get"): {503},
    }
    for (path, method), statuses in expected.items():
        responses = paths[path][method]["responses"]
        assert {int(code) for code in responses if code != "200"} == statuses, path
        for code in statuses:
            content = responses[str(code)]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
            for name, example in content["examples"].items():
                assert ERROR_CODES[name][0] == code and example["value"]["code"] == name
    for path in ("/", "/health/live", "/health/ready", "/model/info", "/predict",
                 "/predict/base64", "/predict/batch", "/predict/number", "/predict/number/base64",
                 "/draw", "/metrics"):  # fmt: skip
        assert path in paths
    for path in ("/predict/number", "/predict/number/base64"):
        number_errors = paths[path]["post"]["responses"]["422"]["content"]["application/json"]
        assert {"no_digit", "too_many_digits"} <= set(number_errors["examples"])


def test_every_json_endpoint_shows_a_response_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation["responses"]["200"]["content"]
            if "application/json" not in content:
                continue
            ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert components[ref].get("examples"), (method, path, ref)
    for path in ("/predict/base64", "/predict/number/base64"):
        request = schema["paths"][path]["post"]["requestBody"]["content"]
        assert set(request["application/json"]["examples"]) == {"plain", "data_url"}
    for path in ("/predict/number", "/predict/number/base64"):
        operation = schema["paths"][path]["post"]
        assert operation["summary"] and operation["description"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/NumberResponse")
        assert components["NumberResponse"]["examples"][0]["number"] == "42"
