"""POST and GET /v2/check, GET /v2/languages: a LanguageTool-compatible door for editors and LanguageTool clients.

Every rule parameter LanguageTool defines is honoured: disabledRules, enabledRules, disabledCategories,
enabledCategories, enabledOnly and level (`picky` adds the strengths). motherTongue and preferredVariants are
accepted and have no effect (reviewlens reads English only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from reviewlens.models.flags import flag_minimums
from reviewlens.models.tiers import FAST, Tier
from reviewlens.serving.api.deps import SettingsDep, analyzer_for, run_bounded
from reviewlens.serving.api.errors import ApiError, error_responses
from reviewlens.serving.api.languagetool import (
    LANGUAGES,
    AnnotationError,
    RuleFilter,
    from_annotation,
    from_plain,
    to_languagetool,
)
from reviewlens.serving.api.routes.analyze import NON_BLANK, check_text

router = APIRouter(
    prefix="/v2", tags=["languagetool"], responses=error_responses(400, 401, 409, 413, 422, 500, 503, 504)
)

_DOC = {
    "text": "The draft as plain text (or send `data`).",
    "data": 'LanguageTool\'s annotated text: {"annotation": [{"text": ...}, {"markup": ..., "interpretAs": ...}]}.',
    "language": "en, en-GB, en-US or auto.",
    "disabledRules": "Comma-separated rule ids not to report, e.g. REVIEWLENS_DESCRIPTIVE.",
    "enabledRules": "Comma-separated rule ids to report as well (the strengths are off unless enabled or picky).",
    "disabledCategories": "Comma-separated categories (themes) not to report, e.g. REVIEWLENS_ANALYSIS_DEPTH.",
    "enabledCategories": "Comma-separated categories to report as well.",
    "enabledOnly": "`true`: report only the enabled rules and categories.",
    "level": "`picky` also reports the strengths (sentences that explain, analyse identity, give grounds).",
    "tier": "reviewlens's own field: `fast` (the default here, for checks as one types) or `thorough` (slower, reads "
    "better; a 409 where the service has no thorough model).",
}


# `data` is a JSON document carried in a string field: said in the schema so that clients send JSON there.
_JSON_TEXT: dict[str, Any] = {"contentMediaType": "application/json", "pattern": NON_BLANK}


@dataclass(frozen=True)
class CheckParams:
    """A check request's fields, from a form (POST) or a query string (GET)."""

    text: str | None
    data: str | None
    language: str
    rules: RuleFilter
    tier: Tier | None = None


async def _run_check(params: CheckParams, request: Request, settings: SettingsDep) -> dict[str, Any]:
    if not params.language.lower().startswith(("en", "auto")):
        # Not echoed: every form field may carry draft text, and error bodies never do.
        raise ApiError(400, "unsupported_language", "reviewlens reads English only: send en, en-GB, en-US or auto.")
    if params.rules.enabled_only and not (params.rules.enabled_rules or params.rules.enabled_categories):
        raise ApiError(400, "invalid_request", "enabledOnly needs enabledRules or enabledCategories.")
    if params.text is None and params.data is None:
        raise ApiError(422, "empty_text", "Send the draft in the `text` or `data` field.")
    try:
        src = from_plain(params.text) if params.text is not None else from_annotation(params.data or "")
    except AnnotationError as exc:
        raise ApiError(422, "invalid_annotation", str(exc)) from None
    check_text(src.text, settings, where="text" if params.text is not None else "data")
    analyzer = analyzer_for(request, params.tier, FAST)
    result = await run_bounded(request, lambda stop: analyzer.analyze(src.text, should_stop=stop))
    base_url = str(request.base_url).rstrip("/")
    return to_languagetool(result, src, params.language, params.rules, flag_minimums(analyzer.model.flags), base_url)


