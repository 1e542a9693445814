"""No English on a page that is not English: every page of the application (as each role) in
German, and every page of the recipient portal and public checks in German, French, Spanish and
Italian, walked through the real URLs over a believable dataset (a year of seeded cases in every
state, payments, payouts), with forms sent wrong on purpose so that error messages show too.

A page fails when its visible text (and its labels: `title`, `aria-label`, `placeholder`, `alt`,
button values) holds a word from a vocabulary of common English words that is not also a word of
the page's language, or a catalogue entry of that language still without a translation. What the
users typed or the dataset holds (titles, names, domains, addresses) is not the page's language
and is taken out before checking.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.loader import render_to_string
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from fairclaim.accounts.models import Organisation, User
from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.models import Case
from fairclaim.cases.responses import do_decide_defence, do_post_message, do_raise_defence
from fairclaim.dashboard.charts import Point, column_chart
from fairclaim.dashboard.history import pay_last_month, seed_history
from fairclaim.works.actions import do_register_image, upload_limits
from fairclaim.works.intake import check_image
from tests.cast import PASSWORD, sign_in
from tests.images import photo_bytes

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "src" / "fairclaim" / "locale"

# Words of English UI text. A word that is also a word of the page's language is dropped for
# that language (FALSE_FRIENDS): "was" and "will" are German, "page" and "image" French.
VOCABULARY = """
    the and your you our we us this that these those with without from for into please here
    there has have had been being were would should could can cannot must not yes none
    all any each every what which when where who why how of to by at if than then only
    also more less yet still after before until since about over under between already again
    open opened close closed send sent save saved cancel delete download upload uploaded sign
    signed review rejected accepted pending paid payment payments pay amount due month months
    monthly year years day days week reminder demand documents document used page image
    work works case cases claim claims notice notices licence licences license evidence
    message messages reply recipient rights holder state found search show hide back
    next previous new edit add remove change changes check checked choose continue submit
    file files reason reasons decision decided instalment instalments offer offers price prices
    settings account password username overview matches sightings notifications unread nothing
    empty error refused missing required invalid enter link code language copy shown
    see read write sent received last first none created updated deadline respond
    newest oldest score
"""
ENGLISH = set(VOCABULARY.split())
FALSE_FRIENDS = {
    "de": {
        "so",
        "an",
        "was",
        "will",
        "bin",
        "man",
        "also",
        "name",
        "manager",
        "status",
        "filter",
        "code",
    },
    "fr": {
        "page",
        "image",
        "date",
        "message",
        "messages",
        "document",
        "documents",
        "on",
        "or",
        "code",
        "total",
        "licence",
        "licences",
    },
    "es": {"no", "date", "total", "code"},
    "it": {"no", "case", "code", "due", "file", "all"},  # all’immagine
}
# Not prose: scripts, and commands or identifiers a reader types as they are.
HIDDEN = {"script", "style", "template", "code", "kbd", "samp", "pre"}
# Names that stay as they are in every language: licence names, CSV column lists.
NAMES = re.compile(
    r"\bCC BY\b|ReplayWeb\.page|fairclaim platform document signing|WACZ Signing and Verification|"
    r"\b[a-z]+_[a-z_]+\b(?:, [a-z_]+)*|\b[a-z_]+(?:, [a-z_]+)+_[a-z_]+\b"
)
# Attributes a reader hears or sees.
SPOKEN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Pages outside our catalogues: Django's own admin (translated by Django), the API's schema
# browser (a developer tool, English by design), files and exports.
NOT_PAGES = ("/admin/", "/api/explorer/", "/api/v1/", "/static/", "/.well-known/", "/i18n/",
             "/language/", "/accounts/logout/", "/healthz", "/readyz", "/metrics")  # fmt: skip
FILES = ("/thumbnail/", "/original/", ".png", ".pdf", ".wacz", ".zip", ".json", ".xml", "/file/")
# The price list and the claim check screen are being rebuilt (a form per price row; findings
# with their legal sources) and are translated with that rebuild; walk them again after it.
REBUILT_ELSEWHERE: set[str] = set()  # every page is walked
PAGES_PER_VIEW = 2  # two instances of a view (two cases, two works) show its variations


class VisibleText(HTMLParser):
    """The words a reader sees or hears: text outside script/style, and spoken attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in SPOKEN_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data)


