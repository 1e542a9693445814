import pytest

from fairclaim.payments.references import find_case_references


@pytest.mark.parametrize(
    "text",
    [
        "FC-2026-000123",
        "fc-2026-000123",
        "FC 2026 000123",
        "Ref: fc2026000123 thanks",
        "FC/2026/123",
        "Rechnung FC_2026_000123 Rate 2",
        "F C - 2026 - 000123",
    ],
)
def test_finds_the_reference_however_it_is_typed(text):
    assert find_case_references(text) == ["FC-2026-000123"]


@pytest.mark.parametrize(
    "text", ["", "invoice 2026-000123", "OFC-2026-000123", "FC-2026-0001234", "FC-1999-000001"]
)
def test_ignores_what_is_not_a_case_reference(text):
    assert find_case_references(text) == []


def test_lists_several_references_once_each_in_order():
    text = "FC-2026-000002 and fc 2026 000001, again FC-2026-000002"
    assert find_case_references(text) == ["FC-2026-000002", "FC-2026-000001"]
