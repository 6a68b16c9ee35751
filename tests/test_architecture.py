"""The tree's one dependency direction: serving and training use models; models uses neither; training never
imports serving; the serving process path never imports torch."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), a.name.split(".")[0]) for a in node.names)
    return found


def test_models_imports_neither_training_nor_serving() -> None:
    bad = {(f, m) for f, m in _imports("models") if m in {"training", "serving"}}
    assert not bad


def test_training_never_imports_serving() -> None:
    bad = {(f, m) for f, m in _imports("training") if m == "serving"}
    assert not bad


def test_serving_app_does_not_load_torch() -> None:
    code = "import sys, serving.api.main, models.analyzer, models.extract; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
