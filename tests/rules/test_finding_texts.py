"""Every finding the linter can emit has a title, a plain sentence and a legal source a person can
look up; none of them points at project notes or shows a code."""

import ast
import re
from pathlib import Path

import pytest

from fairclaim.rules import finding_texts, sources
from fairclaim.rules.check import check_claim
from fairclaim.rules.facts import parse_facts
from fairclaim.rules.finding_texts import CATALOGUE, LIMITATION_JURISDICTIONS
from fairclaim.rules.findings import Finding, fill, sentence_params
from fairclaim.rules.linter import SUPPORTED_JURISDICTIONS
from tests.rules.finding_corpus import corpus

RULES = Path(finding_texts.__file__).parent
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
# What a reader cannot look up: project files, research tags, internal rule numbers.
INTERNAL = re.compile(r"\.md\b|\[[A-Z]{1,2}\d{1,3}\]|DESIGN|market-and-law|product rule|docs/")


def _codes_of(call: ast.Call, function: ast.AST) -> set[str]:
    """The codes one `Finding(...)` call can emit, read from its first argument."""
    arg = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "code")
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.IfExp):
        return _codes_of(ast.Call(args=[arg.body], keywords=[]), function) | _codes_of(
            ast.Call(args=[arg.orelse], keywords=[]), function
        )
    if isinstance(arg, ast.JoinedStr):
        # f"{j}_LIMITATION_OK": one code per jurisdiction the rules model
        return {
            "".join(
                j if isinstance(part, ast.FormattedValue) else str(part.value)  # type: ignore[attr-defined]
                for part in arg.values
            )
            for j in SUPPORTED_JURISDICTIONS
        }
    if isinstance(arg, ast.Name):
        # code = {"own": "OWN_SITE", ...}[kind]: every code the assignment can produce
        found = {
            node.value
            for assign in ast.walk(function)
            if isinstance(assign, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in assign.targets)
            for node in ast.walk(assign.value)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CODE.match(node.value)
        }
        assert found, f"cannot tell which codes {arg.id!r} holds"
        return found
    raise AssertionError(f"a finding code built as {ast.dump(arg)}: teach this test to read it")


def emittable_codes() -> set[str]:
    """Every finding code some module of rules/ can emit, read from the source code."""
    codes: set[str] = set()
    for path in sorted(RULES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == Finding.__name__
                ):
                    codes |= _codes_of(call, function)
    return codes


def test_the_catalogue_has_exactly_the_codes_the_rules_can_emit():
    codes = emittable_codes()
    assert len(codes) > 40  # the reader found the rules
    assert sorted(codes - set(CATALOGUE)) == [], "codes without a title, sentence and source"
    assert sorted(set(CATALOGUE) - codes) == [], "catalogue entries no rule emits"


def test_the_corpus_makes_every_code_appear():
    seen = {f.code for facts in corpus() for f in check_claim(parse_facts(facts)).findings}
    assert seen == emittable_codes()


def _all_findings():
    for facts in corpus():
        result = check_claim(parse_facts(facts))
        for finding in result.as_json()["findings"]:
            yield result.jurisdiction, finding


def test_every_emitted_finding_reads_as_a_title_a_sentence_and_a_citation():
    for jurisdiction, finding in _all_findings():
        where = f"{finding['code']} ({jurisdiction})"
        assert finding["title"], where
        assert finding["sentence"].endswith("."), where
        assert "…" not in finding["sentence"], where
        assert "%(" not in finding["sentence"], where
        source = finding["legal_source"]
        assert source["citation"] or source["principle"], where
        for text in (finding["title"], finding["sentence"], source["citation"], finding["source"]):
            assert not INTERNAL.search(text), (where, text)
            assert not CODE.search(text), (where, text)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_entry_cites_a_statute_or_a_case_for_every_law(code):
    text = CATALOGUE[code]
    for jurisdiction in (*LIMITATION_JURISDICTIONS, "FR", None):
        source = text.source_for(jurisdiction)
        assert source.statutes or source.cases or source.principle
        assert not INTERNAL.search(source.cite() + source.principle)
    for sentence in text.sentences():
        assert not INTERNAL.search(sentence)
        assert not CODE.search(sentence)


def test_no_source_text_points_at_project_notes():
    for name in dir(sources):
        value = getattr(sources, name)
        if name.startswith("SOURCE_"):
            assert not INTERNAL.search(value), name


def test_the_german_credit_rules_cite_the_statute_and_the_leading_cases():
    source = CATALOGUE["CREDIT_MISSING"].source_for("DE")
    assert source.cite().startswith("UrhG §§ 13, 72")
    assert "OLG Hamm, 4 U 34/15" in source.cases
    assert "17 U.S.C. §§ 412, 504(c)" in CATALOGUE["US_412_UNAVAILABLE"].source_for("US").cite()
    assert CATALOGUE["CREDIT_MISSING"].source_for("UK").cite() == "CDPA 1988 ss. 77, 78, 96"


def test_sentences_take_their_figures_from_the_details():
    params = sentence_params({"reference": "INV-1", "claimable": ["2024-01-01", "2026-11-20"]})
    assert params["claimable_from"] == "2024-01-01"
    assert fill("Licence %(reference)s.", params) == "Licence INV-1."
    assert fill("Licence %(reference)s in %(case_ref)s.", params) == "Licence INV-1 in …."
