"""The tree's one dependency direction, checked on the real import graph.

serving and training use models; models uses neither; serving and training never import each other; only the
CLI front door (reviewlens.cli) sees both. No import circles. Imports inside functions are allowed only to defer
a heavy optional dependency, with a comment saying so. The serving process path never imports torch, and the
wheel installs nothing but the reviewlens namespace.
"""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"models": "reviewlens.models", "training": "reviewlens.training", "serving": "reviewlens.serving",
            "reviewlens/cli": "reviewlens.cli"}


def _module_name(path: Path) -> str:
    for folder, dotted in PACKAGES.items():
        base = ROOT / folder
        if path.is_relative_to(base):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join([dotted, *parts])
    raise AssertionError(path)


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for folder in PACKAGES for p in (ROOT / folder).rglob("*.py")}


def _imports(tree: ast.AST) -> list[tuple[str, ast.stmt]]:
    found: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.extend((f"{node.module}.{a.name}", node) for a in node.names)
            found.append((node.module, node))
        elif isinstance(node, ast.Import):
            found.extend((a.name, node) for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _sources()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target, _ in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            # `from pkg.mod import name` names either a module or an attribute: keep whichever is a module.
            if target in modules and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def _layer(module: str) -> str:
    return module.split(".")[1] if module.startswith("reviewlens.") else module


def _crossing(source: str, forbidden: set[str]) -> set[tuple[str, str]]:
    return {(m, t) for m, targets in _graph().items() if _layer(m) == source for t in targets
            if _layer(t) in forbidden}


def test_models_imports_neither_training_nor_serving() -> None:
    assert not _crossing("models", {"training", "serving", "cli"})


def test_training_never_imports_serving() -> None:
    assert not _crossing("training", {"serving", "cli"})


def test_serving_never_imports_training() -> None:
    assert not _crossing("serving", {"training", "cli"})


def test_no_old_top_level_import_names() -> None:
    bad = [(m, t) for m, p in _sources().items() for t, _ in _imports(ast.parse(p.read_text(encoding="utf-8")))
           if t.split(".")[0] in {"models", "training", "serving"}]
    assert not bad


def test_no_import_circles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above it within its block of imports."""
    if "#" in lines[lineno - 1]:
        return True
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith(("import ", "from ")):
        i -= 1
    return i >= 0 and lines[i].strip().startswith("#")


def test_function_level_imports_only_defer_heavy_optional_dependencies() -> None:
    """An import inside a function hides the real graph: allowed only to defer a heavy optional dependency (or the
    project module that wraps one), with a comment saying so."""
    offenders = []
    for path in _sources().values():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for fn in ast.walk(ast.parse(source)):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                target = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if not _commented(lines, node.lineno):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {target}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.slow
def test_wheel_installs_only_the_reviewlens_namespace(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("reviewlens-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"reviewlens"}
    assert "reviewlens/models/analyzer.py" in names
    assert "reviewlens/cli/main.py" in names
    assert "reviewlens/serving/templates/report.html.j2" in names


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
