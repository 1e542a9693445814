"""The repository can be understood on its own: nothing in it points at documents outside it.

docs/architecture.md holds the flow, the layers, the product rules and the contracts; code cites
those, or the legal source itself. The one thing that lives outside is the demo's default photo
folder (settings and its README lines).
"""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOOKED_AT = ["src", "tests", "bench", "docs", "scripts", ".ci"]
ROOT_FILES = ["README.md", "Makefile", "pyproject.toml", "constraints.txt"]
SKIPPED_SUFFIXES = {".mo", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".ico", ".woff2"}

OUTSIDE = re.compile(
    r"\.\./shared|/work/shared|shared/data|shared/reference|\bshared/(?:DESIGN|STYLE)"
    r"|DESIGN\.md|STYLE\.md|market-and-law|architecture-review|walkthrough\.md|security-probe"
)

# Where a mention is allowed, and why.
ALLOWED = {
    # The demo's default photo folder, beside the repository or at /work.
    "src/fairclaim/settings.py": re.compile(r"shared"),
    "README.md": re.compile(r"shared/data/photos"),
    # The pattern that strips old research-note pointers from statements stored before, and
    # the tests that prove a recipient never sees one.
    "src/fairclaim/rules/fees.py": re.compile(r"market-and-law\\\.md"),
    "tests/rules/test_fees.py": re.compile(r"market-and-law\.md C2"),
    "tests/portal/test_payment_step.py": re.compile(r'"market-and-law" not in page'),
    # The catalogue test fails on any such reference in a finding's words: it must name them.
    "tests/rules/test_finding_texts.py": re.compile(r"^INTERNAL = re.compile"),
    "tests/test_repository_stands_alone.py": re.compile(r".*"),
}


def _files():
    for name in ROOT_FILES:
        yield REPO / name
    for top in LOOKED_AT:
        for path in sorted((REPO / top).rglob("*")):
            if (
                path.is_file()
                and path.suffix not in SKIPPED_SUFFIXES
                and "__pycache__" not in path.parts
            ):
                yield path


def test_no_file_points_at_documents_outside_the_repository():
    found = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        name = path.relative_to(REPO).as_posix()
        allowed = ALLOWED.get(name)
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and not (allowed and allowed.search(line)):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_the_architecture_page_is_in_the_repository_and_names_what_code_cites():
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for heading in ("## The flow", "## Layers", "## Which file holds each stage", "## Contracts"):
        assert heading in page
    for rule in range(1, 10):
        assert re.search(rf"^{rule}\. ", page, re.MULTILINE), f"product rule {rule}"


def test_every_app_states_its_role_in_its_package_docstring():
    import ast

    for init in sorted((REPO / "src" / "fairclaim").glob("*/__init__.py")):
        if not (init.parent / "apps.py").exists():
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init.parent.name}/__init__.py has no role docstring"
