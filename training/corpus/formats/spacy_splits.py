"""The corpus as spaCy training data, one DocBin per split (`annotations export -f spacy -o DIR`).

- `DIR/spans/<split>.spacy`: one Doc per excerpt, sentence starts set from the corpus's sentence units, the labels
  in a span group per theme (`analysis_depth`, `cultural_competence`, `risk_reasoning`) and all together in
  `sc` (spancat's default key), for `spancat` or for reading sentences in context.
- `DIR/textcat/<split>.spacy`: one Doc per sentence with `doc.cats` over the six labels (1.0 or 0.0), for
  `textcat_multilabel`; `training/configs/spacy_textcat.cfg` trains it with `spacy train` as is.
"""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import DocBin

from reviewlens.models.labels import LABELS, THEME_OF_LABEL, THEMES
from reviewlens.models.paths import paths
from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.corpus.formats.docbin import SPANS_KEY, record_doc
from reviewlens.training.corpus.records import Record
from reviewlens.training.corpus.splits import SPLIT_NAMES, read_splits
from reviewlens.training.corpus.units import record_units


def export_spacy(records: list[Record], output: Path, splits_path: Path | None = None) -> int:
    """Write the span and textcat DocBins per split under `output`; return the number of sentence Docs written."""
    splits = read_splits(splits_path or paths().splits)
    missing = sorted({r.document_id for r in records} - splits.keys())
    if missing:
        raise ValueError(f"no split for document(s) {', '.join(missing[:5])}; add them to the split file first")
    span_bins = {name: DocBin(store_user_data=True) for name in SPLIT_NAMES}
    cat_bins = {name: DocBin(store_user_data=True) for name in SPLIT_NAMES}
    nlp = tokenizer_nlp()
    sentences = 0
    for record in records:
        split = splits[record.document_id]
        doc = record_doc(record)
        units = record_units(record)
        starts = {u.start for u in units}
        for token in doc:
            # Sentence starts from the corpus's units (annotators' boundaries win), not from a parser.
            token.is_sent_start = token.i == 0 or token.idx in starts
        for theme in THEMES:
            doc.spans[theme.name] = [s for s in doc.spans[SPANS_KEY] if THEME_OF_LABEL[s.label_] == theme.name]
        span_bins[split].add(doc)
        for unit in units:
            sent = nlp(unit.text)
            sent.cats = {label: float(label in unit.labels) for label in LABELS}
            sent.user_data.update({"record": unit.record_id, "start": unit.start, "section": unit.section})
            cat_bins[split].add(sent)
            sentences += 1
    for kind, bins in (("spans", span_bins), ("textcat", cat_bins)):
        folder = output / kind
        folder.mkdir(parents=True, exist_ok=True)
        for name, db in bins.items():
            if len(db):
                db.to_disk(folder / f"{name}.spacy")
    return sentences
