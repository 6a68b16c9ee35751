"""Service settings, read from REVIEWLENS_* environment variables (one typed class, nothing else reads env)."""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from reviewlens.models.registry import promoted_name
from reviewlens.models.tiers import THOROUGH


class Settings(BaseSettings):
    """Everything the service can be configured with."""

    model_config = SettingsConfigDict(env_prefix="REVIEWLENS_", extra="ignore")

    model: str | None = Field(
        default=None, description="Fast-tier model: a directory or registry name; None = the promoted fast model."
    )
    thorough_model: str | None = Field(
        default=None,
        description="Thorough-tier model: a directory or registry name, or `none` to serve the fast tier alone. "
        "Unset, it is the promoted thorough model, if one is promoted and `model` is unset too (a service pinned "
        "to one model serves that model alone unless its thorough model is named as well).",
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated keys; when set, every route but health needs one."
    )
    max_text_chars: int = Field(default=1_000_000, gt=0, description="Longest text accepted (413 above).")
    max_upload_bytes: int = Field(default=25_000_000, gt=0, description="Largest file upload accepted.")
    max_xml_bytes: int = Field(
        default=50_000_000, gt=0, description="Most bytes a DOCX upload may decompress to (422 above)."
    )
    max_batch: int = Field(default=32, gt=0, description="Most texts in one /v1/analyze/batch request.")
    request_timeout_s: float = Field(default=30.0, gt=0, description="Analysis time limit per request (504 after).")
    max_concurrent: int = Field(
        default_factory=lambda: os.cpu_count() or 1, gt=0,
        description="Analyses run at once (default: one per core); more wait in the queue.",
    )
    max_queue: int = Field(default=8, ge=0, description="Analyses waiting for a slot; beyond it, 503 + Retry-After.")
    queue_timeout_s: float = Field(
        default=5.0, gt=0, description="Longest wait for an analysis slot (503 + Retry-After after)."
    )
    limit_concurrency: int = Field(
        default=200, gt=0, description="Open connections uvicorn serves at once (503 beyond, before any routing)."
    )
    body_timeout_s: float = Field(
        default=30.0, gt=0, description="Longest wait for the next chunk of a request body (408 after)."
    )
    score_cache_entries: int = Field(
        default=200_000, ge=0,
        description="Sentences whose scores are kept for re-checks (digests and numbers, never text; 0 = off).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Allowed CORS origins.")
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int | None = Field(default=None, description="onnxruntime threads (default: all cores).")

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    def thorough_spec(self) -> str | None:
        """The thorough-tier model to load, or None to serve the fast tier alone."""
        if self.thorough_model is not None:
            return None if self.thorough_model.strip().lower() == "none" else self.thorough_model
        if self.model is None and promoted_name(THOROUGH) is not None:
            return THOROUGH
        return None

    @property
    def max_body_bytes(self) -> int:
        """Upper bound on a request body: the text limit in UTF-8 (≤4 bytes a character), or an upload, plus slack."""
        return max(self.max_text_chars * 4, self.max_upload_bytes) + 65_536
