"""Running an exported sentence model in onnxruntime with the `tokenizers` library: no torch at serving time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from reviewlens.models.model_dir import ModelError

BATCH_SIZE = 32


def require_artefacts(folder: Path, names: tuple[str, ...]) -> None:
    """Raise ModelError naming the first of `names` missing from `folder`."""
    for name in names:
        if not (folder / name).is_file():
            raise ModelError(f"artefact {folder / name} is missing")


def open_session(graph: Path, threads: int | None) -> ort.InferenceSession:
    """An onnxruntime CPU session for serving: `threads` intra-op threads (None: onnxruntime's choice), quiet
    logs; a corrupt graph is a ModelError."""
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for corrupt graphs
        raise ModelError(f"{graph} could not be loaded: {exc}") from exc


def padded_feeds(rows: list[list[int]], input_names: set[str]) -> dict[str, np.ndarray]:
    """One batch of token id rows, right-padded with an attention mask (and zero token types if the graph
    takes them)."""
    ids = np.zeros((len(rows), max(len(r) for r in rows)), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in input_names:
        feeds["token_type_ids"] = np.zeros_like(ids)
    return feeds


class OnnxSentenceModel:
    """Tokenizer + ONNX graph mapping (input_ids, attention_mask, token_type_ids) to one row per sentence."""

    def __init__(self, folder: Path, threads: int | None = None, config_name: str = "encoder.json") -> None:
        require_artefacts(folder, ("model.onnx", "tokenizer.json", config_name))
        self.config = json.loads((folder / config_name).read_text(encoding="utf-8"))
        self.max_length = int(self.config.get("max_length", 128))
        self.width = int(self.config.get("dim", 384))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        self.session = open_session(folder / "model.onnx", threads)
        self.input_names = {i.name for i in self.session.get_inputs()}

    def run(self, texts: list[str]) -> np.ndarray:
        """(n, width) float32 outputs; batches are length-sorted so padding stays small."""
        out = np.zeros((len(texts), self.width), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for b in range(0, len(order), BATCH_SIZE):
            idx = order[b : b + BATCH_SIZE]
            feeds = padded_feeds([encodings[i].ids for i in idx], self.input_names)
            out[idx] = self.session.run(None, feeds)[0]
        return out
