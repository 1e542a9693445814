"""One vocabulary for the case log: every writer names a declared kind, never a free string."""

import ast
from pathlib import Path

import pytest

import fairclaim
from fairclaim.cases.log import append_event
from fairclaim.cases.models import Notice
from fairclaim.rules.case_events import LogKind, UnknownEntryKind

SRC = Path(fairclaim.__file__).parent
# The second argument of these calls is a log kind or a state-changing event.
WRITERS = {"append_event", "do_transition"}


def _calls_with_a_literal_kind():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            kind = node.args[1]
            if name in WRITERS and isinstance(kind, ast.Constant | ast.JoinedStr):
                yield f"{path.relative_to(SRC)}:{node.lineno} {name}({ast.unparse(kind)})"


def test_no_writer_of_the_case_log_spells_a_kind_as_a_free_string():
    assert list(_calls_with_a_literal_kind()) == []


def test_every_notice_kind_has_a_declared_delivery_entry():
    for kind in Notice.Kind:
        assert LogKind.delivered(kind) in LogKind


def test_an_undeclared_kind_never_reaches_the_log(cast):
    before = cast.case.events.count()
    with pytest.raises(UnknownEntryKind):
        append_event(cast.case, "something_new", {}, actor="system")
    assert cast.case.events.count() == before
