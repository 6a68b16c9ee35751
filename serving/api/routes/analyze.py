"""POST /v1/analyze, /v1/analyze/file and /v1/analyze/batch."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from reviewlens.models.documents import Document
from reviewlens.models.extract import ExtractionError, read_bytes
from reviewlens.models.schema import AnalysisResult
from reviewlens.serving.api.admission import StopCheck
from reviewlens.serving.api.deps import AnalyzerDep, SettingsDep, require_json, run_bounded
from reviewlens.serving.api.errors import ApiError, error_responses
from reviewlens.serving.api.settings import Settings
from reviewlens.serving.render import render_html

router = APIRouter(
    prefix="/v1", tags=["analyze"], responses=error_responses(400, 401, 413, 415, 422, 500, 503, 504)
)

ThemeName = Literal["analysis_depth", "cultural_competence", "risk_reasoning"]
DocKind = Literal["lcspr", "rapid_review", "scr", "cpr", "briefing", "other"]
UPLOAD_TYPES = {".pdf", ".docx", ".txt", ".md"}


class AnalyzeRequest(BaseModel):
    """A draft to analyse."""

    text: str = Field(description="The draft, as plain text. Offsets in the result index this exact string.")
    themes: list[ThemeName] | None = Field(default=None, description="Only these themes (default: all).")
    min_score: float = Field(default=0.0, ge=0.0, le=1.0, description="Drop span findings scoring below this.")
    doc_kind: DocKind | None = Field(default=None, description="Kind of review; rapid reviews get looser flags.")


class BatchRequest(BaseModel):
    """Several drafts analysed with the same options."""

    texts: list[str] = Field(min_length=1)
    themes: list[ThemeName] | None = None
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    doc_kind: DocKind | None = None


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


@router.post(
    "/analyze",
    response_model=AnalysisResult,
    dependencies=[Depends(require_json)],
    responses={200: {"content": {"text/html": {}}, "description": "JSON result, or highlighted HTML"}},
)
async def analyze(
    body: AnalyzeRequest,
    request: Request,
    analyzer: AnalyzerDep,
    settings: SettingsDep,
    format: Annotated[Literal["json", "html"] | None, Query(description="Override the Accept header.")] = None,
) -> Response:
    """Analyse one draft: labelled sentences with messages and questions, and document flags."""
    check_text(body.text, settings)
    html = _wants_html(request, format)

    def work(stop: StopCheck) -> Response:
        result = analyzer.analyze(
            body.text, themes=body.themes, min_score=body.min_score, doc_kind=body.doc_kind, should_stop=stop
        )
        # Rendered here, in the analysis pool: serialising a long result on the event loop would delay /healthz.
        if html:
            return HTMLResponse(render_html(body.text, result))
        return Response(result.model_dump_json(by_alias=True), media_type="application/json")

    return await run_bounded(request, work)


@router.post("/analyze/batch", response_model=BatchResponse, dependencies=[Depends(require_json)])
async def analyze_batch(
    body: BatchRequest, request: Request, analyzer: AnalyzerDep, settings: SettingsDep
) -> BatchResponse:
    """Analyse up to the configured number of drafts in one call; results keep the request's order."""
    if len(body.texts) > settings.max_batch:
        raise ApiError(413, "batch_too_large", f"{len(body.texts)} texts; the limit is {settings.max_batch}.")
    for i, text in enumerate(body.texts):
        check_text(text, settings, where=f"texts[{i}]")
    results = await run_bounded(
        request,
        lambda stop: analyzer.analyze_many(
            body.texts, themes=body.themes, min_score=body.min_score, doc_kinds=[body.doc_kind] * len(body.texts),
            should_stop=stop,
        ),
    )
    return BatchResponse(results=results)


@router.post("/analyze/file", response_model=AnalysisResult)
async def analyze_file(
    request: Request,
    analyzer: AnalyzerDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A PDF, DOCX, TXT or MD file.")],
    doc_kind: Annotated[DocKind | None, Query()] = None,
) -> AnalysisResult:
    """Analyse an uploaded review; findings in PDFs carry their page number."""
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
    return await run_bounded(request, lambda stop: analyzer.analyze(document, doc_kind=doc_kind, should_stop=stop))