class CheckForm(BaseModel):
    """The POSTed fields (LanguageTool's names), urlencoded or multipart; documents the body in the OpenAPI schema."""

    text: str | None = Field(default=None, description=_DOC["text"], json_schema_extra={"pattern": NON_BLANK})
    data: str | None = Field(default=None, description=_DOC["data"], json_schema_extra=_JSON_TEXT)
    language: str = Field(default="en-GB", description=_DOC["language"])
    disabledRules: str | None = Field(default=None, description=_DOC["disabledRules"])
    enabledRules: str | None = Field(default=None, description=_DOC["enabledRules"])
    disabledCategories: str | None = Field(default=None, description=_DOC["disabledCategories"])
    enabledCategories: str | None = Field(default=None, description=_DOC["enabledCategories"])
    enabledOnly: str | None = Field(default=None, description=_DOC["enabledOnly"])
    level: str | None = Field(default=None, description=_DOC["level"])
    motherTongue: str | None = None
    preferredVariants: str | None = None
    tier: Tier | None = Field(default=None, description=_DOC["tier"])


_FORM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": CheckForm.model_json_schema()}
            for media in ("application/x-www-form-urlencoded", "multipart/form-data")
        },
    }
}


async def _form(request: Request, settings: SettingsDep) -> CheckParams:
    """The POSTed form's fields, read here rather than by FastAPI so that a field may be as long as the text limit.

    Starlette caps each form field at 1 MiB by default, which refused legal drafts with a bare 400; the cap here is
    the body limit, and the text limit is applied to the draft itself afterwards (413 `text_too_large`).
    """
    form = await request.form(max_part_size=settings.max_body_bytes)
    fields: dict[str, str] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise ApiError(422, "invalid_request", "Send the check's fields as form fields, not as files.")
        fields.setdefault(key, value)
    try:
        body = CheckForm.model_validate({k: v for k, v in fields.items() if k in CheckForm.model_fields})
    except ValidationError as exc:
        raise RequestValidationError(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        ) from None
    rules = RuleFilter.parse(
        body.disabledRules, body.enabledRules, body.disabledCategories, body.enabledCategories, body.enabledOnly,
        body.level,
    )
    return CheckParams(body.text, body.data, body.language, rules, body.tier)


def _query(
    language: Annotated[str, Query(description=_DOC["language"])] = "en-GB",
    text: Annotated[str | None, Query(description=_DOC["text"], json_schema_extra={"pattern": NON_BLANK})] = None,
    data: Annotated[str | None, Query(description=_DOC["data"], json_schema_extra=_JSON_TEXT)] = None,
    disabledRules: Annotated[str | None, Query(description=_DOC["disabledRules"])] = None,
    enabledRules: Annotated[str | None, Query(description=_DOC["enabledRules"])] = None,
    disabledCategories: Annotated[str | None, Query(description=_DOC["disabledCategories"])] = None,
    enabledCategories: Annotated[str | None, Query(description=_DOC["enabledCategories"])] = None,
    enabledOnly: Annotated[str | None, Query(description=_DOC["enabledOnly"])] = None,
    level: Annotated[str | None, Query(description=_DOC["level"])] = None,
    motherTongue: Annotated[str | None, Query()] = None,
    preferredVariants: Annotated[str | None, Query()] = None,
    tier: Annotated[Tier | None, Query(description=_DOC["tier"])] = None,
) -> CheckParams:
    """The same fields from a query string (GET, as some LanguageTool clients send short checks)."""
    rules = RuleFilter.parse(disabledRules, enabledRules, disabledCategories, enabledCategories, enabledOnly, level)
    return CheckParams(text, data, language, rules, tier)


@router.post("/check", openapi_extra=_FORM_BODY)
async def check(
    params: Annotated[CheckParams, Depends(_form)], request: Request, settings: SettingsDep
) -> dict[str, Any]:
    """LanguageTool's check: concerns (and, at `level=picky`, strengths) come back as `matches`, one per sentence.
    The fast tier answers unless the `tier` field asks for the thorough one."""
    return await _run_check(params, request, settings)


@router.get("/check")
async def check_get(
    params: Annotated[CheckParams, Depends(_query)], request: Request, settings: SettingsDep
) -> dict[str, Any]:
    """LanguageTool's check by GET. Prefer POST for drafts: a query string can end up in a proxy's log."""
    return await _run_check(params, request, settings)


@router.get("/languages")
async def languages() -> list[dict[str, str]]:
    """The languages this server checks (LanguageTool clients ask before their first check)."""
    return LANGUAGES
