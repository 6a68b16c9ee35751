"""Running an exported sentence model in onnxruntime with the `tokenizers` library: no torch at serving time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from reviewlens.models.model_dir import ModelError

BATCH_SIZE = 32


def session_options(threads: int | None) -> ort.SessionOptions:
    """onnxruntime options for serving: `threads` intra-op threads (None: onnxruntime's choice), quiet logs."""
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return opts


class OnnxSentenceModel:
    """Tokenizer + ONNX graph mapping (input_ids, attention_mask, token_type_ids) to one row per sentence."""

    def __init__(self, folder: Path, threads: int | None = None, config_name: str = "encoder.json") -> None:
        for name in ("model.onnx", "tokenizer.json", config_name):
            if not (folder / name).is_file():
                raise ModelError(f"artefact {folder / name} is missing")
        self.config = json.loads((folder / config_name).read_text(encoding="utf-8"))
        self.max_length = int(self.config.get("max_length", 128))
        self.width = int(self.config.get("dim", 384))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        try:
            self.session = ort.InferenceSession(
                str(folder / "model.onnx"), session_options(threads), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types for corrupt graphs
            raise ModelError(f"{folder / 'model.onnx'} could not be loaded: {exc}") from exc
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
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                e = encodings[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            out[idx] = self.session.run(None, feeds)[0]
        return out
