"""Every view, every member of the cast: strangers get 404, read-only members 403 on changes."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from fairclaim.cases.models import Defence, Notice
from tests.cast import sign_in
from tests.webserver import drain

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302
DONE = 302  # a write view's answer when it may act: back to the case, with a message
# Who may see the cast's case (escalated to "lawfirm"), and who may only read it.
STRANGERS = {"charlie": NOT_FOUND, "outside_manager": NOT_FOUND, "other_lawfirm": NOT_FOUND}


def _defence(cast):
    """A defence with an evidence file on the cast's case, for the decide and file views."""
    defence = Defence.objects.create(case=cast.case, kind="fair_use", statement="a quotation")
    defence.evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
    return defence.pk


def _notice(cast):
    notice = Notice.objects.create(
        case=cast.case, kind=Notice.Kind.DEMAND, idempotency_key="permission-cast",
        recipient_email="info@shop.example", subject="Notice", body_text="Notice",
    )  # fmt: skip
    return notice.pk


# view name, how to build its args from the cast, method, expected status per cast member.
CASES = [
    ("works:detail", lambda c: [c.work.pk], "get",
     {"alice": OK, "alice_viewer": OK, "manager": OK, "charlie": NOT_FOUND,
      "outside_manager": NOT_FOUND, "lawfirm": NOT_FOUND, None: LOGIN}),
    ("works:thumbnail", lambda c: [c.work.pk], "get",
     {"alice": OK, "manager": OK, "charlie": NOT_FOUND, "lawfirm": NOT_FOUND, None: LOGIN}),
    ("works:original", lambda c: [c.work.pk], "get",
     {"alice": OK, "alice_viewer": OK, "charlie": NOT_FOUND, "other_lawfirm": NOT_FOUND,
      None: LOGIN}),
    ("works:edit", lambda c: [c.work.pk], "get",
     {"alice": OK, "alice_viewer": FORBIDDEN, "manager": FORBIDDEN, "charlie": NOT_FOUND,
      "lawfirm": NOT_FOUND, None: LOGIN}),
    ("works:edit", lambda c: [c.work.pk], "post",
     {"alice_viewer": FORBIDDEN, "manager": FORBIDDEN, "charlie": NOT_FOUND, None: LOGIN}),
    ("works:upload", lambda c: [], "get",
     {"alice": OK, "charlie": OK, "alice_viewer": FORBIDDEN, "manager": FORBIDDEN,
      "lawfirm": FORBIDDEN, None: LOGIN}),
    ("monitoring:match", lambda c: [c.match.pk], "get",
     {"alice": OK, "alice_viewer": OK, "manager": OK, "charlie": NOT_FOUND,
      "outside_manager": NOT_FOUND, "lawfirm": NOT_FOUND, None: LOGIN}),
    ("monitoring:report_image", lambda c: [c.match.pk], "get",
     {"alice": OK, "manager": OK, "charlie": NOT_FOUND, "lawfirm": NOT_FOUND, None: LOGIN}),
    ("cases:detail", lambda c: [c.case.reference], "get",
     {"alice": OK, "alice_viewer": OK, "manager": OK, "lawfirm": OK, "charlie": NOT_FOUND,
      "outside_manager": NOT_FOUND, "other_lawfirm": NOT_FOUND, None: LOGIN}),
    # The case manager's write views: only a case manager who handles the case acts; the case's
    # other parties may read it (403), strangers do not learn it exists (404).
    ("cases:act", lambda c: [c.case.reference], ("post", {"action": "escalate_nowhere"}),
     {"manager": DONE, "alice": FORBIDDEN, "alice_viewer": FORBIDDEN, "lawfirm": FORBIDDEN,
      **STRANGERS, None: LOGIN}),
    # Submitting for review is also the rights holder's (the case is escalated: refused with a
    # message, not an error page).
    ("cases:act", lambda c: [c.case.reference], ("post", {"action": "submit_for_review"}),
     {"manager": DONE, "alice": DONE, "alice_viewer": FORBIDDEN, "lawfirm": FORBIDDEN,
      **STRANGERS, None: LOGIN}),
    ("cases:decide", lambda c: [c.case.reference, "defence", _defence(c)], "post",
     {"manager": DONE, "alice": FORBIDDEN, "alice_viewer": FORBIDDEN, "lawfirm": FORBIDDEN,
      **STRANGERS, None: LOGIN}),
    ("cases:reply", lambda c: [c.case.reference], "post",
     {"manager": DONE, "alice": FORBIDDEN, "alice_viewer": FORBIDDEN, "lawfirm": FORBIDDEN,
      **STRANGERS, None: LOGIN}),
    ("cases:operate", lambda c: [c.case.reference, "recipient"], "post",
     {"manager": DONE, "alice": FORBIDDEN, "alice_viewer": FORBIDDEN, "lawfirm": FORBIDDEN,
      **STRANGERS, None: LOGIN}),
    ("cases:operate", lambda c: [c.case.reference, "note"], "post",
     {"manager": DONE, "alice": DONE, "alice_viewer": FORBIDDEN, "lawfirm": FORBIDDEN,
      **STRANGERS, None: LOGIN}),
    ("cases:operate", lambda c: [c.case.reference, "no_such_operation"], "post",
     {"manager": FORBIDDEN, "alice": FORBIDDEN, "charlie": NOT_FOUND, None: LOGIN}),
    ("cases:upload", lambda c: [c.case.reference, "defence", _defence(c)], "get",
     {"alice": OK, "alice_viewer": OK, "manager": OK, "lawfirm": OK, **STRANGERS, None: LOGIN}),
    ("cases:notice", lambda c: [_notice(c)], "get",
     {"alice": OK, "alice_viewer": OK, "manager": OK, "lawfirm": OK, **STRANGERS, None: LOGIN}),
    ("cases:notices", lambda c: [], "get",
     {"alice": OK, "manager": OK, "charlie": OK, "lawfirm": OK, None: LOGIN}),
    ("cases:claims", lambda c: [], "get",
     {"alice": OK, "manager": OK, "charlie": OK, "lawfirm": OK, None: LOGIN}),
]  # fmt: skip


