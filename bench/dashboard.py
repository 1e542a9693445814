"""Dashboard and list pages at 100,000 matches and 10,000 cases, and the memory of a
100,000-row export, in a fresh SQLite database.

    nice -n 15 .venv/bin/python bench/dashboard.py [--matches 100000] [--cases 10000] [--runs 40]

Seeds one rights holder (handled by an operator) with N matches over 1,000 domains spread over
a year, M cases in every state with a line each, a payment for every third case with its money
booked in the double-entry journal, then times each page through Django's test client (p50 and
p99 of --runs requests). Baseline in the same run: the plain works list of the same user.

Export memory: Python's peak allocation (tracemalloc) while a 100,000-row export is produced
and consumed, CSV (streamed) and XLSX (xlsxwriter constant memory), beside the baseline of
loading the same rows into a list first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="fairclaim-bench-")
    os.environ.update(
        FAIRCLAIM_DATA_DIR=data,
        DJANGO_SETTINGS_MODULE="fairclaim.settings",
        FAIRCLAIM_DEBUG="0",
        FAIRCLAIM_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", "--no-input", verbosity=0)
    started = time.perf_counter()
    user, manager, org = seed(args.matches, args.cases)
    print(f"seeded {args.matches:,} matches, {args.cases:,} cases in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    def timed(client: Client, url: str, cold: bool = False) -> tuple[float, float]:
        client.get(url)  # warm the connection and template caches
        runs = []
        for _ in range(args.runs):
            if cold:
                cache.clear()  # the dashboard's chart series are cached for two minutes
            t = time.perf_counter()
            response = client.get(url)
            runs.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(runs), percentile(runs, 0.99)

    holder, staff = Client(), Client()
    holder.force_login(user)
    staff.force_login(manager)
    pages = [
        ("baseline: works list", holder, "/works/"),
        ("dashboard (rights holder) /", holder, "/"),
        ("dashboard /, charts not cached", holder, "/", True),
        ("dashboard (manager, one org)", staff, f"/dashboard/{org.slug}/"),
        ("dashboard (manager, all) /", staff, "/"),
        ("cases list", holder, "/lists/cases/"),
        ("cases: open, by deadline", holder, "/lists/cases/?state=open&sort=deadline"),
        ("cases: by amount, page 100", holder, "/lists/cases/?sort=amount&page=100"),
        ("cases: domain + opened range", holder,
         "/lists/cases/?domain=site4&created_from=2026-01-01&created_to=2026-06-30"),
        ("matches list", holder, "/lists/matches/"),
        ("matches: one week", holder, "/lists/matches/?found_from=2026-10-05&found_to=2026-10-11"),
        ("matches: one domain", holder, "/lists/matches/?domain=site42.de&exact=1"),
        ("payments list", holder, "/lists/payments/"),
        ("payments: received range", holder,
         "/lists/payments/?received_from=2026-03-01&received_to=2026-03-31"),
        ("payments: amount + country", holder,
         "/lists/payments/?min_amount=100&max_amount=500&country=DE"),
        ("sightings list", holder, "/lists/sightings/"),
        ("sightings: search + country", holder, "/lists/sightings/?q=page&country=de"),
        ("claims list", holder, "/lists/claims/"),
        ("notices list", holder, "/lists/notices/"),
        ("existing inbox /matches/", holder, "/matches/"),
        ("existing /cases/", holder, "/cases/"),
    ]  # fmt: skip
    print(f"{'page':34} {'p50 ms':>8} {'p99 ms':>8}   ({args.runs} requests each)")
    for name, client, url, *cold in pages:
        p50, p99 = timed(client, url, *cold)
        print(f"{name:34} {p50:8.1f} {p99:8.1f}")
    export_memory(user)
    shutil.rmtree(data, ignore_errors=True)
    return 0


def export_memory(user) -> None:
    from fairclaim.dashboard.exports import csv_lines, rows, write_xlsx
    from fairclaim.dashboard.figures import Scope
    from fairclaim.dashboard.lists import SPECS, filtered

    spec = SPECS["matches"]

    def queryset():
        return filtered(spec, Scope(user), {"status": "all"}).queryset

    def measure(label: str, work) -> None:
        tracemalloc.start()
        t = time.perf_counter()
        count = work()
        seconds = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{label:34} {count:>8,} rows  peak {peak / 2**20:7.1f} MiB  {seconds:6.1f} s")

    def loaded() -> int:
        return len(list(queryset().values_list(*[c.field for c in spec.columns])))

    def streamed_csv() -> int:
        lines = 0
        for _ in csv_lines(spec, queryset()):
            lines += 1
        return lines - 2  # the byte-order mark and the header

    def xlsx() -> int:
        with tempfile.TemporaryFile() as out:
            return write_xlsx(spec, queryset(), out)

    assert sum(1 for _ in rows(spec, queryset()[:10])) == 10
    print("export of the matches list (tracemalloc peak of Python allocations):")
    measure("baseline: rows loaded into a list", loaded)
    measure("CSV, streamed", streamed_csv)
    measure("XLSX, constant memory", xlsx)


def seed(n_matches: int, n_cases: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from fairclaim.accounts.models import Organisation, User
    from fairclaim.cases.models import Case, CaseLine
    from fairclaim.monitoring.models import Match, Sighting
    from fairclaim.payments.models import JournalEntry, Payment, PaymentFact, Posting
    from fairclaim.payments.split import Collection, Terms, split
    from fairclaim.works.models import Work

    operator = Organisation.objects.create(name="Ops", slug="ops", kind="operator")
    org = Organisation.objects.create(
        name="Bench", slug="bench", kind="rights_holder", operator=operator
    )
    user = User.objects.create_user("bench", password="x" * 20, role="rights_holder",
                                    organisation=org)  # fmt: skip
    manager = User.objects.create_user("boss", password="x" * 20, role="case_manager",
                                       organisation=operator)  # fmt: skip
    works = Work.objects.bulk_create(
        Work(owner=org, sha256=f"{i:064x}", file=f"w/{i}.jpg", image_format="JPEG", width=800,
             height=600, byte_size=1, title=f"Work {i}", status="ready")
        for i in range(200)
    )  # fmt: skip
    now = timezone.now()
    tlds = ["de", "com", "co.uk", "fr", "example"]
    batch = 5_000
    matches: list[Match] = []
    with transaction.atomic():
        for start in range(0, n_matches, batch):
            sightings = Sighting.objects.bulk_create(
                Sighting(organisation=org, source="crawl", key=f"{i:064d}",
                         page_domain=f"site{i % 1000}.{tlds[i % 5]}",
                         page_url=f"https://site{i % 1000}.{tlds[i % 5]}/p/{i}",
                         image_url=f"https://site{i % 1000}.{tlds[i % 5]}/i/{i}.jpg",
                         first_seen=now, last_seen=now)
                for i in range(start, min(start + batch, n_matches))
            )  # fmt: skip
            made = Match.objects.bulk_create(
                Match(work=works[s.pk % len(works)], sighting=s, organisation=org,
                      score=0.5 + (s.pk % 50) / 100,
                      status=["new", "seen", "ignored", "claimed"][s.pk % 4])
                for s in sightings
            )  # fmt: skip
            if len(matches) < n_cases:
                matches.extend(made[: n_cases - len(matches)])
        states = ["notice_sent", "payment_pending", "overdue", "escalated", "resolved_paid",
                  "resolved_licensed", "defence_upheld", "withdrawn", "licence_review",
                  "draft"]  # fmt: skip
        for start in range(0, n_cases, batch):
            chunk = range(start, min(start + batch, n_cases))
            cases = Case.objects.bulk_create(
                Case(rights_holder=org, jurisdiction="DE", currency="EUR",
                     recipient_domain=matches[i].sighting.page_domain, recipient_country="DE",
                     state=states[i % len(states)], reference=f"FC-2026-{i + 1:06d}",
                     deadline=(now + timezone.timedelta(days=i % 60 - 20)).date())
                for i in chunk
            )  # fmt: skip
            CaseLine.objects.bulk_create(
                CaseLine(case=c, work=matches[i].work, match=matches[i],
                         amount=Decimal(300 + (i % 10) * 75))
                for i, c in zip(chunk, cases, strict=True)
            )  # fmt: skip
            paid = [(i, c) for i, c in zip(chunk, cases, strict=True) if i % 3 == 0]
            payments = Payment.objects.bulk_create(
                Payment(case=c, offer="past_only", method="bank_transfer", provider="bank",
                        amount=Decimal(300 + (i % 10) * 75), currency="EUR", status="succeeded",
                        amount_received=Decimal(300 + (i % 10) * 75),
                        received_at=now - timezone.timedelta(days=i % 365))
                for i, c in paid
            )  # fmt: skip
            PaymentFact.objects.bulk_create(
                PaymentFact(payment=p, key=f"bench:{p.pk}", kind="receipt", amount=p.amount,
                            currency="EUR", source="bank", recorded_at=p.received_at)
                for p in payments
            )  # fmt: skip
            entries = JournalEntry.objects.bulk_create(
                JournalEntry(key=f"split:{p.pk}:1", kind="split", organisation=org, case=p.case,
                             payment=p, currency="EUR", description="bench",
                             booked_at=p.received_at)
                for p in payments
            )  # fmt: skip
            terms = Terms(Decimal(50))
            Posting.objects.bulk_create(
                Posting(entry=e, account=account.value, amount=amount)
                for e, p in zip(entries, payments, strict=True)
                for account, amount in split(Collection((p.amount,), Decimal(0)), terms)
                .postings()
                .items()
                if amount
            )  # fmt: skip
        with connection.cursor() as cursor:
            # Spread what was found and opened over the past year (bulk_create stamps "now").
            cursor.execute(
                "UPDATE monitoring_match SET created_at = "
                "datetime(created_at, '-' || (id % 365) || ' days')"
            )
            cursor.execute("UPDATE cases_case SET created_at = "
                           "datetime(created_at, '-' || (id % 365) || ' days')")  # fmt: skip
    return user, manager, org


if __name__ == "__main__":
    sys.exit(main())
