"""POST /v1/analyze, /v1/analyze/file and /v1/analyze/batch."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, Strict, ValidationError

from reviewlens.models.documents import Document
from reviewlens.models.extract import ExtractionError, read_bytes
from reviewlens.models.labels import DOC_KINDS, THEMES
from reviewlens.models.schema import AnalysisResult, Severity
from reviewlens.models.tiers import THOROUGH, Tier
from reviewlens.serving.api.admission import StopCheck
from reviewlens.serving.api.deps import SettingsDep, analyzer_for, require_json, run_bounded
from reviewlens.serving.api.errors import ApiError, error_responses
from reviewlens.serving.api.settings import Settings
from reviewlens.serving.api.static import html_page
from reviewlens.serving.render import render_html

router = APIRouter(
    prefix="/v1", tags=["analyze"], responses=error_responses(400, 401, 409, 413, 415, 422, 500, 503, 504)
)

# Built from the label schema, so a new theme or kind of review reaches the API (and its OpenAPI enum) by itself.
# mypy cannot read a Literal made at run time, so it sees plain strings.
if TYPE_CHECKING:
    ThemeName = str
    DocKind = str
else:
    ThemeName = Literal[tuple(t.name for t in THEMES)]
    DocKind = Literal[DOC_KINDS]
UPLOAD_TYPES = {".pdf", ".docx", ".txt", ".md"}
HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "The result as JSON, or as the highlighted page (HTML)"}
}
EXAMPLE_TEXT = (
    "Analysis\n\nThe case was closed because Mother said Mr B had left. Nobody checked with the children or the "
    "police, so the assessment rested on her account alone."
)

ThemesQuery = Annotated[
    list[ThemeName] | None,
    Query(description="Only findings of these themes (repeatable). A JSON body's `themes` takes precedence."),
]
SeverityQuery = Annotated[
    list[Severity] | None,
    Query(description="Only findings of these severities (repeatable), e.g. `?severity=concern` for concerns alone. "
          "A JSON body's `severity` takes precedence."),
]
TIER_HELP = ("`thorough` (the default where the service has a thorough model; slower, reads better) or `fast`. "
             "The result's `model.tier` says which answered; naming a tier the service lacks is a 409.")
TierQuery = Annotated[Tier | None, Query(description=TIER_HELP + " A JSON body's `tier` wins.")]
FormatQuery = Annotated[
    Literal["json", "html"] | None, Query(description="`html` for the highlighted page; overrides the Accept header.")
]


# JSON Schema for "has a character that is not white space", so clients and fuzzers know a blank draft is refused.
NON_BLANK = r"\S"


class AnalyzeRequest(BaseModel):
    """A draft to analyse."""

    text: str = Field(
        description="The draft, as plain text, not blank. Offsets in the result index this exact string.",
        # Documented, not enforced here: check_text gives a blank draft its own error code (422 empty_text).
        json_schema_extra={"pattern": NON_BLANK},
    )
    themes: list[ThemeName] | None = Field(default=None, description="Only these themes (default: all).")
    severity: list[Severity] | None = Field(
        default=None, description="Only findings of these severities (default: all), e.g. [\"concern\"]."
    )
    # Strict: JSON `true` is not the number 1.0, nor "0.5" a number.
    min_score: Annotated[float, Strict()] = Field(
        default=0.0, ge=0.0, le=1.0, description="Drop span findings scoring below this."
    )
    doc_kind: DocKind | None = Field(default=None, description="Kind of review; rapid reviews get looser flags.")
    tier: Tier | None = Field(default=None, description=TIER_HELP)

    model_config = {"json_schema_extra": {"examples": [{"text": EXAMPLE_TEXT, "severity": ["concern"]}]}}


class BatchRequest(BaseModel):
    """Several drafts analysed with the same options."""

    texts: list[Annotated[str, Field(json_schema_extra={"pattern": NON_BLANK})]] = Field(min_length=1)
    themes: list[ThemeName] | None = None
    severity: list[Severity] | None = None
    min_score: Annotated[float, Strict()] = Field(default=0.0, ge=0.0, le=1.0)
    doc_kind: DocKind | None = None
    tier: Tier | None = Field(default=None, description=TIER_HELP)

    model_config = {"json_schema_extra": {"examples": [{"texts": [EXAMPLE_TEXT], "severity": ["concern"]}]}}


class BatchResponse(BaseModel):
    """Results in the order of the request's texts."""

    results: list[AnalysisResult]