def untranslated_entries(language: str) -> list[str]:
    """The catalogue's msgids of `language` that have no translation yet."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return []
    text = po.read_text(encoding="utf-8")
    empty = []
    for block in text.split("\n\n"):
        if "\nmsgid_plural" in block or "\nmsgstr[" in block:
            continue
        found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if found:
            msgid = "".join(re.findall(r'"(.*)"', found.group(1)))
            msgstr = "".join(re.findall(r'"(.*)"', found.group(2)))
            if msgid and not msgstr and len(msgid) > 3:
                empty.append(msgid.replace('\\"', '"'))
    return empty


def dataset_strings() -> list[str]:
    """What users typed or the dataset holds: free-text fields of every model of ours."""
    values = set()
    for model in apps.get_app_configs():
        if not model.name.startswith("fairclaim."):
            continue
        for m in model.get_models():
            fields = [
                f.name
                for f in m._meta.get_fields()
                if isinstance(f, (models.CharField, models.TextField, models.URLField))
                and not f.choices
            ]
            for row in m.objects.values_list(*fields) if fields else []:
                values.update(v for v in row if isinstance(v, str) and len(v) > 3)
    return sorted(values, key=len, reverse=True)


class Reader:
    def __init__(self, language: str, data: list[str]):
        self.language = language
        self.data = data
        self.words = ENGLISH - FALSE_FRIENDS.get(language, set())
        self.empty = untranslated_entries(language)
        self.problems: dict[str, set[str]] = {}
        # The application's walk leaves the recipients' pages to their own test (their language
        # is the recipient's choice, not the signed-in user's).
        self.skip: tuple[str, ...] = ()

    def check(self, where: str, html: str) -> VisibleText:
        parser = VisibleText()
        parser.feed(html)
        text = " ".join(" ".join(parser.parts).split())
        for value in self.data:
            if value in text:
                text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
        found = {entry for entry in self.empty if entry in text}
        text = re.sub(r"\S+@\S+|https?://\S+|\S*/\S*|\b[0-9a-f]{16,}\b", " ", text)
        text = NAMES.sub(" ", text)
        for word in re.finditer(r"[^\W\d_]+", text):
            if word.group().lower() in self.words:
                found.add(text[max(0, word.start() - 30) : word.end() + 30].strip())
        if found:
            self.problems.setdefault(where, set()).update(found)
        return parser

    def report(self) -> str:
        return "\n".join(f"{where}: {sorted(words)}" for where, words in self.problems.items())


def walk(client: Client, reader: Reader, starts: list[str], limit: int = 150) -> int:
    """Follow every same-site link from `starts` (at most PAGES_PER_VIEW per view)."""
    queue, seen, per_view, pages = list(starts), set(), {}, 0
    while queue and pages < limit:
        path = queue.pop(0)
        if (
            path in seen
            or path.startswith(NOT_PAGES)
            or (reader.skip and path.startswith(reader.skip))
        ):
            continue
        seen.add(path)
        try:
            view = resolve(urlsplit(path).path).view_name
        except Resolver404:
            continue
        if per_view.get(view, 0) >= PAGES_PER_VIEW or view in REBUILT_ELSEWHERE:
            continue
        if path.split("?")[0].endswith(FILES):
            continue
        response = client.get(path)
        if getattr(response, "file_to_stream", None):  # a download: close its file only
            response.file_to_stream.close()  # (response.close() would end the DB connection)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_view[view] = per_view.get(view, 0) + 1
        pages += 1
        parser = reader.check(f"GET {path}", response.content.decode())
        for href in parser.links:
            parts = urlsplit(href)
            if not parts.netloc and parts.path.startswith("/"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


@pytest.fixture
def world(cast):
    """The cast plus a rights holder with a year of seeded history under the same operator."""
    now = timezone.now()
    ada_org = Organisation.objects.create(
        name="Ada Lens", slug="ada", kind="rights_holder", operator=cast.manager.organisation
    )
    ada = User.objects.create_user("ada", password=PASSWORD, role="rights_holder",
                                   organisation=ada_org)  # fmt: skip
    for n in range(3):
        image = check_image(f"ada{n}.jpg", photo_bytes(20 + n), upload_limits())
        do_register_image(ada_org, None, image, title=f"Hafen {n + 1}")
    seed_history(ada_org, now=now, iban="DE02120300000000202051", holder="Ada Lens", seed=7)
    pay_last_month(cast.manager.organisation, now)
    # A conversation and a decided defence: author labels and statuses on the recipient's pages.
    talked = Case.objects.filter(state="notice_sent", rights_holder=ada_org).first()
    do_post_message(talked, "Bonjour ?", author_kind="recipient", author=None, now=now)
    do_post_message(talked, "Guten Tag.", author_kind="case_manager", author=cast.manager, now=now)
    defence = do_raise_defence(talked, "licence_elsewhere", "Lizenz von Getty.", None, now)
    do_decide_defence(defence, uphold=False, reasons="Keine Lizenz.", user=cast.manager, now=now)
    cast.ada = ada
    return cast


def signed_in(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    sign_in(client, user)  # with the second factor staff roles must pass
    return client


def send_wrong_forms(client: Client, reader: Reader, posts: list[tuple[str, dict]]):
    for path, data in posts:
        response = client.post(path, data, follow=True)
        if "text/html" in response.get("Content-Type", ""):
            reader.check(f"POST {path}", response.content.decode())


def test_the_application_speaks_german_to_every_role(world):
    reader = Reader("de", [])
    reader.skip = ("/portal/", "/verify/")
    pages = 0
    for user in [world.ada, world.alice, world.alice_viewer, world.manager, world.lawfirm]:
        client = signed_in(user, "de")
        reader.data = dataset_strings()
        pages += walk(client, reader, ["/", "/works/", "/cases/", "/matches/", "/api/keys/"])
        send_wrong_forms(
            client,
            reader,
            [
                ("/works/upload/", {"files": SimpleUploadedFile("a.jpg", b"not an image")}),
                ("/works/licences/add/", {"starts_on": "2026-02-01", "ends_on": "2026-01-01"}),
                ("/works/licences/import/", {"file": SimpleUploadedFile("l.csv", b"x,y\n1,2")}),
                ("/matches/sightings/submit/", {"url": "not a url"}),
            ],
        )
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="de")
    reader.skip = ()
    pages += walk(anonymous, reader, ["/accounts/login/"])
    send_wrong_forms(anonymous, reader, [("/accounts/login/", {"username": "x", "password": "y"})])
    assert pages > 30
    assert not reader.problems, "English on German pages:\n" + reader.report()


PORTAL_STATES = ["notice_sent", "payment_pending", "overdue", "escalated", "resolved_paid",
                 "defence_upheld", "resolved_licensed"]  # fmt: skip


@pytest.mark.parametrize("language", ["de", "fr", "es", "it"])
def test_the_portal_and_public_checks_speak_each_language(world, language):
    client = Client()
    client.post("/i18n/setlang/", {"language": language, "next": "/portal/"})
    reader = Reader(language, [])
    reader.data = dataset_strings()
    pages = walk(client, reader, ["/portal/", "/verify/"])
    send_wrong_forms(
        client,
        reader,
        [
            ("/portal/", {"reference": "FC-2026-999999", "code": "AAAA-AAAA-AAAA-AAAA"}),
            ("/verify/", {"reference": "FC-2026-999999", "code": "AAAA"}),
            ("/verify/evidence/", {"file": SimpleUploadedFile("x.wacz", b"not a wacz")}),
        ],
    )
    cases = [Case.objects.filter(state=state).first() for state in PORTAL_STATES]
    for case in filter(None, cases):
        code = new_access_code(case)
        client.post("/portal/", {"reference": case.reference, "code": code})
        reader.data = dataset_strings()
        base = f"/portal/{case.reference}/"
        pages += walk(client, reader, [base, base + "pay/", base + "licence/", base + "defence/",
                                       base + "messages/"])  # fmt: skip
        fake = SimpleUploadedFile("fake.pdf", b"hello, not a pdf")
        send_wrong_forms(
            client,
            reader,
            [
                (base + "licence/", {"licensor": "", "evidence": fake}),
                (base + "defence/", {"kind": "", "explanation": "", "evidence": fake}),
                (base + "messages/", {"body": ""}),
                (base + "pay/", {"offer": "nonsense"}),
            ],
        )
    assert pages > 15
    assert not reader.problems, f"English on {language} pages:\n" + reader.report()


@pytest.mark.parametrize("language", ["de", "fr", "es", "it"])
def test_no_catalogue_entry_waits_for_its_translation(language):
    """An entry without a translation would show English; fuzzy ones are ignored by gettext."""
    po = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert untranslated_entries(language) == []
    assert "#, fuzzy" not in po.split("\n\n", 1)[1]


def test_chart_geometry_stays_numbers_for_the_browser_in_german():
    """German writes 12,5; an SVG coordinate written so is no coordinate at all."""
    chart = column_chart("c", "Treffer", [Point("a", 3), Point("b", 7)], unit="Treffer")
    with translation.override("de"):
        html = render_to_string("dashboard/_chart.html", {"chart": chart})
    assert re.search(r'<rect x="\d+\.\d+" y="\d+\.\d+"', html)
    assert not re.search(r'(x|y|width|height)="\d+,\d+"', html)
