"""Token windows of a context-reading scorer (issue 9, item 1): passages packed in order, never mixed, bounded."""

from __future__ import annotations

import pytest

from reviewlens.models.backends.context import SentenceContext, build_windows, section_prefix

CLS, SEP = 101, 102


def _ids(n: int, start: int) -> list[int]:
    return list(range(start, start + n))


def test_windows_keep_passages_apart_and_point_at_each_sentence() -> None:
    tokens = [_ids(5, 1000), _ids(3, 2000), _ids(4, 3000), _ids(2, 4000)]
    windows = build_windows(tokens, [[0, 1], [2, 3]], [[7, 8], []], CLS, SEP, max_tokens=64, sentence_tokens=32)
    assert [w.ids for w in windows] == [
        [CLS, 7, 8, *tokens[0], *tokens[1], SEP],
        [CLS, *tokens[2], *tokens[3], SEP],
    ]
    for w in windows:
        for i, start, end in w.spans:
            assert w.ids[start:end] == tokens[i]


def test_a_long_passage_continues_in_another_window_within_the_limit() -> None:
    tokens = [_ids(10, 100 * k) for k in range(1, 8)]
    windows = build_windows(tokens, [list(range(7))], [[5]], CLS, SEP, max_tokens=25, sentence_tokens=10)
    assert all(len(w.ids) <= 25 for w in windows)
    assert [i for w in windows for i, _, _ in w.spans] == list(range(7))
    assert all(w.ids[:2] == [CLS, 5] and w.ids[-1] == SEP for w in windows)  # every window names its section
    assert len(windows) == 4


def test_a_long_sentence_is_cut_to_its_budget() -> None:
    windows = build_windows([_ids(50, 1)], [[0]], [[]], CLS, SEP, max_tokens=20, sentence_tokens=12)
    assert windows[0].ids == [CLS, *_ids(12, 1), SEP]
    with pytest.raises(ValueError, match="at least one whole sentence"):
        build_windows([_ids(5, 1)], [[0]], [[]], CLS, SEP, max_tokens=10, sentence_tokens=12)


def test_passages_group_by_key_in_order_of_first_appearance() -> None:
    ctx = SentenceContext(["b", "b", "a", "b", "c"], ["analysis"] * 5)
    assert ctx.passages() == [[0, 1, 3], [2], [4]]
    assert SentenceContext.alone(3).passages() == [[0], [1], [2]]
    assert section_prefix("front_matter") == "front matter :" and section_prefix("unknown") == ""
