"""Refusing a PDF whose compressed streams inflate past a cap, before pdfium parses it.

pdfium inflates a page's content streams, fonts and object streams as it reads text, with no limit of its own;
a small upload holding a Flate "bomb" would take memory without bound. Each Flate stream is inflated here once,
a bounded chunk at a time, and only counted, so memory stays flat and the CPU spent is bounded by the cap.
Image streams are skipped: text extraction never decodes them, and scanned pages legitimately hold large ones.
"""

from __future__ import annotations

import re
import zlib

from reviewlens.models.extract.errors import ExtractionError

_STREAM = re.compile(rb"stream\r?\n")
_OBJ = re.compile(rb"\bobj\b")
_FLATE = re.compile(rb"/(FlateDecode|Fl)\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_CHUNK = 1 << 16
# How far back from `stream` the stream's dictionary may start (dictionaries are short; a crafted one is cut).
_DICT_WINDOW = 4096


def check_pdf_inflation(data: bytes, limit: int) -> None:
    """Raise ExtractionError when the PDF's non-image Flate streams inflate to more than `limit` bytes together."""
    total = 0
    for match in _STREAM.finditer(data):
        if match.start() and data[match.start() - 3 : match.start()] == b"end":
            continue  # `endstream` followed by a line break
        head = data[max(0, match.start() - _DICT_WINDOW) : match.start()]
        objs = list(_OBJ.finditer(head))
        head = head[objs[-1].end() :] if objs else head
        if not _FLATE.search(head) or _IMAGE.search(head):
            continue
        total += _inflated_size(data, match.end(), limit - total)
        if total > limit:
            raise ExtractionError(
                f"the PDF expands to more than {limit // 1_000_000} MB of content (a compressed 'bomb'?); "
                "it was not read"
            )


def _inflated_size(data: bytes, start: int, budget: int) -> int:
    """Bytes one Flate stream starting at `start` inflates to, counting stops once past `budget`.

    A stream that is not valid zlib (encrypted, corrupt) counts what it gave before failing: pdfium reports those.
    """
    inflater = zlib.decompressobj()
    produced = 0
    pos = start
    pending = b""
    try:
        while not inflater.eof and produced <= budget:
            if not pending:
                pending = data[pos : pos + _CHUNK]
                pos += _CHUNK
                if not pending:
                    break
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            produced += len(out)
    except zlib.error:
        pass
    return produced
