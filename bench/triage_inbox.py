"""Match review inbox with 100,000 matches: time per page, per filter, in a fresh SQLite database.

    .venv/bin/python bench/triage_inbox.py [--matches 100000]

Seeds one rights holder with N matches over 1,000 domains, then times GET /matches/ (first page,
a later page, each filter and sort) through Django's test client, median of 5 runs each. A
baseline in the same run: the works list of the same user (a small table).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--matches", type=int, default=100_000)
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
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from fairclaim.accounts.models import Organisation, User
    from fairclaim.monitoring.models import Match, Sighting
    from fairclaim.works.models import Work

    call_command("migrate", "--no-input", verbosity=0)
    org = Organisation.objects.create(name="Bench", slug="bench", kind="rights_holder")
    user = User.objects.create_user(
        "bench", password="x" * 20, role="rights_holder", organisation=org
    )
    works = Work.objects.bulk_create(
        Work(
            owner=org,
            sha256=f"{i:064x}",
            file=f"w/{i}.jpg",
            image_format="JPEG",
            width=800,
            height=600,
            byte_size=1,
            title=f"Work {i}",
            status="ready",
        )
        for i in range(200)
    )
    now = timezone.now()
    started = time.perf_counter()
    batch = 5_000
    tlds = ["de", "com", "co.uk", "fr", "example"]
    for start in range(0, args.matches, batch):
        sightings = Sighting.objects.bulk_create(
            Sighting(
                organisation=org,
                source="crawl",
                key=f"{i:064d}",
                page_domain=f"site{i % 1000}.{tlds[i % 5]}",
                page_url=f"https://site{i % 1000}.{tlds[i % 5]}/p/{i}",
                image_url=f"https://site{i % 1000}.{tlds[i % 5]}/i/{i}.jpg",
                context={"company": "Shop GmbH"} if i % 3 == 0 else {},
                first_seen=now,
                last_seen=now,
            )
            for i in range(start, min(start + batch, args.matches))
        )
        Match.objects.bulk_create(
            Match(
                work=works[s.pk % len(works)],
                sighting=s,
                score=0.5 + (s.pk % 50) / 100,
                status=["new", "seen", "ignored"][s.pk % 3],
            )
            for s in sightings
        )
    print(f"seeded {args.matches:,} matches in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)

    def timed(url: str) -> float:
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            response = client.get(url)
            runs.append(time.perf_counter() - t)
            assert response.status_code == 200, url
        return statistics.median(runs) * 1000

    cases = {
        "baseline: works list": "/works/",
        "inbox, first page": "/matches/",
        "inbox, page 500": "/matches/?page=500",
        "domain filter": "/matches/?domain=site42",
        "country filter (.de)": "/matches/?country=de",
        "work filter": "/matches/?work=7",
        "business sites": "/matches/?commercial=1",
        "min score 0.9, by score": "/matches/?min_score=0.9&sort=score",
        "all statuses, by domain": "/matches/?status=all&sort=domain",
    }
    for name, url in cases.items():
        print(f"{name:28} {timed(url):8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
