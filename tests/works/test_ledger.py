"""The licence ledger: add by hand, import CSV all-or-nothing, with named errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fairclaim.works.ledger import parse_ledger
from fairclaim.works.models import Licence
from tests.cast import sign_in


def find(key):
    return {"7": 7, "abcdef012345": 9}.get(key)


def test_parses_a_ledger_with_work_references_and_domains():
    text = (
        "licensee,domains,work,usage,source,starts_on,ends_on,reference\n"
        'Laden GmbH,"laden.de, www.laden.de",7,commercial,own_sale,2025-01-01,2025-12-31,INV-1\n'
        "Blog,https://blog.example/,,editorial,stock,,,\n"
    )
    rows, errors = parse_ledger(text, find)
    assert errors == []
    assert [r.domains for r in rows] == [["laden.de", "www.laden.de"], ["blog.example"]]
    assert (rows[0].work_id, rows[1].work_id) == (7, None)


def test_names_every_bad_line_and_imports_none():
    text = (
        "licensee,work,usage,starts_on,ends_on\n"
        ",7,any,,\n"
        "A,999,any,,\n"
        "B,,sometimes,2025-13-01,\n"
        "C,,any,2025-05-01,2025-04-01\n"
    )
    rows, errors = parse_ledger(text, find)
    assert rows == []
    assert errors == [
        "Line 2: licensee is empty",
        "Line 3: no registered work matches “999” (use its id or SHA-256)",
        "Line 4: usage “sometimes” is not one of any, commercial, editorial",
        "Line 4: starts_on “2025-13-01” is not a date like 2026-01-31",
        "Line 5: ends_on is before starts_on",
    ]


def test_refuses_an_unknown_header():
    rows, errors = parse_ledger("name,website\nA,b.example\n", find)
    assert rows == []
    assert errors[0].startswith(
        "Header: missing column(s): licensee; unknown column(s): name, website"
    )


def test_import_through_the_page(client, cast):
    sign_in(client, cast.alice)
    body = f"licensee,domains,work\nLaden GmbH,laden.de,{cast.work.sha256[:16]}\n".encode()
    response = client.post(
        reverse("works:import_licences"), {"csv_file": SimpleUploadedFile("l.csv", body)}
    )
    assert response.status_code == 302
    licence = Licence.objects.get(owner=cast.alice.organisation)
    assert (licence.work, licence.domains) == (cast.work, ["laden.de"])


def test_a_bad_import_through_the_page_stores_nothing(client, cast):
    sign_in(client, cast.alice)
    body = b"licensee,usage\nA,any\nB,never\n"
    response = client.post(
        reverse("works:import_licences"), {"csv_file": SimpleUploadedFile("l.csv", body)}
    )
    assert response.status_code == 400
    assert "Line 3: usage" in response.content.decode()
    assert not Licence.objects.exists()


def test_add_a_licence_by_hand(client, cast):
    sign_in(client, cast.alice)
    response = client.post(
        reverse("works:add_licence"),
        {"licensee_name": "Blog", "domains_text": "blog.example, news.example", "usage": "any",
         "source": "own_sale", "territory": "worldwide"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Licence.objects.get().domains == ["blog.example", "news.example"]


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("alice_viewer", 403), ("manager", 403), ("lawfirm", 403)]
)
def test_ledger_pages_permission_cast(client, cast, who, status):
    sign_in(client, getattr(cast, who))
    assert client.get(reverse("works:add_licence")).status_code == status
    assert client.get(reverse("works:import_licences")).status_code == status


def test_the_ledger_lists_only_own_licences(client, cast):
    Licence.objects.create(owner=cast.charlie.organisation, licensee_name="Charlie's client")
    sign_in(client, cast.alice)
    assert "Charlie's client" not in client.get(reverse("works:licences")).content.decode()
    sign_in(client, cast.charlie)
    assert "Charlie" in client.get(reverse("works:licences")).content.decode()
