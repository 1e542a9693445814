"""rules/ is a pure core: no I/O, no clock, no Django — except the CLI shell (rules/cli.py)."""

import ast
from pathlib import Path

import pytest

import fairclaim.rules

PACKAGE = Path(fairclaim.rules.__file__).parent
PURE_MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "cli.py")
FORBIDDEN_IMPORTS = {"os", "io", "pathlib", "socket", "subprocess", "requests", "urllib", "django",
                     "shutil", "tempfile", "time", "logging", "sys"}  # fmt: skip
FORBIDDEN_CALLS = {"open", "print", "input"}
CLOCK_READS = {"today", "now", "utcnow"}


def test_there_are_pure_modules_to_check():
    assert {p.name for p in PURE_MODULES} >= {"case_states.py", "case_log.py", "fees.py"}


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: p.name)
def test_module_does_no_io_and_reads_no_clock(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]}
        else:
            names = set()
        assert not names & FORBIDDEN_IMPORTS, f"{path.name}:{node.lineno} imports {names}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} {func.id}()"
            if isinstance(func, ast.Attribute):
                assert func.attr not in CLOCK_READS, f"{path.name}:{node.lineno} .{func.attr}()"
