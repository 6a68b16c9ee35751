"""Errors as JSON with a clear message; never echo the submitted text back (it may be confidential)."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("reviewlens.api")


class ApiError(StarletteHTTPException):
    """An error with an HTTP status, a machine-readable code and a message for people.

    It is an HTTPException so that one raised while FastAPI reads the body (the size limit) is passed through as
    itself; FastAPI turns any other exception there into a generic 400.
    """

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, message, headers)
        self.status = status
        self.code = code
        self.message = message


class ErrorDetail(BaseModel):
    """Where a request failed validation and why (never the offending value)."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorInfo(BaseModel):
    """The error itself."""

    code: str
    message: str
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    """The JSON body of every error response."""

    error: ErrorInfo


_DESCRIPTIONS = {
    400: "Unreadable request (e.g. a broken multipart body) or unsupported language",
    401: "Missing or invalid API key",
    409: "The tier asked for is not served here (no thorough-tier model)",
    413: "Text, batch, file or request body over the configured limit",
    415: "Unsupported content type or file type",
    422: "Invalid request: empty text, bad fields, malformed JSON or an unreadable file",
    500: "Unexpected server error",
    503: "The model (of the tier asked for) is not loaded",
    504: "Analysis exceeded the request time limit",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for error statuses, so the documented shapes match what clients receive."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}


def error_body(code: str, message: str, details: list[dict[str, object]] | None = None) -> dict[str, object]:
    """The JSON shape of every error response."""
    error: dict[str, object] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers that turn every failure into the JSON error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default body echoes the offending input; drop it so draft text never travels back or to logs.
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse(error_body("invalid_request", "The request is not valid.", details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI reports a JSON body that is not UTF-8 as a generic 400; it is malformed JSON like any other.
            return JSONResponse(error_body("invalid_request", "The body is not valid JSON: it is not UTF-8."), 422)
        return JSONResponse(
            error_body(f"http_{exc.status_code}", str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )


class UnhandledErrors:
    """Answer an unexpected exception with a JSON 500 and log only its type and stack frames.

    Starlette re-raises such exceptions for the server to log, and the server logs the exception's message, which
    can quote the draft (a pydantic error shows its input, a UnicodeError the string). Frames show code, not data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, turning an escaped exception into a JSON 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            route = getattr(scope.get("route"), "path", "unmatched")
            log.error(
                "unhandled %s in %s %s\n%s",
                type(exc).__qualname__, scope.get("method"), route, "".join(traceback.format_tb(exc.__traceback__)),
            )
            if not started:
                await send_json(send, 500, error_body("internal_error", "Unexpected server error; nothing was stored."))


async def send_json(
    send: Send, status: int, body: dict[str, object], headers: Mapping[str, str] | None = None
) -> None:
    """Send a complete JSON response from ASGI middleware (outside FastAPI's handlers)."""
    data = json.dumps(body).encode()
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": data})