def _request(method):
    """("post", data) or a bare method name."""
    return (method, {}) if isinstance(method, str) else method


PARAMS = [
    pytest.param(
        name, args, method, who, status,
        id=f"{name}-{'-'.join(map(str, _request(method)[1].values())) or _request(method)[0]}"
        f"-{who or 'anonymous'}",
    )
    for name, args, method, expected in CASES
    for who, status in expected.items()
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "method", "who", "status"), PARAMS)
def test_view_answers_each_cast_member_as_expected(client, cast, name, args, method, who, status):
    if who:
        sign_in(client, getattr(cast, who))
    verb, data = _request(method)
    url = reverse(name, args=args(cast))
    response = getattr(client, verb)(url, data) if data else getattr(client, verb)(url)
    drain(response)
    assert response.status_code == status
    if status == LOGIN and who is None:
        assert response["Location"].startswith(reverse("login"))
    elif status == DONE:
        assert response["Location"] == cast.case.get_absolute_url()


@pytest.mark.parametrize(
    ("who", "sees_alice", "sees_charlie"),
    [("alice", True, False), ("charlie", False, True), ("manager", True, False),
     ("outside_manager", False, True), ("lawfirm", False, False)],
)  # fmt: skip
def test_work_list_shows_only_what_the_member_may_see(client, cast, who, sees_alice, sees_charlie):
    sign_in(client, getattr(cast, who))
    page = client.get(reverse("works:list")).content.decode()
    assert (f'href="/works/{cast.work.pk}/"' in page) is sees_alice
    assert (f'href="/works/{cast.charlie_work.pk}/"' in page) is sees_charlie


@pytest.mark.parametrize(
    ("who", "sees_case"),
    [("alice", True), ("manager", True), ("lawfirm", True), ("charlie", False),
     ("outside_manager", False), ("other_lawfirm", False)],
)  # fmt: skip
def test_case_and_match_lists_show_only_what_the_member_may_see(client, cast, who, sees_case):
    sign_in(client, getattr(cast, who))
    assert (cast.case.reference in client.get(reverse("cases:list")).content.decode()) is sees_case
    matches = client.get(reverse("monitoring:list")).content.decode()
    assert (cast.match.get_absolute_url() in matches) is (sees_case and who != "lawfirm")


def test_case_manager_sees_only_handled_rights_holders_in_the_admin(client, cast):
    sign_in(client, cast.manager)
    cast.manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_work", "change_work"])
    )
    page = client.get(reverse("admin:works_work_changelist")).content.decode()
    assert f"/admin/works/work/{cast.work.pk}/change/" in page
    assert f"/admin/works/work/{cast.charlie_work.pk}/change/" not in page
    response = client.get(reverse("admin:works_work_change", args=[cast.charlie_work.pk]))
    assert response.status_code == 302  # the admin's "doesn't exist" redirect, no data shown


def test_private_files_have_no_public_url(cast):
    with pytest.raises(ValueError, match="no public URLs"):
        cast.work.file.url  # noqa: B018
