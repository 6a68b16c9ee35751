"""Bounding request size before a body is read into memory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reviewlens.serving.api.errors import ApiError, error_body, send_json


class BodyTooLarge(ApiError):
    """The request body exceeds the byte limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"The request body exceeds {limit} bytes.")


class BodyTimeout(ApiError):
    """The client stopped sending its body (a slow or stalled upload)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, "body_timeout", f"No request body data arrived for {seconds:g} s.")


class BodySizeLimit:
    """Reject bodies over `limit` bytes with 413, by Content-Length or while streaming (chunked uploads), and
    bodies whose next chunk takes longer than `chunk_timeout_s` with 408 (slow uploads would hold a connection
    and its buffers for ever)."""

    def __init__(self, app: ASGIApp, limit: int, chunk_timeout_s: float = 30.0) -> None:
        self.app = app
        self.limit = limit
        self.chunk_timeout_s = chunk_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with the body limit enforced."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False
        body_done = False

        async def limited_receive() -> Message:
            nonlocal seen, body_done
            if body_done:
                # After the body, receive() only waits for a disconnect, which may rightly take as long as the
                # response does.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=self.chunk_timeout_s)
            except TimeoutError:
                raise BodyTimeout(self.chunk_timeout_s) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # An HTTPException, so FastAPI's body reader passes it on to the JSON error handler as a 413.
                    raise BodyTooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Reached only when the body was read outside a route (no exception handler saw it).
            if not started:
                await _too_large(send, self.limit)
        except BodyTimeout as exc:
            if not started:
                await send_json(send, 408, error_body(exc.code, exc.message))


async def _too_large(send: Send, limit: int) -> None:
    exc = BodyTooLarge(limit)
    await send_json(send, 413, error_body(exc.code, exc.message))


class ApiKeyFirst:
    """Check the API key from the headers before any body is read, so an unauthenticated client cannot make the
    server receive and parse a large body (FastAPI reads the body before it runs route dependencies)."""

    def __init__(
        self, app: ASGIApp, check: Callable[[Mapping[str, str]], None], guarded_prefixes: tuple[str, ...]
    ) -> None:
        self.app = app
        self.check = check
        self.guarded_prefixes = guarded_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401 at once for a protected route without a valid key; otherwise run the app."""
        if scope["type"] == "http" and scope.get("method") != "OPTIONS" and scope["path"].startswith(
            self.guarded_prefixes
        ):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
            try:
                self.check(headers)
            except ApiError as exc:
                await send_json(send, exc.status, error_body(exc.code, exc.message), exc.headers)
                return
        await self.app(scope, receive, send)
