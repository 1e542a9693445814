import pytest

from fairclaim.rules.references import case_reference, find_case_references, normalise_reference


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


def test_a_reference_is_the_prefix_the_year_and_six_digits_of_the_number():
    assert case_reference(2026, 123) == "FC-2026-000123"
    assert case_reference("2027", "1") == "FC-2027-000001"


@pytest.mark.parametrize("typed", ["FC-2026-000123", "fc 2026 123", " FC/2026/000123 "])
def test_a_typed_reference_reads_back_in_its_stored_form(typed):
    assert normalise_reference(typed) == "FC-2026-000123"


def test_text_not_shaped_like_a_reference_matches_nothing_stored():
    assert normalise_reference(" abc-12 ") == "ABC-12"


def test_every_reference_made_is_found_again_in_a_remittance():
    made = case_reference(2026, 4711)
    assert find_case_references(f"Rechnung {made} Rate 1/3") == [made]
    assert normalise_reference(made.lower()) == made
