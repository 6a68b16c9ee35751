"""Translating reviewlens concerns into LanguageTool's /v2/check response, so LanguageTool clients and editor
add-ons pointed at this server show the findings inside the reviewer's editor.

LanguageTool is a Java service: its offsets count UTF-16 code units, so they are converted here (clients such as
language_tool_python convert them back). The `data` form field carries LanguageTool's annotated text (text and
markup parts); markup is analysed as its `interpretAs` and offsets are mapped back onto the full markup string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from reviewlens.models.schema import AnalysisResult, Finding

CONTEXT_CHARS = 40
SOFTWARE = {"name": "reviewlens", "version": "0.1.0", "buildDate": "", "apiVersion": 1, "premium": False,
            "status": ""}
LANGUAGES = [
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
]


class AnnotationError(ValueError):
    """The `data` field is not LanguageTool's annotated-text JSON."""


@dataclass(frozen=True)
class PlainText:
    """The text to analyse, and for each of its code points the offset in the original (markup) string."""

    text: str
    original: str
    to_original: list[int]


def from_plain(text: str) -> PlainText:
    """Plain text maps onto itself."""
    return PlainText(text, text, list(range(len(text) + 1)))


def from_annotation(data: str) -> PlainText:
    """Build the analysable text from LanguageTool's {"annotation": [{"text"}|{"markup","interpretAs"}]}."""
    try:
        parsed = json.loads(data)
        parts = parsed["annotation"]
        if not isinstance(parts, list):
            raise TypeError("annotation must be a list")
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise AnnotationError(f"`data` must be JSON like {{\"annotation\": [{{\"text\": ...}}]}}: {exc}") from None
    except (RecursionError, ValueError):
        # Nesting deeper than the parser's stack, or an integer past Python's digit limit: refuse, never a 500.
        raise AnnotationError("`data` is nested too deeply or holds a number too long to read") from None
    plain: list[str] = []
    original: list[str] = []
    mapping: list[int] = []
    pos = 0
    for part in parts:
        if not isinstance(part, dict):
            raise AnnotationError("each annotation part must be an object")
        if "text" in part:
            t = str(part["text"])
            plain.append(t)
            mapping.extend(range(pos, pos + len(t)))
        elif "markup" in part:
            t = str(part.get("interpretAs", ""))
            plain.append(t)
            mapping.extend([pos] * len(t))
            t = str(part["markup"])
        else:
            raise AnnotationError("each annotation part needs `text` or `markup`")
        original.append(t)
        pos += len(t)
    mapping.append(pos)
    full = "".join(original)
    try:
        full.encode("utf-8")
    except UnicodeEncodeError:
        # Markup is echoed in match contexts, and a lone surrogate cannot be encoded into the response.
        raise AnnotationError("`data` holds an unpaired UTF-16 surrogate (a broken \\u escape)") from None
    return PlainText("".join(plain), full, mapping)


def utf16_offset(text: str, index: int) -> int:
    """Code-point index → UTF-16 code-unit index (what Java, and so LanguageTool clients, expect)."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def _match(f: Finding, src: PlainText) -> dict[str, Any]:
    start = src.to_original[f.offset]
    end = src.to_original[min(f.offset + f.length, len(src.to_original) - 1)]
    text = src.original
    c_start = max(0, start - CONTEXT_CHARS)
    c_end = min(len(text), end + CONTEXT_CHARS)
    context = text[c_start:c_end]
    return {
        "message": f"{f.message} {f.question}",
        "shortMessage": f.short_message,
        "replacements": [],
        "offset": utf16_offset(text, start),
        "length": utf16_offset(text, end) - utf16_offset(text, start),
        "context": {
            "text": context,
            "offset": utf16_offset(context, start - c_start),
            "length": utf16_offset(context, end - c_start) - utf16_offset(context, start - c_start),
        },
        "sentence": f.text,
        "type": {"typeName": "Hint"},
        "rule": {
            "id": f"REVIEWLENS_{f.label}",
            "description": f.short_message,
            "issueType": "style",
            "category": {"id": f"REVIEWLENS_{f.theme.upper()}", "name": f"reviewlens: {f.theme.replace('_', ' ')}"},
        },
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
    }


def _first_line(text: str) -> tuple[int, int]:
    """Start and length of the first non-blank line, without its line break (CRLF included)."""
    for line in re.finditer(r"[^\r\n]+", text):
        if line.group().strip():
            return line.start(), line.end() - line.start()
    return 0, 0


def to_languagetool(result: AnalysisResult, src: PlainText, language: str) -> dict[str, Any]:
    """LanguageTool's response for the concerns of a result (document flags become matches on the first line)."""
    matches = []
    start, length = _first_line(src.text)
    for f in result.findings:
        if f.severity != "concern":
            continue
        if f.scope == "document":
            f = f.model_copy(update={"offset": start, "length": length, "text": src.text[start : start + length]})
        matches.append(_match(f, src))
    return {
        "software": SOFTWARE,
        "warnings": {"incompleteResults": False},
        "language": {
            "name": "English",
            "code": language if language != "auto" else "en-GB",
            "detectedLanguage": {"name": "English (GB)", "code": "en-GB", "confidence": 0.99},
        },
        "matches": matches,
    }
