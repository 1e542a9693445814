"""A recipient on a phone resolves a case in the portal, in English and in German (Chromium)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from fairclaim.accounts.models import Organisation
from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.models import Case, CaseLine
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from tests.images import photo_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def noticed_case():
    org = Organisation.objects.create(name="Ada Lens Photography", slug="ada", kind="rights_holder")
    work = do_register_image(
        org,
        None,
        check_image("harbour.jpg", photo_bytes(8), upload_limits()),
        title="Harbour at dawn",
        creator="Ada Lens",
    )
    do_process_work(work.pk)
    now = timezone.now()
    sighting = Sighting.objects.create(
        organisation=org,
        source="crawl",
        page_url="https://laden.example/kueche",
        image_url="https://laden.example/img/hero.jpg",
        page_domain="laden.example",
        first_seen=now,
        last_seen=now,
    )
    match = Match.objects.create(work=work, sighting=sighting, score=0.97, inliers=150)
    case = Case.objects.create(
        rights_holder=org,
        jurisdiction="DE",
        recipient_domain="laden.example",
        recipient_country="DE",
        state="notice_sent",
    )
    CaseLine.objects.create(case=case, work=work, match=match)
    return case, new_access_code(case)


def open_portal(page, base, case, code, labels):
    page.goto(f"{base}/portal/")
    page.get_by_label(labels["reference"]).fill(case.reference)
    page.get_by_label(labels["code"]).fill(code)
    page.get_by_role("button", name=labels["open"]).click()


def test_on_a_phone_in_english_the_recipient_sees_evidence_and_shows_a_licence(
    live_server, browser: Browser, tmp_path
):
    case, code = noticed_case()
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    open_portal(
        page,
        live_server.url,
        case,
        code,
        {"reference": "Case reference", "code": "Access code", "open": "Open case"},
    )
    expect(page.get_by_role("heading", name=f"Case {case.reference}")).to_be_visible()
    expect(page.locator("#evidence")).to_contain_text("https://laden.example/kueche")
    expect(page.locator("#evidence")).to_contain_text(case.lines.get().work.sha256)
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="2 · I have a licence").click()
    proof = tmp_path / "licence.pdf"
    proof.write_bytes(PDF)
    page.get_by_label("Who holds the licence").fill("Laden GmbH")
    page.get_by_label("Where it came from").fill("Stock agency")
    page.get_by_label("Proof (PDF, JPEG or PNG, up to 20 MB)").set_input_files(str(proof))
    page.get_by_role("button", name="Send licence").click()
    expect(page.get_by_role("status")).to_contain_text("Your licence is being reviewed")
    case.refresh_from_db()
    assert case.state == "licence_review"
    context.close()


def test_on_a_phone_in_german_the_recipient_raises_a_defence_and_writes(
    live_server, browser: Browser
):
    case, code = noticed_case()
    context = browser.new_context(**PHONE, locale="de-DE")
    page = context.new_page()
    open_portal(
        page,
        live_server.url,
        case,
        "WRONG-CODE",
        {"reference": "Aktenzeichen", "code": "Zugangscode", "open": "Fall öffnen"},
    )
    expect(page.get_by_role("alert")).to_contain_text(
        "Das Aktenzeichen oder der Zugangscode stimmt nicht"
    )
    open_portal(
        page,
        live_server.url,
        case,
        code,
        {"reference": "Aktenzeichen", "code": "Zugangscode", "open": "Fall öffnen"},
    )
    expect(page.get_by_role("heading", name=f"Fall {case.reference}")).to_be_visible()
    page.get_by_role("link", name="Einwand erheben").click()
    page.get_by_label("Bereits entfernt").check()
    page.get_by_label("Erklären Sie es in Ihren eigenen Worten").fill(
        "Das Bild ist seit Mai entfernt."
    )
    page.get_by_role("button", name="Einwand senden").click()
    expect(page.get_by_role("status")).to_contain_text("Ihr Einwand ist eingegangen")
    page.get_by_role("link", name="Nachrichten").click()
    page.get_by_label("Ihre Nachricht").fill("Können wir telefonieren?")
    page.get_by_role("button", name="Senden").click()
    expect(page.locator(".thread")).to_contain_text("Können wir telefonieren?")
    case.refresh_from_db()
    assert case.state == "defence_review"
    context.close()


@pytest.mark.parametrize(
    ("locale", "labels"),
    [
        (
            "en-GB",
            {
                "pay": "Choose and pay",
                "future": "Pay for the past use and license the photo",
                "how": "How to pay",
                "bank": "Bank transfer",
                "go": "Continue",
                "done": "Pay by bank transfer",
            },
        ),
        (
            "de-DE",
            {
                "pay": "Auswählen und bezahlen",
                "future": "Die bisherige Nutzung bezahlen und",
                "how": "Zahlungsweise",
                "bank": "Banküberweisung",
                "go": "Weiter",
                "done": "Per Banküberweisung bezahlen",
            },
        ),
    ],
    ids=["english", "german"],
)
def test_on_a_phone_the_recipient_chooses_the_licence_and_pays_in_instalments(
    live_server, browser: Browser, locale, labels
):
    import json
    from pathlib import Path

    from fairclaim.cases.claims import do_check_claim
    from fairclaim.cases.models import Claim, RateCard

    case, code = noticed_case()
    example = (
        Path(__file__).resolve().parents[2] / "docs/facts/examples/de-send-shop-missing-credit.json"
    )
    RateCard.objects.create(
        owner=case.rights_holder, pricing=json.loads(example.read_text())["pricing"]
    )
    line = case.lines.get()
    sighting = line.match.sighting
    sighting.display_width, sighting.display_height = 900, 600
    sighting.save()
    claim = Claim.objects.create(
        match=line.match,
        case=case,
        inputs={
            "jurisdiction": "DE",
            "site_type": "commercial",
            "usage": "online_shop",
            "placement": "subpage",
            "territory": "worldwide",
            "use_started_on": "",
            "recipient_name": "Laden GmbH",
            "recipient_type": "business",
            "recipient_country": "DE",
        },
    )
    do_check_claim(claim, timezone.localdate())
    context = browser.new_context(**PHONE, locale=locale)
    page = context.new_page()
    reference_label = "Case reference" if locale == "en-GB" else "Aktenzeichen"
    code_label = "Access code" if locale == "en-GB" else "Zugangscode"
    open_label = "Open case" if locale == "en-GB" else "Fall öffnen"
    open_portal(
        page,
        live_server.url,
        case,
        code,
        {"reference": reference_label, "code": code_label, "open": open_label},
    )
    page.get_by_role("link", name=labels["pay"]).click()
    page.get_by_label(labels["future"]).check()
    page.get_by_label(labels["how"]).select_option("3")
    page.get_by_label(labels["bank"]).check()
    page.get_by_role("button", name=labels["go"]).click()
    expect(page.get_by_role("heading", name=labels["done"])).to_be_visible()
    expect(page.locator("main")).to_contain_text(case.reference)
    expect(page.locator("tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


LABELS = {
    "en-GB": {"reference": "Case reference", "code": "Access code", "open": "Open case",
              "case": "Case", "licence": "2 · I have a licence", "holder": "Who holds the licence",
              "source": "Where it came from", "proof": "Proof (PDF, JPEG or PNG, up to 20 MB)",
              "send_licence": "Send licence", "licence_ok": "Your licence is being reviewed",
              "defence": "Raise a defence", "kind": "Already removed",
              "statement": "Explain in your own words", "send_defence": "Send defence",
              "defence_ok": "Your defence has been received", "messages": "Messages",
              "message": "Your message", "send": "Send"},
    "de-DE": {"reference": "Aktenzeichen", "code": "Zugangscode", "open": "Fall öffnen",
              "case": "Fall", "licence": "2 · Ich habe eine Lizenz",
              "holder": "Wer hält die Lizenz", "source": "Woher sie stammt",
              "proof": "Nachweis (PDF, JPEG oder PNG, bis 20 MB)", "send_licence": "Lizenz senden",
              "licence_ok": "Ihre Lizenz wird geprüft", "defence": "Einwand erheben",
              "kind": "Bereits entfernt", "statement": "Erklären Sie es in Ihren eigenen Worten",
              "send_defence": "Einwand senden", "defence_ok": "Ihr Einwand ist eingegangen",
              "messages": "Nachrichten", "message": "Ihre Nachricht", "send": "Senden"},
    "fr-FR": {"reference": "Référence du dossier", "code": "Code d'accès",
              "open": "Ouvrir le dossier", "case": "Dossier", "licence": "2 · J'ai une licence",
              "holder": "Titulaire de la licence", "source": "Provenance",
              "proof": "Justificatif (PDF, JPEG ou PNG, 20 Mo maximum)",
              "send_licence": "Envoyer la licence",
              "licence_ok": "Votre licence est en cours d'examen", "defence": "Contester",
              "kind": "Déjà retiré", "statement": "Expliquez avec vos propres mots",
              "send_defence": "Envoyer la contestation",
              "defence_ok": "Votre contestation a bien été reçue", "messages": "Messages",
              "message": "Votre message", "send": "Envoyer"},
    "es-ES": {"reference": "Referencia del expediente", "code": "Código de acceso",
              "open": "Abrir expediente", "case": "Expediente", "licence": "2 · Tengo una licencia",
              "holder": "Titular de la licencia", "source": "Procedencia",
              "proof": "Justificante (PDF, JPEG o PNG, hasta 20 MB)",
              "send_licence": "Enviar licencia", "licence_ok": "Su licencia está en revisión",
              "defence": "Presentar una alegación", "kind": "Ya retirado",
              "statement": "Explíquelo con sus propias palabras",
              "send_defence": "Enviar alegación",
              "defence_ok": "Hemos recibido su alegación", "messages": "Mensajes",
              "message": "Su mensaje", "send": "Enviar"},
    "it-IT": {"reference": "Riferimento della pratica", "code": "Codice di accesso",
              "open": "Apri la pratica", "case": "Pratica", "licence": "2 · Ho una licenza",
              "holder": "Titolare della licenza", "source": "Provenienza",
              "proof": "Prova (PDF, JPEG o PNG, fino a 20 MB)", "send_licence": "Invia la licenza",
              "licence_ok": "La Sua licenza è in esame", "defence": "Presentare una contestazione",
              "kind": "Già rimossa", "statement": "Spieghi con parole Sue",
              "send_defence": "Invia la contestazione",
              "defence_ok": "Abbiamo ricevuto la Sua contestazione", "messages": "Messaggi",
              "message": "Il Suo messaggio", "send": "Invia"},
}  # fmt: skip


@pytest.mark.parametrize("path", ["licence", "defence"])
@pytest.mark.parametrize("locale", list(LABELS))
def test_each_step_works_on_a_phone_in_every_language(
    live_server, browser: Browser, tmp_path, locale, path
):
    words = LABELS[locale]
    case, code = noticed_case()
    context = browser.new_context(**PHONE, locale=locale)
    page = context.new_page()
    open_portal(page, live_server.url, case, code, words)
    expect(page.get_by_role("heading", name=f"{words['case']} {case.reference}")).to_be_visible()
    expect(page.locator("#evidence")).to_contain_text(case.lines.get().work.sha256)
    if path == "licence":
        page.get_by_role("link", name=words["licence"]).click()
        proof = tmp_path / "licence.pdf"
        proof.write_bytes(PDF)
        page.get_by_label(words["holder"]).fill("Laden GmbH")
        page.get_by_label(words["source"]).fill("Stock")
        page.get_by_label(words["proof"]).set_input_files(str(proof))
        page.get_by_role("button", name=words["send_licence"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["licence_ok"])
        expected = "licence_review"
    else:
        page.get_by_role("link", name=words["defence"]).click()
        page.get_by_label(words["kind"]).check()
        page.get_by_label(words["statement"]).fill("Removed in May.")
        page.get_by_role("button", name=words["send_defence"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["defence_ok"])
        expected = "defence_review"
    page.get_by_role("link", name=words["messages"]).click()
    page.get_by_label(words["message"]).fill("Thanks / Danke")
    page.get_by_role("button", name=words["send"], exact=True).click()
    expect(page.locator(".thread")).to_contain_text("Thanks / Danke")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    case.refresh_from_db()
    assert case.state == expected
    context.close()
