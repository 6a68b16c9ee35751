"""Where the API documentation's browser assets come from: the `fastapi-offline` package ships Swagger UI and ReDoc,
so the docs pages never reach for a CDN (many local-authority networks have no internet)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_STATIC_URL = "/static/docs"
