"""Golden demands: for every law we model (US, DE, UK) and every letter language (en, de, fr,
es, it) a demand is rendered the way the product renders it — the e-mail's text and HTML and the
PDF's text through poppler's `pdftotext` — and read like a lawyer would: salutation, who writes
for whom (address, a named contact), per work the damages, the expenses and a subtotal, the two
offers each with net, VAT and gross, the legal basis; and the amounts add up to the cent. A
non-English letter carries no English fee or basis text."""

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import timezone, translation

from fairclaim.cases.claims import do_check_claim
from fairclaim.cases.models import Case, Claim, RateCard
from fairclaim.cases.notice_context import build_context
from fairclaim.letters import formats
from fairclaim.letters.fee_section import build_fee_section
from fairclaim.letters.render import render_notice
from fairclaim.rules.money import Money
from tests.cases.conftest import evidence_site, signing  # noqa: F401 - fixtures
from tests.cases.sound import EXAMPLES, case_with_claim

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "fairclaim" / "letters" / "locale"
# law (as the case records it) → the documented example claimed under it, and a statute its
# damages line must cite in every part of the letter.
LAWS = {
    "DE": ("de-send-shop-missing-credit.json", "§ 97 Abs. 2 S. 3 UrhG"),
    "US": ("us-send-registered.json", "17 U.S.C. § 504(b)"),
    "GB": ("uk-send-rate-card.json", "CDPA 1988 s. 96(2)"),
}
LANGUAGES = ("en", "de", "fr", "es", "it")
SALUTATION = {
    "en": "Dear Sir or Madam,",
    "de": "Sehr geehrte Damen und Herren,",
    "fr": "Madame, Monsieur,",
    "es": "Estimados señores:",
    "it": "Gentili Signore e Signori,",
}
# The words each part of the statement is headed by, per language.
HEADINGS = {
    "en": ("Damages", "Expenses", "Subtotal for this work", "Offer 1", "Offer 2", "VAT", "Net"),
    "de": ("Schadensersatz", "Aufwendungsersatz", "Zwischensumme", "Angebot 1", "Angebot 2",
           "Umsatzsteuer", "Netto"),
    "fr": ("Dommages-intérêts", "Remboursement des frais", "Sous-total", "Offre 1", "Offre 2",
           "TVA", "HT"),
    "es": ("Indemnización por daños", "Reembolso de gastos", "Subtotal", "Oferta 1", "Oferta 2",
           "IVA", "neto"),
    "it": ("Risarcimento del danno", "Rimborso delle spese", "Subtotale", "Offerta 1",
           "Offerta 2", "IVA", "Imponibile"),
}  # fmt: skip
OPERATOR_ADDRESS = "Ops GmbH\nHauptstraße 1\n10115 Berlin"
CONTACT = "Maria Muster"
RECIPIENT_ADDRESS = "Laden GmbH\nMarktplatz 5\n80331 München"


