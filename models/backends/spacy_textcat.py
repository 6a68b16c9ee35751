"""A spaCy `textcat_multilabel` pipeline as a scorer: the peer a spaCy user would train instead of the default.

Its six independent label scores become per-theme [none, label A, label B] rows, `none` being what the likelier
label leaves; thresholds are tuned on dev as for any backend, so the comparison is of the classifiers alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy

from reviewlens.models.backends.context import SentenceContext
from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelError


class SpacyTextcatScorer:
    """Scores sentences with a spaCy pipeline whose `textcat_multilabel` knows the six labels."""

    def __init__(self, nlp: spacy.language.Language) -> None:
        known = set(getattr(nlp.get_pipe("textcat_multilabel"), "labels", ()))
        missing = {label for theme in THEMES for label in theme.labels} - known
        if missing:
            raise ModelError(f"the spaCy pipeline's textcat_multilabel lacks labels {sorted(missing)}")
        self.nlp = nlp

    @classmethod
    def load(cls, folder: Path) -> SpacyTextcatScorer:
        """Load a pipeline saved by `spacy train` (its model-best folder)."""
        if not (folder / "config.cfg").is_file():
            raise ModelError(f"artefact {folder / 'config.cfg'} is missing")
        return cls(spacy.load(folder))

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """(n, themes, 3) scores from the pipeline's `doc.cats`; each sentence is read alone."""
        out = np.zeros((len(texts), len(THEMES), 3))
        for i, doc in enumerate(self.nlp.pipe(texts, batch_size=256)):
            for t, theme in enumerate(THEMES):
                a, b = (float(doc.cats.get(label, 0.0)) for label in theme.labels)
                out[i, t] = (max(0.0, 1.0 - max(a, b)), a, b)
        return out
