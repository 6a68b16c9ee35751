"""The --metadata CSV: file name → year, area, doc_kind and any other columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewlens.serving.bulk.metadata import MetadataError, read_metadata


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "meta.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_rows_are_found_by_name_or_path_and_kinds_normalised(tmp_path: Path) -> None:
    meta = read_metadata(_csv(tmp_path, (
        "\ufeffFilename, Year ,Area,Doc_Kind,Lead reviewer,Empty\n"
        "a.pdf,2019,North,Rapid review,Dr A,\n"
        "sub/b.pdf,2020,South,LCSPR,,\n"
        ",2021,West,scr,,\n"
    )))
    assert meta.lookup("/data/reviews/a.pdf") == {
        "year": "2019", "area": "North", "doc_kind": "rapid_review", "lead reviewer": "Dr A"}
    assert meta.doc_kind("sub/b.pdf") == "lcspr"
    assert meta.lookup("/elsewhere/c.pdf") == {}
    assert meta.columns == ["area", "doc_kind", "lead reviewer", "year"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year,area\n2019,North\n", "needs a column naming the file"),
        ("file,doc_kind\na.pdf,inspection\n", "line 2: doc_kind 'inspection' is not one of"),
        ("file,year\na.pdf,2019\nb.pdf,20x1\n", "line 3: year '20x1' is not a whole number"),
        ("file,year\na.pdf,2019\na.pdf,2020\n", "line 3: 'a.pdf' has a row already"),
    ],
)
def test_bad_metadata_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        read_metadata(_csv(tmp_path, text))


def test_non_utf8_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="not UTF-8"):
        read_metadata(_csv(tmp_path, "file,area\na.pdf,Wrexham – Gŵyr\n", encoding="utf-16"))
    with pytest.raises(MetadataError, match="cannot read metadata"):
        read_metadata(tmp_path / "missing.csv")
