"""POST /v2/check and GET /v2/languages: a LanguageTool-compatible door for editor add-ons."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from reviewlens.serving.api.deps import AnalyzerDep, SettingsDep, run_bounded
from reviewlens.serving.api.errors import ApiError, error_responses
from reviewlens.serving.api.languagetool import LANGUAGES, AnnotationError, from_annotation, from_plain, to_languagetool
from reviewlens.serving.api.routes.analyze import check_text

router = APIRouter(
    prefix="/v2", tags=["languagetool"], responses=error_responses(400, 401, 413, 422, 500, 503, 504)
)


@router.post("/check")
async def check(
    request: Request,
    analyzer: AnalyzerDep,
    settings: SettingsDep,
    language: Annotated[str, Form()] = "en-GB",
    text: Annotated[str | None, Form()] = None,
    data: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """LanguageTool's check: form fields `text` or `data`, and `language`; concerns come back as `matches`."""
    if not language.lower().startswith(("en", "auto")):
        # Not echoed: every form field may carry draft text, and error bodies never do.
        raise ApiError(400, "unsupported_language", "reviewlens reads English only: send en, en-GB, en-US or auto.")
    if text is None and data is None:
        raise ApiError(422, "empty_text", "Send the draft in the `text` or `data` form field.")
    try:
        src = from_plain(text) if text is not None else from_annotation(data or "")
    except AnnotationError as exc:
        raise ApiError(422, "invalid_annotation", str(exc)) from None
    check_text(src.text, settings, where="text" if text is not None else "data")
    result = await run_bounded(request, lambda stop: analyzer.analyze(src.text, should_stop=stop))
    return to_languagetool(result, src, language)


@router.get("/languages")
async def languages() -> list[dict[str, str]]:
    """The languages this server checks (LanguageTool clients ask before their first check)."""
    return LANGUAGES
