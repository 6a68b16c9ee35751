"""Bounding request size before a body is read into memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reviewlens.serving.api.errors import ApiError, error_body, send_json


class BodyTooLarge(ApiError):
    """The request body exceeds the byte limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"The request body exceeds {limit} bytes.")


class BodySizeLimit:
    """Reject bodies over `limit` bytes with 413, by Content-Length or while streaming (chunked uploads)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

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

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
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


async def _too_large(send: Send, limit: int) -> None:
    exc = BodyTooLarge(limit)
    await send_json(send, 413, error_body(exc.code, exc.message))
