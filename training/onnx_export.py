"""Exporting a torch sentence model to ONNX, optionally quantised to int8: shared by every neural backend."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]
Quantization = Literal["static", "dynamic", "none"]
CALIBRATION_SENTENCES = 512
_CALIBRATION_BATCH = 16


def calibration_sample(texts: list[str], seed: int, n: int = CALIBRATION_SENTENCES) -> list[str]:
    """A seeded sample of training sentences whose activation ranges fix the static int8 scales."""
    if len(texts) <= n:
        return list(texts)
    rng = np.random.default_rng(seed)
    return [texts[i] for i in sorted(rng.choice(len(texts), n, replace=False))]


def export_onnx(
    module: Any,
    tokenizer: Any,
    target: Path,
    output_name: str,
    quantize: Quantization,
    calibration: list[str] | None = None,
    max_length: int = 128,
    int8_ffn_output: bool = True,
) -> Path:
    """Write `module` (taking input_ids, attention_mask, token_type_ids) to `target` as ONNX.

    Uses the legacy TorchScript exporter: the dynamo exporter's graph names its output twice after
    quantize_dynamic, which onnxruntime then refuses to load; the two exporters' outputs are identical.

    `static` int8 (the default) fixes every activation scale from `calibration` sentences at build time, so a
    sentence's scores do not depend on which other sentences share its batch; `dynamic` int8 computes the
    scales from each batch at run time, so its scores do (issue 9: 53 of 105 scores of one draft moved when
    it was scored beside other texts). Both quantise MatMul weights per channel.

    `int8_ffn_output=False` keeps each feed-forward block's second MatMul in fp32 under static int8: its input,
    the GELU output, has outliers that one fixed activation scale cannot hold. Measured on 300 dev sentences,
    cosine of static int8 to fp32 embeddings: all-mpnet-base-v2 0.41 with it quantised, 0.97 without;
    all-MiniLM-L6-v2 0.93 and 0.99. It costs speed: MiniLM encodes 436 sentences in 0.82 s all int8, 1.04 s with
    these in fp32, 1.34 s wholly in fp32 (one run, 2 cores).
    """
    # torch and onnx (through onnxruntime.quantization) are the training extra, never loaded by serving.
    import torch

    example = tokenizer(["a short example", "another, slightly longer example"], padding=True, return_tensors="pt")
    fp32 = target.with_name(target.stem + ".fp32.onnx")
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            tuple(example[n] if n in example else torch.zeros_like(example["input_ids"]) for n in INPUT_NAMES),
            str(fp32),
            input_names=INPUT_NAMES,
            output_names=[output_name],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in INPUT_NAMES},
            dynamo=False,
            opset_version=17,
        )
    if quantize == "static":
        if not calibration:
            raise ValueError("static quantisation needs calibration sentences")
        _quantize_static(fp32, target, tokenizer, calibration, max_length, int8_ffn_output)
        fp32.unlink()
    elif quantize == "dynamic":
        # The quantiser pulls in onnx, part of the training extra; serving never loads it.
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
        fp32.unlink()
    else:
        fp32.rename(target)
    for sidecar in target.parent.glob("*.data"):
        sidecar.unlink()
    return target


def _ffn_output_matmuls(graph: Any) -> list[str]:
    """Names of the MatMuls that read a feed-forward activation (Hugging Face exports name it
    `intermediate_act_fn`): each block's second, outlier-fed projection."""
    made_by = {out: node.name for node in graph.node for out in node.output}
    return [
        node.name for node in graph.node
        if node.op_type == "MatMul" and "intermediate_act_fn" in made_by.get(node.input[0], "")
    ]


def _quantize_static(
    fp32: Path, target: Path, tokenizer: Any, texts: list[str], max_length: int, int8_ffn_output: bool = True
) -> None:
    # onnx and the quantiser are the training extra; serving never loads them.
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    # The exporter drops inputs the module never reads (MPNet has no token types), and the feeds must match.
    graph = onnx.load(str(fp32), load_external_data=False).graph
    graph_inputs = {i.name for i in graph.input}
    excluded = [] if int8_ffn_output else _ffn_output_matmuls(graph)
    if not int8_ffn_output and not excluded:
        raise ValueError(f"{fp32}: no feed-forward activation found to keep in fp32 (not a Hugging Face export?)")

    def feeds() -> Iterator[dict[str, np.ndarray]]:
        for b in range(0, len(texts), _CALIBRATION_BATCH):
            enc = tokenizer(texts[b : b + _CALIBRATION_BATCH], padding=True, truncation=True,
                            max_length=max_length, return_tensors="np")
            yield {n: enc[n].astype(np.int64) if n in enc else np.zeros_like(enc["input_ids"], dtype=np.int64)
                   for n in INPUT_NAMES if n in graph_inputs}

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = feeds()

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.it, None)

    # The quantiser's advice to run its pre-processing first is logged at WARNING on the root logger; the graph
    # needs none (no shape inference is missing for MatMul), so the advice is kept out of training logs.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        # MatMul only, QDQ, per channel, MinMax: measured on this corpus's fine-tuned MiniLM, the same speed as
        # dynamic int8 on long texts and scores equal to 1.5e-8 whatever the batch (dynamic: up to 1e-2).
        quantize_static(
            str(fp32), str(target), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
            weight_type=QuantType.QInt8, activation_type=QuantType.QUInt8, op_types_to_quantize=["MatMul"],
            calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=excluded,
        )
    finally:
        root.setLevel(level)
