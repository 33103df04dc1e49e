"""Pages for people: GET /draw (draw or upload a digit or a number, with its scripts) and
GET /docs (Swagger UI, offline)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter()

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
SWAGGER_ASSETS = "/assets/swagger-ui"  # where main.py mounts SWAGGER_DIR
# Swagger UI 5 (renders OpenAPI 3.1), as shipped by the maintained fastapi-offline package.
SWAGGER_DIR = Path(str(files("fastapi_offline") / "static"))


@router.get(
    "/draw",
    summary="Draw a digit or a number and see what the model reads, live",
    response_class=HTMLResponse,
    tags=["pages"],
    responses={200: {"content": {"text/html": {"example": "<!doctype html>..."}}}},
)
def draw() -> FileResponse:
    return FileResponse(STATIC_DIR / "draw.html", media_type="text/html; charset=utf-8")


@router.get("/draw.js", include_in_schema=False)
def draw_script() -> FileResponse:
    return FileResponse(STATIC_DIR / "draw.js", media_type="text/javascript; charset=utf-8")


@router.get("/draw_number.js", include_in_schema=False)
def draw_number_script() -> FileResponse:
    """The page's number mode (loaded after draw.js)."""
    return FileResponse(STATIC_DIR / "draw_number.js", media_type="text/javascript; charset=utf-8")


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - API docs",
        swagger_js_url=f"{root}{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{SWAGGER_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{SWAGGER_ASSETS}/favicon.png",
    )
