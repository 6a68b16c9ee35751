"""Where a sentence sits, and the token windows a context-reading scorer encodes (issue 9, item 1).

A sentence is read with the other sentences of its passage (its paragraph) and its section kind: "This
mattered because …" and "X was not considered" mean little alone. Rather than encoding every sentence three
times with its neighbours, consecutive sentences of one passage are packed into one window — `[CLS] section :
s1 s2 s3 [SEP]` — encoded once, and each sentence is pooled from its own tokens: a sentence tagger.

Windows are a function of the passage alone (its sentences and section), never of other passages or texts, so
a sentence's scores do not depend on what else shares a request or a batch, and an edit re-scores only the
paragraph it touches.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

UNKNOWN_SECTION = "unknown"


@dataclass(frozen=True)
class SentenceContext:
    """For each sentence: the passage it belongs to (sentences with equal keys are read together, in the
    order given) and its section kind (models.labels.SECTION_KINDS, or `unknown`)."""

    passage: Sequence[Hashable]
    section: Sequence[str]

    @classmethod
    def alone(cls, n: int) -> SentenceContext:
        """Every sentence its own passage with no section: how a context-free caller is read."""
        return cls(passage=list(range(n)), section=[UNKNOWN_SECTION] * n)

    def passages(self) -> list[list[int]]:
        """Sentence indices grouped by passage, passages in order of first appearance."""
        groups: dict[Hashable, list[int]] = {}
        for i, key in enumerate(self.passage):
            groups.setdefault(key, []).append(i)
        return list(groups.values())


def reads_context(scorer: Any) -> bool:
    """Whether a scorer's probabilities depend on a sentence's passage and section (see `SentenceContext`)."""
    return bool(getattr(scorer, "reads_context", False))


def section_prefix(kind: str) -> str:
    """The text a window starts with to name its section (empty for an unknown one)."""
    return "" if kind == UNKNOWN_SECTION else kind.replace("_", " ") + " :"


@dataclass(frozen=True)
class Window:
    """One encoder input: token ids with [CLS] and [SEP], and (sentence index, first token, end token) spans."""

    ids: list[int]
    spans: list[tuple[int, int, int]]


def build_windows(
    token_ids: Sequence[Sequence[int]],
    passages: Sequence[Sequence[int]],
    prefixes: Sequence[Sequence[int]],
    cls_id: int,
    sep_id: int,
    max_tokens: int,
    sentence_tokens: int,
) -> list[Window]:
    """Pack each passage's sentences, in order, into windows of at most `max_tokens` tokens.

    `token_ids` are each sentence's ids without special tokens, `prefixes[p]` passage p's section prefix ids.
    A sentence keeps at most `sentence_tokens` tokens; a passage too long for one window continues in the
    next (its first sentence then has no left context), and a window never mixes two passages.
    """
    if max_tokens < sentence_tokens + 2:
        raise ValueError("a window must hold at least one whole sentence and its special tokens")
    windows: list[Window] = []
    for passage, prefix in zip(passages, prefixes, strict=True):
        head = [cls_id, *prefix[: max(0, max_tokens - sentence_tokens - 2)]]
        ids = list(head)
        spans: list[tuple[int, int, int]] = []
        for i in passage:
            tokens = list(token_ids[i][:sentence_tokens])
            if spans and len(ids) + len(tokens) + 1 > max_tokens:
                windows.append(Window([*ids, sep_id], spans))
                ids, spans = list(head), []
            spans.append((i, len(ids), len(ids) + len(tokens)))
            ids.extend(tokens)
        if spans:
            windows.append(Window([*ids, sep_id], spans))
    return windows
