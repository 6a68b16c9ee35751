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


def test_serving_works_without_torch(tiny_model_dir: Path) -> None:
    """With torch made unimportable (as `reviewlens serve` does), the app loads a model and analyses text."""
    code = (
        "import sys; from reviewlens.models.runtime import block_torch; block_torch()\n"
        "from fastapi.testclient import TestClient\n"
        "from reviewlens.serving.api.main import create_app\n"
        "from reviewlens.serving.api.settings import Settings\n"
        f"with TestClient(create_app(Settings(model={str(tiny_model_dir)!r}))) as c:\n"
        "    r = c.post('/v1/analyze', json={'text': 'Analysis\\n\\nThe case was closed after Mother said he left.'})\n"
        "    assert r.status_code == 200, r.text\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
