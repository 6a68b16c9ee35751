"""Where the API documentation's browser assets come from: the `fastapi-offline` package ships Swagger UI and ReDoc,
so the docs pages never reach for a CDN (many local-authority networks have no internet)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi.responses import HTMLResponse

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_STATIC_URL = "/static/docs"

# Every page this app serves may load only from this app: inline script and style (the workspace and the docs
# inline theirs), images as data or blob URLs, fetches to this origin. So nothing on a page (ReDoc's footer logo
# included) reaches for the internet, and a draft pasted into the page can travel nowhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def html_page(content: str | HTMLResponse) -> HTMLResponse:
    """An HTML response carrying the app's content security policy."""
    response = content if isinstance(content, HTMLResponse) else HTMLResponse(content)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
