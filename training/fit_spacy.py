"""Training the spaCy peer: `spacy train` with the shipped `textcat_multilabel` config on one Doc per sentence.

This is the pipeline a spaCy user would build from `reviewlens annotations export -f spacy`; it runs through
spaCy's own training loop (`spacy.cli.train.train`), so what `reviewlens compare` sets beside the default is
that user's model, not a re-implementation of it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from spacy.cli.train import train as spacy_train
from spacy.tokens import DocBin

from reviewlens.models.backends.spacy_textcat import SpacyTextcatScorer
from reviewlens.models.labels import LABELS
from reviewlens.models.segmentation import tokenizer_nlp
from reviewlens.training.config import SpacyTextcatConfig
from reviewlens.training.data import SplitData


def _docbin(split: SplitData, path: Path) -> None:
    nlp = tokenizer_nlp()
    bin_ = DocBin()
    for unit in split.units:
        doc = nlp(unit.text)
        doc.cats = {label: float(label in unit.labels) for label in LABELS}
        bin_.add(doc)
    bin_.to_disk(path)


def fit_spacy(
    train: SplitData, dev: SplitData | None, out: Path, cfg: SpacyTextcatConfig, seed: int,
    log: Callable[[str], None] = print,
) -> SpacyTextcatScorer:
    """Train on `train`, keeping spaCy's best checkpoint by its score on `dev` (or on a tenth of `train`'s
    documents when no dev split is given, as in learning curves); save the pipeline to `out`."""
    if dev is None:
        # Every tenth document (at least one, and never the only one) keeps spaCy's checkpoint choice honest.
        docs = sorted({u.document_id for u in train.units})
        held = set(docs[::10]) if len(docs) >= 2 else set()
        if held:
            dev = train.subset([i for i, u in enumerate(train.units) if u.document_id in held])
            train = train.subset([i for i, u in enumerate(train.units) if u.document_id not in held])
        else:
            dev = train
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        _docbin(train, root / "train.spacy")
        _docbin(dev, root / "dev.spacy")
        overrides = {"paths.train": str(root / "train.spacy"), "paths.dev": str(root / "dev.spacy"),
                     "system.seed": seed, "training.max_steps": cfg.max_steps}
        spacy_train(Path(cfg.config), root / "out", use_gpu=-1, overrides=overrides)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(root / "out" / "model-best", out)
    log(f"  spaCy textcat_multilabel trained with {cfg.config}")
    return SpacyTextcatScorer.load(out)
