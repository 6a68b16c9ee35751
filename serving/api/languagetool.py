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

from reviewlens.models.offsets import Utf16Offsets
from reviewlens.models.rules import RULES, category_id, rule_id, theme_title
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


def context_text(text: str) -> str:
    """A match's context as LanguageTool sends it: line breaks become spaces, one for one, so offsets still hold
    and a client's caret line (pylanguagetool prints one under the context) stays aligned."""
    return text.replace("\r", " ").replace("\n", " ")


@dataclass(frozen=True)
class RuleFilter:
    """LanguageTool's rule parameters: which rules and categories are switched on or off, and the level."""

    disabled_rules: frozenset[str] = frozenset()
    enabled_rules: frozenset[str] = frozenset()
    disabled_categories: frozenset[str] = frozenset()
    enabled_categories: frozenset[str] = frozenset()
    enabled_only: bool = False
    picky: bool = False

    @classmethod
    def parse(
        cls,
        disabled_rules: str | None = None,
        enabled_rules: str | None = None,
        disabled_categories: str | None = None,
        enabled_categories: str | None = None,
        enabled_only: str | bool | None = None,
        level: str | None = None,
    ) -> RuleFilter:
        """From the comma-separated form or query fields LanguageTool clients send (ids are case-insensitive)."""

        def ids(value: str | None) -> frozenset[str]:
            return frozenset(v.strip().upper() for v in (value or "").split(",") if v.strip())

        only = enabled_only if isinstance(enabled_only, bool) else str(enabled_only or "").lower() == "true"
        return cls(ids(disabled_rules), ids(enabled_rules), ids(disabled_categories), ids(enabled_categories),
                   only, (level or "").lower() == "picky")

    def allows(self, f: Finding) -> bool:
        """Whether a finding is reported: concerns by default, strengths at the picky level or when enabled by
        id or category, never `info`; enabledOnly keeps only what is enabled; disabled ids and categories win."""
        rule, category = rule_id(f.label), category_id(f.theme)
        if rule in self.disabled_rules or category in self.disabled_categories or f.severity == "info":
            return False
        enabled = rule in self.enabled_rules or category in self.enabled_categories
        if self.enabled_only:
            return enabled
        return f.severity == "concern" or self.picky or enabled


def _rule(f: Finding, base_url: str) -> dict[str, Any]:
    rule = RULES.get(rule_id(f.label))
    return {
        "id": rule_id(f.label),
        "description": rule.title if rule else f.short_message,
        "issueType": "style",
        "category": {"id": category_id(f.theme), "name": f"reviewlens: {theme_title(f.theme)}"},
        "urls": [{"value": f"{base_url}/rules/{rule_id(f.label)}"}],
    }


def _match(group: list[Finding], src: PlainText, base_url: str, u16: Utf16Offsets) -> dict[str, Any]:
    """One match for one sentence; where several themes flag it, their messages are merged into one."""
    f = group[0]
    start = src.to_original[f.offset]
    # The end is one past the sentence's last character, so a closing tag after it is never part of the match.
    last = f.offset + max(f.length, 1) - 1
    end = src.to_original[min(last, len(src.to_original) - 2)] + 1 if f.length else start
    text = src.original
    c_start = max(0, start - CONTEXT_CHARS)
    c_end = min(len(text), end + CONTEXT_CHARS)
    context = context_text(text[c_start:c_end])
    c16 = Utf16Offsets(context)
    if len(group) == 1:
        message = f"{f.message} {f.question}"
    else:
        message = " ".join(f"{RULES[rule_id(g.label)].title if rule_id(g.label) in RULES else g.short_message}: "
                           f"{g.message} {g.question}" for g in group)
    return {
        "message": message,
        "shortMessage": " · ".join(g.short_message for g in group),
        "replacements": [],
        "offset": u16(start),
        "length": u16(end) - u16(start),
        "context": {
            "text": context,
            "offset": c16(start - c_start),
            "length": c16(end - c_start) - c16(start - c_start),
        },
        "sentence": f.text,
        "type": {"typeName": "Hint" if f.severity == "concern" else "Other"},
        "rule": _rule(f, base_url),
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
    }


def _first_line(text: str) -> tuple[int, int]:
    """Start and length of the first non-blank line, without its line break (CRLF included)."""
    for line in re.finditer(r"[^\r\n]+", text):
        if line.group().strip():
            return line.start(), line.end() - line.start()
    return 0, 0


def _rank(f: Finding) -> tuple[int, float]:
    # The match's rule is its most serious finding: concerns before strengths, then the more confident one.
    return (0 if f.severity == "concern" else 1, -f.score)


def to_languagetool(
    result: AnalysisResult,
    src: PlainText,
    language: str,
    rules: RuleFilter | None = None,
    flag_minimums: dict[str, int] | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """LanguageTool's response: one match per sentence (its findings merged), filtered by the client's rule
    settings; document flags become matches on the first line, only on texts long enough for them to mean
    anything (an editor checking one paragraph would otherwise always hear that ethnicity is not recorded)."""
    rules = rules or RuleFilter()
    minimums = flag_minimums or {}
    start, length = _first_line(src.text)
    by_sentence: dict[tuple[int, int], list[Finding]] = {}
    for f in result.findings:
        if not rules.allows(f):
            continue
        if f.scope == "document":
            if result.document.classified_sentences < minimums.get(f.label, 0):
                continue
            f = f.model_copy(update={"offset": start, "length": length, "text": src.text[start : start + length]})
            # A flag keeps a match of its own: it speaks of the whole review, not of the first line.
            by_sentence[(start, -len(by_sentence) - 1)] = [f]
            continue
        by_sentence.setdefault((f.offset, f.length), []).append(f)
    u16 = Utf16Offsets(src.original)
    matches = [
        _match(sorted(group, key=_rank), src, base_url, u16)
        for _key, group in sorted(by_sentence.items(), key=lambda kv: (kv[0][0], kv[0][1] >= 0))
    ]
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
