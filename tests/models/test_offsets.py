"""Code points to UTF-16 units, the count JavaScript and Java tools use."""

from reviewlens.models.offsets import Utf16Offsets


def test_each_astral_character_before_an_offset_adds_one_unit() -> None:
    text = "a😀b𝒜c"
    u16 = Utf16Offsets(text)
    assert [u16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert u16(len(text)) == len(text.encode("utf-16-le")) // 2