def check_text(text: str, settings: Settings, where: str = "text") -> None:
    """Reject empty, oversized or invalid text with a clear message (422 / 413 / 422)."""
    if not text.strip():
        raise ApiError(422, "empty_text", f"`{where}` is empty or only whitespace.")
    if len(text) > settings.max_text_chars:
        raise ApiError(
            413, "text_too_large", f"`{where}` has {len(text)} characters; the limit is {settings.max_text_chars}."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON lets a client send a lone "\ud800"; such a string cannot be encoded into the response.
        raise ApiError(
            422, "invalid_text", f"`{where}` holds an unpaired UTF-16 surrogate (a broken \\u escape)."
        ) from None


def _wants_html(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _html(request: Request, settings: Settings, text: str, result: AnalysisResult) -> HTMLResponse:
    return html_page(
        render_html(text, result, api_key_required=bool(settings.api_keys), root=request.scope.get("root_path", ""))
    )


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


MinScoreQuery = Annotated[
    float | None, Query(ge=0.0, le=1.0, description="Drop span findings scoring below this. A JSON body's wins.")
]
DocKindQuery = Annotated[DocKind | None, Query(description="Kind of review. A JSON body's `doc_kind` wins.")]


async def read_analyze_body(
    request: Request,
    themes: ThemesQuery = None,
    severity: SeverityQuery = None,
    min_score: MinScoreQuery = None,
    doc_kind: DocKindQuery = None,
    tier: TierQuery = None,
) -> AnalyzeRequest:
    """The request as JSON (`AnalyzeRequest`) or as the bare draft (`text/plain`, options in the query string)."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    raw = await request.body()
    if media == "text/plain":
        charset = _charset(content_type)
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            # The charset is not echoed: nothing a client sent comes back in an error.
            raise ApiError(422, "invalid_text", "The body cannot be decoded with its declared charset.") from None
        return AnalyzeRequest(text=text, themes=themes, severity=severity, min_score=min_score or 0.0,
                              doc_kind=doc_kind, tier=tier)
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send JSON (Content-Type: application/json) or the bare draft "
                       f"(Content-Type: text/plain), not {media or 'no content type'}.")
    try:
        # The standard library's parser, as FastAPI's: it lets a lone surrogate through, so check_text can name it.
        parsed = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        raise RequestValidationError(
            [{"loc": ("body", where), "msg": "JSON decode error", "type": "json_invalid"}]
        ) from None
    try:
        body = AnalyzeRequest.model_validate(parsed)
    except ValidationError as exc:
        # Shaped like FastAPI's own body errors; the handler drops the input so nothing of the draft is echoed.
        raise RequestValidationError(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        ) from None
    # Query parameters fill what the body leaves unset; a field the body sets wins.
    query = {"themes": themes, "severity": severity, "min_score": min_score, "doc_kind": doc_kind, "tier": tier}
    updates = {k: v for k, v in query.items() if v is not None and k not in body.model_fields_set}
    return body.model_copy(update=updates) if updates else body


_ANALYZE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnalyzeRequest.model_json_schema()},
            "text/plain": {
                "schema": {"type": "string", "description": "The draft itself; options go in the query string."},
                "example": EXAMPLE_TEXT,
            },
        },
    }
}


@router.post(
    "/analyze",
    response_model=AnalysisResult,
    responses=HTML_RESPONSE,
    openapi_extra=_ANALYZE_BODY,
)
async def analyze(
    request: Request,
    body: Annotated[AnalyzeRequest, Depends(read_analyze_body)],
    settings: SettingsDep,
    format: FormatQuery = None,
) -> Response:
    """Analyse one draft: labelled sentences with messages and questions, document flags and an overview.

    Send JSON (`{"text": ...}`) or the bare draft as `text/plain`. Filter with `themes` and `severity` (in the
    body or, repeatable, in the query string). Ask for HTML with `Accept: text/html` or `?format=html`. The
    thorough tier answers unless `tier=fast` is asked for (or the service has no thorough model).
    """
    analyzer = analyzer_for(request, body.tier, THOROUGH)
    check_text(body.text, settings)
    html = _wants_html(request, format)

    def work(stop: StopCheck) -> Response:
        result = analyzer.analyze(
            body.text, themes=body.themes, min_score=body.min_score, doc_kind=body.doc_kind,
            severities=body.severity, should_stop=stop,
        )
        # Rendered here, in the analysis pool: serialising a long result on the event loop would delay /healthz.
        if html:
            return _html(request, settings, body.text, result)
        return Response(result.model_dump_json(by_alias=True), media_type="application/json")

    return await run_bounded(request, work)


@router.post("/analyze/batch", response_model=BatchResponse, dependencies=[Depends(require_json)])
async def analyze_batch(
    body: BatchRequest, request: Request, settings: SettingsDep, themes: ThemesQuery = None,
    severity: SeverityQuery = None, tier: TierQuery = None,
) -> BatchResponse:
    """Analyse up to the configured number of drafts in one call; results keep the request's order. Tiers as for
    `/v1/analyze`."""
    analyzer = analyzer_for(request, body.tier or tier, THOROUGH)
    if len(body.texts) > settings.max_batch:
        raise ApiError(413, "batch_too_large", f"{len(body.texts)} texts; the limit is {settings.max_batch}.")
    for i, text in enumerate(body.texts):
        check_text(text, settings, where=f"texts[{i}]")
    chosen_themes = body.themes if body.themes is not None else themes
    severities = body.severity if body.severity is not None else severity
    results = await run_bounded(
        request,
        lambda stop: analyzer.analyze_many(
            body.texts, themes=chosen_themes, min_score=body.min_score, doc_kinds=[body.doc_kind] * len(body.texts),
            severities=severities, should_stop=stop,
        ),
    )
    return BatchResponse(results=results)


@router.post("/analyze/file", response_model=AnalysisResult, responses=HTML_RESPONSE)
async def analyze_file(
    request: Request,
    settings: SettingsDep,
    file: Annotated[
        UploadFile,
        File(description="A PDF, DOCX, TXT or MD file; its name's extension (.pdf, .docx, .txt, .md) says how to "
             "read it, and any other is refused with 415."),
    ],
    doc_kind: Annotated[DocKind | None, Query()] = None,
    themes: ThemesQuery = None,
    severity: SeverityQuery = None,
    tier: TierQuery = None,
    format: FormatQuery = None,
) -> Response:
    """Analyse an uploaded review; findings in PDFs carry their page number. HTML and tiers as for `/v1/analyze`."""
    analyzer = analyzer_for(request, tier, THOROUGH)
    name = file.filename or "upload"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in UPLOAD_TYPES:
        raise ApiError(415, "unsupported_file_type", f"{suffix or 'no extension'}: send a PDF, DOCX, TXT or MD file.")
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ApiError(413, "file_too_large", f"The file exceeds {settings.max_upload_bytes} bytes.")
    try:
        document: Document = await run_bounded(request, lambda _stop: read_bytes(data, name, settings.max_xml_bytes))
    except ExtractionError as exc:
        # Not the file name: it is chosen by the uploader and may itself be confidential or crafted.
        raise ApiError(422, "unreadable_file", f"The file could not be read: {exc}") from None
    check_text(document.text, settings, where=name)
    html = _wants_html(request, format)

    def work(stop: StopCheck) -> Response:
        result = analyzer.analyze(document, doc_kind=doc_kind, themes=themes, severities=severity, should_stop=stop)
        if html:
            return _html(request, settings, document.text, result)
        return Response(result.model_dump_json(by_alias=True), media_type="application/json")

    return await run_bounded(request, work)
