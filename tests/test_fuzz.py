"""Bounded fuzzing (hypothesis): the extractors and the LanguageTool `data` parser either read their input or
raise their own error for it; nothing else escapes, whatever the bytes."""

from __future__ import annotations

import io
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewlens.models.extract import ExtractionError, read_bytes
from reviewlens.serving.api.languagetool import AnnotationError, from_annotation

# A fixed number of examples, no deadline: the suite's time is bounded, and a slow CI machine is not a failure.
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _read(data: bytes, name: str) -> None:
    try:
        document = read_bytes(data, name)
    except ExtractionError:
        return
    assert document.text.strip()


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["a.txt", "a.md", "a.pdf", "a.docx"]))
def test_extractors_take_any_bytes(data: bytes, name: str) -> None:
    _read(data, name)


@FUZZ
@given(st.dictionaries(st.sampled_from(["word/document.xml", "[Content_Types].xml", "_rels/.rels", "x"]),
                       st.binary(max_size=512), max_size=4))
def test_docx_reader_takes_any_zip(parts: dict[str, bytes]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    _read(buf.getvalue(), "fuzz.docx")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["text", "markup", "interpretAs",
                                                                                  "annotation", "x"]), inner,
                                                                max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.one_of(st.text(max_size=200), _json.map(json.dumps), _json.map(lambda v: json.dumps({"annotation": v}))))
def test_languagetool_data_parser_takes_any_string(data: str) -> None:
    try:
        parsed = from_annotation(data)
    except AnnotationError:
        return
    assert len(parsed.to_original) == len(parsed.text) + 1
