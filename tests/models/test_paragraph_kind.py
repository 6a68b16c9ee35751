"""Text without headings: paragraphs of dated narration count as chronology, the rest as analysis (issue 9,
item 5), measured on corpus documents whose headings are blanked out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from reviewlens.models.labels import NARRATIVE_SECTIONS
from reviewlens.models.paragraph_kind import is_dated_event, unheaded_paragraph_kind
from reviewlens.models.segmentation import segment
from reviewlens.training.corpus.splits import read_splits
from reviewlens.training.corpus.validate import load_corpus
from reviewlens.training.documents import assemble_documents

ROOT = Path(__file__).resolve().parents[2]

CHRONOLOGY = (
    "On 4 March 2022 the health visitor called at the flat and weighed the baby. Mother said he was feeding well. "
    "Two weeks later the GP saw him for a cough and prescribed nothing."
)
ANALYSIS = (
    "The health visitor's visit in March was a missed opportunity, because nobody asked who else lived in the flat. "
    "Practitioners accepted Mother's account without testing it against what they had seen."
)


def test_dated_narration_and_evaluation() -> None:
    assert is_dated_event("On 4 March 2022 the health visitor called at the flat.")
    assert not is_dated_event("In March 2022 the referral should have been escalated.")
    assert not is_dated_event("The social worker visited the flat.")
    assert unheaded_paragraph_kind([CHRONOLOGY]) == "chronology"
    assert unheaded_paragraph_kind(CHRONOLOGY.split(". ")) == "chronology"
    assert unheaded_paragraph_kind(ANALYSIS.split(". ")) == "unknown"
    assert unheaded_paragraph_kind([]) == "unknown"


def test_an_unheaded_text_gets_a_kind_per_paragraph_and_a_headed_one_keeps_its_headings() -> None:
    seg = segment(f"{CHRONOLOGY}\n\n{ANALYSIS}\n")
    assert not seg.sections
    assert {seg.section_kind(s) for s in seg.sentences if s.paragraph == 0} == {"chronology"}
    assert {seg.section_kind(s) for s in seg.sentences if s.paragraph == 1} == {"unknown"}
    headed = segment(f"Analysis\n\n{CHRONOLOGY}\n\n{ANALYSIS}\n")
    assert headed.paragraph_kinds == [] and {headed.section_kind(s) for s in headed.sentences} == {"analysis"}


def _blank_headings(text: str) -> tuple[str, dict[int, str]]:
    """The text with its heading lines blanked (offsets kept), and each sentence's true section kind."""
    headed = segment(text)
    chars = list(text)
    for section in headed.sections:
        chars[section.offset : section.offset + len(section.title)] = " " * len(section.title)
    return "".join(chars), {s.start: headed.section_kind(s) for s in headed.sentences}


def test_on_test_documents_with_their_headings_blanked_the_guess_is_mostly_right() -> None:
    test_docs = {d for d, s in read_splits(ROOT / "annotations" / "splits.json").items() if s == "test"}
    records = [r for r in load_corpus([ROOT / "annotations" / "corpus"]) if r.document_id in test_docs]
    counts: Counter[tuple[bool, str]] = Counter()
    for doc in assemble_documents(records):
        text, truth = _blank_headings(doc.text)
        seg = segment(text)
        assert not seg.sections
        for p, kind in enumerate(seg.paragraph_kinds):
            kinds = [truth[s.start] for s in seg.sentences if s.paragraph == p and s.start in truth]
            if kinds:
                counts[(kind == "chronology", Counter(kinds).most_common(1)[0][0])] += 1
    called = sum(v for (chron, _), v in counts.items() if chron)
    narrative = sum(v for (chron, k), v in counts.items() if chron and k in NARRATIVE_SECTIONS)
    chronology = sum(v for (_, k), v in counts.items() if k == "chronology")
    found = sum(v for (chron, k), v in counts.items() if chron and k == "chronology")
    analysis_side = sum(v for (_, k), v in counts.items() if k not in NARRATIVE_SECTIONS)
    misread = sum(v for (chron, k), v in counts.items() if chron and k not in NARRATIVE_SECTIONS)
    # Measured when the rule was written (train+dev only were looked at): 0.88, 0.63 and 0.05 here.
    assert called > 50 and narrative / called >= 0.8
    assert found / chronology >= 0.5
    assert misread / analysis_side <= 0.1