def claimed_case(cast, law: str, language: str) -> Case:
    """A case under `law` with one checked claim whose price list also names an expense and
    charges VAT, so that every part of the statement has something to show."""
    example, _statute = LAWS[law]
    facts = json.loads((EXAMPLES / example).read_text())
    currency = facts["pricing"]["currency"]
    case = case_with_claim(
        cast, example, capture=False, language=language, jurisdiction=law, currency=currency
    )
    pricing = {
        **facts["pricing"],
        "expenses": [{"kind": "documentation", "amount": "85.00", "basis": "Beweissicherung"}],
        "vat": {"rate": "0.19", "on_past_use": True, "on_future_licence": True},
    }
    RateCard.objects.filter(owner=cast.alice.organisation).update(pricing=pricing)
    do_check_claim(Claim.objects.get(case=case), timezone.localdate())
    operator = cast.manager.organisation
    operator.address, operator.email = OPERATOR_ADDRESS, "cases@ops.example"
    operator.save()
    cast.manager.first_name, cast.manager.last_name = CONTACT.split()
    cast.manager.save()
    Case.objects.filter(pk=case.pk).update(
        recipient_name="Laden GmbH", recipient_address=RECIPIENT_ADDRESS
    )
    return Case.objects.get(pk=case.pk)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "demand.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def flat(text: str) -> str:
    """Whitespace (line breaks inside table cells, no-break spaces) as single spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.usefixtures("signing", "evidence_site")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("law", sorted(LAWS))
def test_golden_demand_reads_like_a_lawyers_statement_and_adds_up(cast, tmp_path, law, language):
    case = claimed_case(cast, law, language)
    context = build_context(
        case, access_code="ABCD-EFGH", link_token="", today=timezone.localdate()
    )
    rendered = render_notice(context, kind="demand")
    locale = formats.locale_for(language, law)
    with translation.override(language):
        section = build_fee_section(context.statements, law, locale)
    assert section is not None
    assert section.reconciles()

    # The amounts add up to the cent, from the typed statement itself.
    [(title, statement)] = context.statements
    damages = [line.amount for line in statement.lines if line.group == "damages"]
    expenses = [line.amount for line in statement.lines if line.group == "expenses"]
    future = [line.amount for line in statement.lines if "past_only" not in line.offers]
    assert damages
    assert expenses
    assert future
    zero = Money.zero(statement.currency)
    subtotal = sum(damages + expenses, zero)
    past, both = statement.offers["past_only"], statement.offers["past_and_future"]
    assert past.net == subtotal
    assert both.net == subtotal + sum(future, zero)
    for offer in (past, both):
        assert offer.net + offer.vat == offer.gross
        assert offer.vat.amount == (offer.net.amount * Decimal("0.19")).quantize(Decimal("0.01"))

    money = lambda value: flat(formats.money(value, locale))  # noqa: E731
    statute = LAWS[law][1]
    parts = {
        "text": flat(rendered.text),
        "html": flat(re.sub(r"<[^>]+>", " ", rendered.html)),
        "pdf": flat(pdf_text(rendered.pdf, tmp_path)),
    }
    for part, text in parts.items():
        where = (law, language, part)
        assert SALUTATION[language] in text, where
        for who in ("Ops", "Alice Photo", "Hauptstraße 1", "10115 Berlin", CONTACT,
                    "Laden GmbH", "Marktplatz 5"):  # fmt: skip
            assert who in text, (where, who)
        assert title in text, where
        for heading in HEADINGS[language]:
            assert heading in text, (where, heading)
        assert statute in text, where  # the legal basis, in the plain text as well
        for amount in (subtotal, past.net, past.vat, past.gross, both.net, both.vat, both.gross):
            assert money(amount) in text, (where, str(amount))
        for line in statement.lines:
            assert money(line.amount) in text, (where, line.code)
        # The future licence is listed with the second offer, never under the damages.
        damages_at = text.index(HEADINGS[language][0])
        offer2_at = text.index(HEADINGS[language][4])
        future_money = money(future[0])
        assert text.rindex(future_money) > offer2_at > damages_at, where


def english_phrases() -> set[str]:
    """Every English sentence the letters' catalogues translate (their msgids), long enough to
    be unmistakable in another language's letter."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    phrases = set()
    for message in catalogue:
        text = str(message.id or "")
        words = re.split(r"%\([a-z_]+\)s", text)
        phrases |= {w.strip(' :;,.()“”"') for w in words if len(w.strip()) >= 12}
    return phrases


@pytest.mark.usefixtures("signing", "evidence_site")
@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_no_english_fee_or_basis_text_in_a_letter_in_another_language(cast, tmp_path, language):
    phrases = english_phrases()
    assert len(phrases) > 40
    for law in sorted(LAWS):
        case = claimed_case(cast, law, language)
        context = build_context(case, access_code="", link_token="", today=timezone.localdate())
        rendered = render_notice(context, kind="demand")
        for part, text in (("text", rendered.text), ("html", rendered.html)):
            found = sorted(p for p in phrases if p in text)
            assert not found, (law, language, part, found)
        Claim.objects.filter(case=case).delete()
