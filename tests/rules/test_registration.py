"""17 U.S.C. §412: statutory damages and fees by registration timing."""

from datetime import date

import pytest

from fairclaim.rules.registration import statutory_damages_available

D = date


@pytest.mark.parametrize(
    ("commenced", "published", "effective", "available", "why"),
    [
        # registration exactly three months after publication still counts; a day later not
        (D(2024, 4, 14), D(2024, 1, 15), D(2024, 4, 15), True, "within three months"),
        (D(2024, 4, 15), D(2024, 1, 15), D(2024, 4, 16), False, "§412(2)"),
        (D(2024, 3, 1), D(2024, 1, 15), D(2024, 4, 15), True, "within three months"),
        (D(2024, 3, 1), D(2024, 1, 15), D(2024, 6, 1), False, "§412(2)"),
        (D(2024, 7, 1), D(2024, 1, 15), D(2024, 6, 1), True, "on or after"),
        (D(2024, 6, 1), D(2024, 1, 15), D(2024, 6, 1), True, "on or after"),
        (D(2024, 5, 31), D(2024, 1, 15), D(2024, 6, 1), False, "§412(2)"),
        # leap years: three months after 29/30 Nov 2023 end on 29 Feb 2024
        (D(2024, 1, 10), D(2023, 11, 29), D(2024, 2, 29), True, "grace ends 2024-02-29"),
        (D(2024, 1, 10), D(2023, 11, 30), D(2024, 2, 29), True, "grace ends 2024-02-29"),
        (D(2024, 1, 10), D(2023, 11, 30), D(2024, 3, 1), False, "grace ended 2024-02-29"),
        (D(2025, 1, 10), D(2024, 11, 30), D(2025, 3, 1), False, "grace ended 2025-02-28"),
        # unpublished work (or published only after the infringement began): no grace
        (D(2024, 1, 1), None, D(2024, 2, 1), False, "§412(1)"),
        (D(2024, 1, 1), None, D(2023, 12, 31), True, "on or after"),
        (D(2024, 3, 1), D(2024, 5, 1), D(2024, 6, 1), False, "§412(1)"),
        (D(2024, 3, 1), D(2024, 5, 1), None, False, "no registration"),
    ],
)
def test_statutory_damages_by_registration_timing(commenced, published, effective, available, why):
    verdict = statutory_damages_available(commenced, published, effective)
    assert verdict.available is available
    assert why in verdict.reason
