"""The claim check screen as a rights holder reads it: for a claim producing each finding the
linter can emit, the page names it with a title, a sentence and its legal source, in English and
German, and shows no finding code, no internal key and no pointer to project notes."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from fairclaim.cases.claim_page import cite
from fairclaim.cases.models import Claim, RateCard
from fairclaim.rules.check import check_claim
from fairclaim.rules.facts import parse_facts
from fairclaim.rules.finding_texts import CATALOGUE
from tests.cast import sign_in
from tests.rules.finding_corpus import corpus
from tests.rules.test_finding_texts import INTERNAL, emittable_codes

CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")  # JURISDICTION_SUPPORTED
KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # past_only, web_commercial, past_licence


class VisibleText(HTMLParser):
    """The text a reader sees in <main> (no attributes, scripts or styles)."""

    def __init__(self):
        super().__init__()
        self.parts, self.depth, self.skip = [], 0, 0

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "main"
        self.skip += tag in {"script", "style"}

    def handle_endtag(self, tag):
        self.depth -= tag == "main"
        self.skip -= tag in {"script", "style"}

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@pytest.fixture
def claim(cast):
    RateCard.objects.create(
        owner=cast.alice.organisation,
        pricing={"mode": "rate_card", "name": "P", "currency": "EUR",
                 "entries": [{"usage": "web_commercial", "months": 12, "price": "450.00"}]},
    )  # fmt: skip
    return Claim.objects.create(match=cast.match, inputs={"usage": "web_commercial"})


def page_for(client, claim, result, language):
    claim.result, claim.status, claim.decision = result, "checked", result["decision"]
    claim.save()
    with translation.override(language):
        response = client.get(
            reverse("cases:claim", args=[claim.pk]), HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 200
    return visible(response.content.decode())


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_finding_reads_in_words_with_its_legal_source(client, cast, claim, language):
    sign_in(client, cast.alice)
    shown = set()
    for facts in corpus():
        result = check_claim(parse_facts(facts)).as_json()
        text = page_for(client, claim, result, language)
        where = (language, [f["code"] for f in result["findings"]])
        assert not CODE.findall(text), where
        assert not KEY.findall(text), (where, KEY.findall(text))
        assert not INTERNAL.search(text), where
        assert "Pastonly" not in text
        assert not re.search(r"\b1 started months", text)
        for finding in result["findings"]:
            entry = CATALOGUE[finding["code"]]
            sentence = entry.sentence_for(result["jurisdiction"])
            with translation.override(language):
                title = translation.gettext(entry.title)
                german = translation.gettext(sentence) != sentence
            if language == "de":
                assert title != entry.title, finding["code"]
                assert german, (finding["code"], sentence)
            assert title in text, (language, finding["code"])
            with translation.override(language):
                citation, _principle = cite(entry.source_for(result["jurisdiction"]))
            assert citation in text, (language, finding["code"])
            if language == "de":
                assert "sentence" not in citation
            shown.add(finding["code"])
    assert shown == emittable_codes()


def test_the_page_counts_started_months_in_words(client, cast, claim):
    sign_in(client, cast.alice)
    one = check_claim(
        parse_facts(
            corpus()[0]
            | {
                "sighting": {
                    **corpus()[0]["sighting"],
                    "first_seen": "2026-11-01",
                    "last_seen": "2026-11-20",
                }
            }
        )
    )
    text = page_for(client, claim, one.as_json(), "en")
    assert "(months begun: 1)" in text
    assert "licence for 1 month (" in text
    assert "1 months" not in text
    assert "Past use only (the image is taken down)" in text
    german = page_for(client, claim, one.as_json(), "de")
    assert "(angefangene Monate: 1)" in german
    assert "Lizenz für 1 Monat (" in german
    assert "1 Monate" not in german
    assert "Nur die bisherige Nutzung" in german


def test_a_case_manager_of_another_operator_does_not_find_the_claim(client, cast, claim):
    sign_in(client, cast.outside_manager)
    assert client.get(reverse("cases:claim", args=[claim.pk])).status_code == 404
