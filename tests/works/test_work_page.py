"""A work's page tells its story: its id, where it was found (matches) and its cases."""

from decimal import Decimal

from fairclaim.cases.models import CaseLine
from tests.cast import sign_in


def test_work_page_lists_its_matches_and_cases(client, cast):
    CaseLine.objects.filter(case=cast.case).update(amount=Decimal("450.00"))
    sign_in(client, cast.alice)
    page = client.get(cast.work.get_absolute_url()).content.decode()
    assert f"<dt>Work ID</dt><dd>{cast.work.pk}</dd>" in page
    assert cast.match.get_absolute_url() in page
    assert "shop.example" in page
    assert cast.case.reference in page
    assert "450.00 EUR" in page


def test_strangers_and_their_work_pages(client, cast):
    sign_in(client, cast.charlie)
    assert client.get(cast.work.get_absolute_url()).status_code == 404
    page = client.get(cast.charlie_work.get_absolute_url()).content.decode()
    assert "Not found anywhere yet." in page
    assert cast.case.reference not in page
