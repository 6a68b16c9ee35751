"""Exporting a torch sentence model to ONNX, optionally quantised to int8: shared by every neural backend."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def export_onnx(module: Any, tokenizer: Any, target: Path, output_name: str, quantize: bool) -> Path:
    """Write `module` (taking input_ids, attention_mask, token_type_ids) to `target` as ONNX.

    Uses the legacy TorchScript exporter: the dynamo exporter's graph names its output twice after
    quantize_dynamic, which onnxruntime then refuses to load; the two exporters' outputs are identical.
    Quantisation is dynamic int8, per channel, which keeps cosine fidelity to fp32 near 0.99 on this CPU
    (per-tensor drops to about 0.96).
    """
    # torch and onnx (through onnxruntime.quantization) are the training extra, never loaded by serving.
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    example = tokenizer(["a short example", "another, slightly longer example"], padding=True, return_tensors="pt")
    fp32 = target.with_name(target.stem + ".fp32.onnx")
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            tuple(example[n] for n in INPUT_NAMES),
            str(fp32),
            input_names=INPUT_NAMES,
            output_names=[output_name],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in INPUT_NAMES},
            dynamo=False,
            opset_version=17,
        )
    if quantize:
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
        fp32.unlink()
    else:
        fp32.rename(target)
    for sidecar in target.parent.glob("*.data"):
        sidecar.unlink()
    return target
