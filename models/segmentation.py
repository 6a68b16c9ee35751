"""Splitting a review into sections and sentences, with every offset pointing into the original text.

Headings are found line by line and mapped to section kinds (chronology must be told apart from analysis:
the document flags treat them differently). Sentences come from spaCy's rule-based sentencizer, run per
paragraph so offsets stay exact and headings never merge into the sentence that follows them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

import spacy
from spacy.language import Language

from reviewlens.models.paragraph_kind import unheaded_paragraph_kind

# Ordered: the first pattern that matches a heading decides its kind ("learning from the analysis" is learning).
_SECTION_PATTERNS: tuple[tuple[str, str], ...] = (
    # Analysis organised by the review's questions ("Findings by key line of enquiry") is analysis, although
    # "lines of enquiry" alone names the terms of reference.
    ("analysis", r"\b(analysis|findings?|appraisal)\b.*\b(lines? of enquiry|kloe|questions?)\b"),
    ("appendix", r"\b(appendix|appendices|annex|references|bibliography)\b"),
    ("recommendations", r"\b(recommendations?|questions for|actions? (already )?taken|next steps|improving systems)\b"),
    (
        "methodology",
        r"\b(methodology|method|terms of reference|scope|lines of enquiry|review process|"
        r"the review team|review panel|parallel processes|limitations|approach to the review)\b",
    ),
    ("learning", r"\b(learning|lessons|conclusions?|summary of findings and learning)\b"),
    (
        "analysis",
        r"\b(analysis|key practice episodes?|kpe|findings?|themes?|appraisal|good practice|"
        r"practice issues|discussion|emerging)\b",
    ),
    (
        "chronology",
        r"\b(chronology|summary of (the )?(key |significant |main )?events|key events|significant events|"
        r"sequence of events|key episodes|case narrative|what happened|timeline|agency involvement|"
        r"narrative|period (one|two|three|four|five|\d+)|events leading)\b",
    ),
    (
        "background",
        r"\b(background|the child|pen picture|who (was|is)|family composition|genogram|context|"
        r"voice of the child|lived experience|the family|family involvement|views of the family|case summary|"
        r"family and household|about )\b",
    ),
    (
        "front_matter",
        r"\b(foreword|introduction|reasons? for (the|this) review|why this case|the incident|"
        r"circumstances|executive summary|contents|glossary|preface)\b",
    ),
)
_COMPILED = tuple((kind, re.compile(pat, re.IGNORECASE)) for kind, pat in _SECTION_PATTERNS)
_NUMBERING = re.compile(
    r"^\s*(#+\s*|(\d+(\.\d+)*\.?|[ivxlc]+\.|[A-Z]\.)\s+|(section|part|chapter)\s+\d+[:.]?\s*)", re.IGNORECASE
)
_MAX_HEADING_WORDS = 14
# The line before a heading in single-newline text ends a sentence (or a list item, or a quotation).
_ENDS_SENTENCE = re.compile(r"[.?!:;\"”’)]\s*$")
MIN_SENTENCE_WORDS = 3


@dataclass(frozen=True)
class Section:
    """A run of text under one heading; `kind` is one of models.labels.SECTION_KINDS."""

    title: str
    kind: str
    offset: int
    length: int


@dataclass(frozen=True)
class Sentence:
    """A sentence located by code-point offsets into the original text."""

    start: int
    end: int
    text: str
    section: int  # index into Segmentation.sections, -1 when the document has no headings
    paragraph: int = -1  # index into Segmentation.paragraph_kinds


@dataclass(frozen=True)
class Segmentation:
    """The sections and sentences of one text; without headings, a kind inferred for each paragraph."""

    sections: list[Section]
    sentences: list[Sentence]
    paragraph_kinds: list[str] = field(default_factory=list)

    def section_kind(self, sentence: Sentence) -> str:
        """Return the section kind a sentence stands in: its heading's, or in a text with no headings at all,
        `chronology` for a paragraph of dated narration and `unknown` otherwise (models/paragraph_kind.py)."""
        if sentence.section >= 0:
            return self.sections[sentence.section].kind
        if 0 <= sentence.paragraph < len(self.paragraph_kinds):
            return self.paragraph_kinds[sentence.paragraph]
        return "unknown"


@cache
def tokenizer_nlp() -> Language:
    """A blank English pipeline: tokenizer only, no weights, loads offline in ~0.1 s."""
    nlp = spacy.blank("en")
    nlp.max_length = 50_000_000  # as sentence_nlp: the tokenizer alone has no use for spaCy's parser-sized limit
    return nlp


@cache
def sentence_nlp() -> Language:
    """A blank English pipeline with the rule-based sentencizer."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    # spaCy refuses texts over 1,000,000 characters to protect parsers and NER (about 1 GB per 100,000 characters);
    # a tokenizer and sentencizer need a few hundred bytes a token, and one paragraph may be a whole pasted draft.
    # The service's own text limit is the real bound.
    nlp.max_length = 50_000_000
    return nlp


def heading_kind(line: str) -> str | None:
    """Map a heading's text to a section kind, or None when it names no known section."""
    title = _NUMBERING.sub("", line).strip()
    for kind, pattern in _COMPILED:
        if pattern.search(title):
            return kind
    return None


