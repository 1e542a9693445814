"""A rights holder's decisions on matches: claim, licensed, ignore, not mine, whitelist a domain.

Claiming sends `match_claimed`; the cases app opens the claim (it sits above monitoring).

A licence recorded here or a whitelisted domain also settles every later match of the same kind
(`suppression_for`), so a known licensee is never claimed twice (product rule 2,
docs/architecture.md).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.models import User
from fairclaim.discovery.domains import registrable_domain
from fairclaim.works.actions import LicenceTerms, do_record_licence
from fairclaim.works.models import Licence, Work

from .models import Match, WhitelistedDomain

# Sent inside the triage transaction when a match is claimed: the cases app, above this one,
# opens the claim (`cases.claims.open_claim`); monitoring announces, cases acts.
match_claimed = Signal()

ACTIONS = {
    "claim": _("Claim"),
    "licensed": _("Licensed"),
    "ignore": _("Ignore"),
    "not_mine": _("Not mine"),
    "whitelist": _("Whitelist domain"),
    "seen": _("Mark seen"),
}


def bare_domain(domain: str) -> str:
    """The site a domain names, as the claim linter compares licences and whitelists: its
    registrable domain (Public Suffix List), so `www.` and other subdomains are the same site."""
    return registrable_domain(domain.strip())


def suppression_for(work: Work, domain: str) -> str | None:
    """The status a new match of `work` on `domain` gets without review, if any."""
    domain = bare_domain(domain)
    if WhitelistedDomain.objects.filter(organisation_id=work.owner_id, domain=domain).exists():
        return Match.Status.WHITELISTED
    licences = Licence.objects.filter(owner_id=work.owner_id).filter(
        Q(work=work) | Q(work__isnull=True)
    )
    for licence in licences.only("domains"):
        if domain in {bare_domain(d) for d in licence.domains}:
            return Match.Status.LICENSED
    return None


def do_triage(matches: QuerySet[Match], action: str, user: User, now: datetime) -> Counter:
    """Apply `action` to each match (the caller has checked access). Returns counts by outcome."""
    if action not in ACTIONS:
        raise ValueError(f"unknown triage action {action!r}")
    done: Counter = Counter()
    for match in matches.select_related("work", "sighting", "work__owner"):
        with transaction.atomic():
            done[_apply(match, action, user, now)] += 1
    return done


def _apply(match: Match, action: str, user: User, now: datetime) -> str:
    domain = bare_domain(match.sighting.page_domain)
    if action == "claim":
        match_claimed.send(sender=Match, match=match)
        return _set(match, Match.Status.CLAIMED, user, now)
    if action == "licensed":
        if suppression_for(match.work, domain) != Match.Status.LICENSED:
            do_record_licence(
                match.work.owner_id,
                LicenceTerms(
                    work_id=match.work_id,
                    licensee_name=domain,
                    domains=[domain],
                    source=Licence.Source.OWN_SALE,
                    notes=f"Recorded from match triage by {user.get_username()} on {now:%Y-%m-%d}.",
                ),
            )
        _settle_same(match.work.owner_id, domain, Match.Status.LICENSED, work=match.work)
        return _set(match, Match.Status.LICENSED, user, now)
    if action == "whitelist":
        WhitelistedDomain.objects.get_or_create(
            organisation_id=match.work.owner_id,
            domain=domain,
            defaults={"reason": f"whitelisted by {user.get_username()}"},
        )
        _settle_same(match.work.owner_id, domain, Match.Status.WHITELISTED)
        return _set(match, Match.Status.WHITELISTED, user, now)
    status = {"ignore": Match.Status.IGNORED, "not_mine": Match.Status.NOT_MINE,
              "seen": Match.Status.SEEN}[action]  # fmt: skip
    return _set(match, status, user, now)


def _set(match: Match, status: str, user: User, now: datetime) -> str:
    Match.objects.filter(pk=match.pk).update(status=status, reviewed_by=user, reviewed_at=now)
    return status


def _settle_same(owner_id: int, domain: str, status: str, work: Work | None = None) -> None:
    """Open matches of the owner on that domain (and work, for a licence) take the status too."""
    same = Match.objects.filter(
        work__owner_id=owner_id,
        status__in=[Match.Status.NEW, Match.Status.SEEN],
    ).filter(Q(sighting__page_domain=domain) | Q(sighting__page_domain=f"www.{domain}"))
    if work is not None:
        same = same.filter(work=work)
    same.update(status=status)
