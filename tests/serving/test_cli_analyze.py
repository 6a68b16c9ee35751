import json
from pathlib import Path

from typer.testing import CliRunner

from reviewlens.cli.main import app


def test_analyze_text_file_json_text_and_html(tiny_model_dir: Path, sample_review: str, tmp_path: Path) -> None:
    src = tmp_path / "draft.md"
    src.write_text(sample_review, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["analyze", str(src), "--model", str(tiny_model_dir)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["offset_unit"] == "codepoint" and result["findings"]
    out = runner.invoke(app, ["analyze", str(src), "--model", str(tiny_model_dir), "--format", "text"])
    assert out.exit_code == 0 and "concern(s):" in out.stdout
    html = tmp_path / "out.html"
    out = runner.invoke(app, ["analyze", str(src), "--model", str(tiny_model_dir), "-f", "html", "-o", str(html)])
    assert out.exit_code == 0 and "<mark" in html.read_text()


def test_analyze_jsonl_keeps_order_and_ids(tiny_model_dir: Path, sample_review: str, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    items = [{"id": f"r{i}", "text": sample_review[: 400 * (i + 1)]} for i in range(5)]
    src.write_text("".join(json.dumps(x) + "\n" for x in items))
    dest = tmp_path / "out.jsonl"
    out = CliRunner().invoke(
        app,
        ["analyze", "--jsonl", str(src), "--output", str(dest), "--model", str(tiny_model_dir), "--batch-size", "2"],
    )
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in dest.read_text().splitlines()]
    assert [x["id"] for x in lines] == [f"r{i}" for i in range(5)]
    assert lines[0]["document"]["characters"] == 400


def test_analyze_errors_are_clear(tiny_model_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["analyze", str(tmp_path / "missing.pdf"), "--model", str(tiny_model_dir)])
    assert out.exit_code == 1 and "missing.pdf" in out.output
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    out = runner.invoke(app, ["analyze", str(empty), "--model", str(tiny_model_dir)])
    assert out.exit_code == 1
    out = runner.invoke(app, ["analyze", str(empty), "--model", str(tmp_path / "no-model")])
    assert out.exit_code == 1 and "does not exist" in out.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no id"}\n')
    out = runner.invoke(
        app, ["analyze", "--jsonl", str(bad), "--output", str(tmp_path / "o.jsonl"), "--model", str(tiny_model_dir)]
    )
    assert out.exit_code == 1 and "bad.jsonl:1" in out.output
