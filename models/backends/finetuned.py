"""Fine-tuned all-MiniLM-L6-v2 classifiers served from ONNX: one sentence at a time, or sentences in context.

`FinetunedScorer` reads a graph that already ends in per-theme softmaxes, (n, themes × 3). `ContextTaggerScorer`
reads a graph that returns token states for windows of consecutive sentences (models/backends/context.py) and
applies the trained head to each sentence's pooled tokens here, in NumPy.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from reviewlens.models.backends.context import SentenceContext, Window, build_windows, section_prefix
from reviewlens.models.backends.onnx_text import OnnxSentenceModel, open_session, padded_feeds, require_artefacts
from reviewlens.models.labels import THEMES
from reviewlens.models.model_dir import ModelError

CONFIG_NAME = "classifier.json"
HEAD_NAME = "head.npz"
# Windows per onnxruntime call: windows are up to ~8 sentences long, so this is about the sentence model's 32.
WINDOW_BATCH = 8


class FinetunedScorer:
    """Reads the (n, 9) probability output of a fine-tuned classifier graph as (n, themes, 3)."""

    def __init__(self, model: OnnxSentenceModel) -> None:
        self.model = model

    @classmethod
    def load(cls, folder: Path, threads: int | None = None) -> FinetunedScorer | ContextTaggerScorer:
        """Load the classifier graph and tokenizer from a folder (a context tagger when its config says so)."""
        config = folder / CONFIG_NAME
        if config.is_file() and json.loads(config.read_text(encoding="utf-8")).get("context"):
            return ContextTaggerScorer(folder, threads)
        return cls(OnnxSentenceModel(folder, threads, config_name=CONFIG_NAME))

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """(n, themes, 3) probabilities; each sentence is read alone, whatever `context` says."""
        return self.model.run(texts).reshape(len(texts), len(THEMES), 3).astype(np.float64)


class ContextTaggerScorer:
    """A fine-tuned encoder reading each passage's sentences together, with a linear head per sentence."""

    reads_context = True

    def __init__(self, folder: Path, threads: int | None = None) -> None:
        require_artefacts(folder, ("model.onnx", "tokenizer.json", CONFIG_NAME, HEAD_NAME))
        self.config = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
        self.sentence_tokens = int(self.config.get("max_length", 128))
        self.window_tokens = int(self.config.get("window_tokens", 256))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        # The special tokens are the base model's ([CLS]/[SEP] for MiniLM, <s>/</s> for MPNet), recorded at export.
        cls_id = self.config.get("cls_id", self.tokenizer.token_to_id("[CLS]"))
        sep_id = self.config.get("sep_id", self.tokenizer.token_to_id("[SEP]"))
        if cls_id is None or sep_id is None:
            raise ModelError(f"{folder / CONFIG_NAME} names no start and end tokens")
        self.cls_id, self.sep_id = cls_id, sep_id
        with np.load(folder / HEAD_NAME, allow_pickle=False) as head:
            self.weight = head["weight"].astype(np.float32)
            self.bias = head["bias"].astype(np.float32)
        if self.weight.shape[0] != len(THEMES) * 3 or self.bias.shape != (len(THEMES) * 3,):
            raise ModelError(f"{folder / HEAD_NAME} does not map to {len(THEMES)} themes × 3 classes")
        self.session = open_session(folder / "model.onnx", threads)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self._prefixes: dict[str, list[int]] = {}

    def _prefix(self, section: str) -> list[int]:
        if section not in self._prefixes:
            text = section_prefix(section)
            self._prefixes[section] = self.tokenizer.encode(text, add_special_tokens=False).ids if text else []
        return self._prefixes[section]

    def windows(self, texts: list[str], context: SentenceContext | None) -> list[Window]:
        """The encoder inputs for `texts` read in `context` (each sentence alone when it is None)."""
        ctx = context or SentenceContext.alone(len(texts))
        if len(ctx.passage) != len(texts) or len(ctx.section) != len(texts):
            raise ValueError("context must give a passage and a section for every sentence")
        ids = [e.ids for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)] if texts else []
        passages = ctx.passages()
        prefixes = [self._prefix(ctx.section[p[0]]) for p in passages]
        return build_windows(
            ids, passages, prefixes, self.cls_id, self.sep_id, self.window_tokens, self.sentence_tokens
        )

    def predict_proba(self, texts: list[str], context: SentenceContext | None = None) -> np.ndarray:
        """(n, themes, 3) probabilities of each sentence read with its passage and section."""
        pooled = np.zeros((len(texts), self.weight.shape[1]), dtype=np.float32)
        windows = self.windows(texts, context)
        order = np.argsort([len(w.ids) for w in windows], kind="stable")
        for b in range(0, len(order), WINDOW_BATCH):
            batch = [windows[i] for i in order[b : b + WINDOW_BATCH]]
            hidden = self.session.run(None, padded_feeds([w.ids for w in batch], self.input_names))[0]
            for r, w in enumerate(batch):
                for i, start, end in w.spans:
                    pooled[i] = hidden[r, start : max(end, start + 1)].mean(axis=0)
        logits = (pooled @ self.weight.T + self.bias).astype(np.float64).reshape(len(texts), len(THEMES), 3)
        logits -= logits.max(axis=2, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=2, keepdims=True)
