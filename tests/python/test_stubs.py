"""The type stubs of the native module match what it exports at run time."""
import ast
import pathlib

import omo
from omo import _native

STUB = pathlib.Path(omo.__file__).with_name("_native.pyi")


def _stub_names():
    tree = ast.parse(STUB.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_native_name_has_a_stub_and_every_stub_exists():
    runtime = {n for n in dir(_native) if not n.startswith("_") or n == "__version__"}
    assert _stub_names() == runtime


def test_stubbed_classes_have_their_methods():
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(_native, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name != "__init__":
                    assert hasattr(cls, item.name), f"{node.name}.{item.name}"