def _looks_like_heading(line: str, alone: bool, next_line: str | None) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped.split()) > _MAX_HEADING_WORDS:
        return False
    if stripped.startswith("#"):
        return True
    if sum(ch.isalpha() for ch in stripped) < 3:
        return False  # a bare page or paragraph number is not a heading
    if not (stripped[0].isupper() or stripped[0].isdigit()):
        return False
    if stripped[-1] in ".,;!\"'”’" or (stripped[-1] == "?" and not (alone and len(stripped.split()) <= 10)):
        return False  # a question stands as a heading only on its own ("Who was Child R?")
    if next_line is not None and next_line[:1].islower():
        return False  # a wrapped line of running text, not a heading
    return alone or bool(_NUMBERING.match(stripped)) or heading_kind(stripped) is not None


def _is_named_heading(line: str, next_line: str | None) -> bool:
    """A heading inside a run of single-newline lines (text pasted from Word or a text box has no blank lines):
    only a short line naming a known section, so that an ordinary short sentence is never taken for one."""
    stripped = line.strip()
    if len(stripped.split()) > 10 or stripped[-1:] in ".,;:!\"'”’":
        return False
    if next_line is not None and next_line[:1].islower():
        return False
    return _looks_like_heading(line, True, next_line) and heading_kind(stripped.lstrip("#").strip()) is not None


def segment(text: str, heading_starts: Collection[int] | None = None) -> Segmentation:
    """Split text into sections (from headings) and sentences, all offsets into `text` itself.

    `heading_starts`, when given, are the offsets of the lines the source marks as headings (DOCX heading
    styles): those lines are headings whatever their shape, and no other line is.
    """
    marked = set(heading_starts) if heading_starts is not None else None
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        lines.append((pos, raw.rstrip("\r\n")))
        pos += len(raw)

    sections: list[Section] = []
    paragraphs: list[tuple[int, int, int]] = []  # (start, end, section index)
    para_start: int | None = None
    para_end = 0
    current = -1
    current_kind = "unknown"

    def close_paragraph() -> None:
        nonlocal para_start
        if para_start is not None:
            paragraphs.append((para_start, para_end, current))
            para_start = None

    for i, (offset, line) in enumerate(lines):
        prev_blank = i == 0 or not lines[i - 1][1].strip()
        next_line = lines[i + 1][1].strip() if i + 1 < len(lines) else None
        alone = prev_blank and (next_line is None or not next_line)
        if not line.strip():
            close_paragraph()
            continue
        prev = lines[i - 1][1].strip() if i else ""
        # A line ending a sentence, or a short title-like line (the review's title), may precede a heading.
        after_sentence = not prev_blank and (
            _ENDS_SENTENCE.search(prev) is not None or (len(prev.split()) <= 12 and prev[:1].isupper())
        )
        start = offset + (len(line) - len(line.lstrip()))
        if marked is not None:
            is_heading = start in marked
        else:
            is_heading = (
                (prev_blank or para_start is None) and _looks_like_heading(line, alone, next_line)
            ) or (after_sentence and _is_named_heading(line, next_line))
        if is_heading:
            close_paragraph()
            title = line.strip().lstrip("#").strip()
            kind = heading_kind(title)
            if kind is None:
                kind = current_kind if sections else "unknown"  # a sub-heading keeps its section's kind
            current_kind = kind
            sections.append(Section(title=title, kind=kind, offset=offset + line.index(line.strip()), length=0))
            current = len(sections) - 1
            continue
        if para_start is None:
            para_start = offset + (len(line) - len(line.lstrip()))
        para_end = offset + len(line.rstrip())
    close_paragraph()

    # A section runs to the start of the next one; computed after the fact so lengths are exact.
    for i, found in enumerate(sections):
        end = sections[i + 1].offset if i + 1 < len(sections) else len(text)
        sections[i] = Section(found.title, found.kind, found.offset, end - found.offset)

    sentences: list[Sentence] = []
    nlp = sentence_nlp()
    spans = [text[s:e] for s, e, _ in paragraphs]
    for p, ((p_start, _p_end, sec), doc) in enumerate(zip(paragraphs, nlp.pipe(spans, batch_size=64), strict=True)):
        for sent in doc.sents:
            stripped = sent.text.strip()
            if not stripped:
                continue
            lead = len(sent.text) - len(sent.text.lstrip())
            start = p_start + sent.start_char + lead
            sentences.append(Sentence(start, start + len(stripped), stripped, sec, p))
    kinds: list[str] = []
    if not sections:
        by_paragraph: list[list[str]] = [[] for _ in paragraphs]
        for s in sentences:
            if len(s.text.split()) >= MIN_SENTENCE_WORDS:
                by_paragraph[s.paragraph].append(s.text)
        kinds = [unheaded_paragraph_kind(texts) for texts in by_paragraph]
    return Segmentation(sections=sections, sentences=sentences, paragraph_kinds=kinds)


def is_classifiable(sentence: Sentence) -> bool:
    """Whether a sentence is long enough to judge (page numbers, bullets and stray fragments are not)."""
    return sum(ch.isalpha() for ch in sentence.text) >= 8 and len(sentence.text.split()) >= MIN_SENTENCE_WORDS
