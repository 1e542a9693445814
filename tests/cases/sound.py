"""A case the send gate lets go: a checked claim under a documented example's prices, on the
recipient's page served by the `evidence_site` fixture, with a real capture of it."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

from django.utils import timezone

from fairclaim.cases.claims import do_check_claim
from fairclaim.cases.evidence import do_capture_case
from fairclaim.cases.models import Case, Claim, RateCard

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "facts" / "examples"
# The recipient's page, served on loopback, showing the image: the evidence every notice needs.
PAGE = b'<html><body><h1>Laden</h1><img src="/i/1.jpg" width="900" height="600"></body></html>'


def case_with_claim(
    cast, example: str, registered: bool = True, capture: bool = True, **case_fields
) -> Case:
    """A case in review with one checked claim and (unless `capture` is False) a finished,
    verified capture showing the image: everything the send gate asks for."""
    facts = json.loads((EXAMPLES / example).read_text())
    RateCard.objects.update_or_create(
        owner=cast.alice.organisation, defaults={"pricing": facts["pricing"]}
    )
    sighting = cast.match.sighting
    base, _routes = cast.site
    sighting.page_url, sighting.image_url = f"{base}/p/1", f"{base}/i/1.jpg"
    sighting.display_width, sighting.display_height = 900, 600
    sighting.first_seen = sighting.last_seen = datetime(2026, 6, 1, tzinfo=UTC)
    sighting.save()
    work = cast.work
    if registered and facts["work"].get("registration"):
        work.first_published_on = date.fromisoformat(facts["work"]["first_published_on"])
        work.save()
        work.registrations.create(
            office="us_co",
            number="VA 1-234-567",
            effective_date=facts["work"]["registration"]["effective_date"],
        )
    inputs = {
        "jurisdiction": facts["jurisdiction"],
        "site_type": "commercial",
        "usage": facts["pricing"]["entries"][0]["usage"],
        "placement": facts["pricing"]["entries"][0].get("placement") or "",
        "territory": "worldwide",
        "use_started_on": "",
        "recipient_name": "Laden GmbH",
        "recipient_type": "business",
        "recipient_country": facts["recipient"]["country"],
    }
    claim = Claim.objects.create(match=cast.match, inputs=inputs, case=cast.case)
    do_check_claim(claim, timezone.localdate())
    Case.objects.filter(pk=cast.case.pk).update(
        state="review", law_firm=None, recipient_email="info@laden.example", **case_fields
    )
    if capture:
        assert do_capture_case(cast.case.pk, timezone.now()) == 1
    return Case.objects.get(pk=cast.case.pk)
