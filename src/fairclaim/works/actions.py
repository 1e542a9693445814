"""Registering and processing works. `check_*` validates; `do_*` performs it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from fairclaim.accounts.models import Organisation, User
from fairclaim.matching.fingerprint import fingerprint_work_bytes

from .intake import (
    CheckedImage,
    Limits,
    UploadRefused,
    check_image,
    expand_zip,
    human_size,
    is_zip,
)
from .metadata import read_embedded, rights_fields
from .models import Licence, Work
from .thumbnails import make_thumbnail

log = logging.getLogger(__name__)


def stale_claim() -> timedelta:
    """A worker that died mid-task leaves a claim behind; after this long (the task lease, see
    task_leases.py) another worker may retake it."""
    return timedelta(seconds=settings.FAIRCLAIM_TASK_LEASE_SECONDS)


def upload_limits() -> Limits:
    return Limits(
        max_bytes=settings.FAIRCLAIM_MAX_UPLOAD_BYTES,
        max_pixels=settings.FAIRCLAIM_MAX_IMAGE_PIXELS,
        max_zip_members=settings.FAIRCLAIM_MAX_ZIP_MEMBERS,
        max_zip_bytes=settings.FAIRCLAIM_MAX_ZIP_BYTES,
    )


@dataclass
class UploadOutcome:
    registered: list[Work] = field(default_factory=list)
    refused: list[UploadRefused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # registered, but something was changed


def check_uploads(files, limits: Limits):
    """Yield a `CheckedImage` or an `UploadRefused` per uploaded file or zip member."""
    for upload in files:
        name = upload.name or "unnamed file"
        if upload.size > limits.max_bytes and not is_zip(name, b""):
            yield UploadRefused(
                name,
                f"the file is {human_size(upload.size)}; "
                f"the limit is {human_size(limits.max_bytes)}",
            )
            continue
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
        if is_zip(name, head):
            found = 0
            for item in expand_zip(name, upload, limits):
                found += 1
                yield _detached(item)
            if not found:
                yield UploadRefused(name, "the zip archive holds no photos")
            continue
        try:
            yield check_image(name, upload.read(limits.max_bytes + 1), limits)
        except UploadRefused as refusal:
            yield _detached(refusal)


def _detached(item):
    """A refusal without its traceback: the traceback's frames hold the refused file's bytes,
    and a batch keeps every refusal to report it (40 refused 50 MB members held 2 GB)."""
    if isinstance(item, UploadRefused):
        return UploadRefused(item.filename, item.reason)
    return item


def do_register_uploads(owner: Organisation, user: User | None, files) -> UploadOutcome:
    """Register every acceptable photo in `files` (uploaded files, possibly zips) for `owner`."""
    outcome = UploadOutcome()
    for item in check_uploads(files, upload_limits()):
        if isinstance(item, UploadRefused):
            outcome.refused.append(item)
            continue
        try:
            work = do_register_image(owner, user, item)
        except UploadRefused as refusal:
            outcome.refused.append(_detached(refusal))
            continue
        outcome.registered.append(work)
        shortened = rights_fields(work.embedded_metadata).shortened
        if shortened:
            names = ", ".join(name.replace("_", " ") for name in shortened)
            outcome.notes.append(
                f"{item.filename}: the embedded {names} was longer than the field allows and "
                "was shortened; the full text is kept with the file's metadata"
            )
    return outcome


def do_register_image(
    owner: Organisation, user: User | None, image: CheckedImage, **overrides
) -> Work:
    """Store one checked image as a Work. Refuses an exact duplicate (same sha256, same owner).

    Metadata embedded in the file fills the rights fields; `overrides` (e.g. from the demo
    manifest) win over it. Processing (thumbnail, fingerprint) is queued after commit.
    """
    existing = Work.objects.filter(owner=owner, sha256=image.sha256).first()
    if existing:
        raise UploadRefused(image.filename, _duplicate_reason(existing))
    tags = read_embedded(image.data)
    fields = rights_fields(tags)
    work = Work(
        owner=owner,
        sha256=image.sha256,
        original_filename=image.filename.rsplit("/", 1)[-1][:255],
        image_format=image.image_format,
        width=image.width,
        height=image.height,
        byte_size=len(image.data),
        title=fields.title or _title_from_filename(image.filename),
        creator=fields.creator,
        copyright_notice=fields.copyright_notice,
        description=fields.description,
        created_on=fields.created_on,
        embedded_metadata=tags,
        uploaded_by=user,
    )
    for name, value in overrides.items():
        setattr(work, name, value)
    try:
        with transaction.atomic():
            work.file.save(f"upload{image.extension}", ContentFile(image.data), save=False)
            work.save()
    except IntegrityError:
        # A concurrent upload of the same photo won the race; keep the storage clean.
        work.file.delete(save=False)
        existing = Work.objects.get(owner=owner, sha256=image.sha256)
        raise UploadRefused(image.filename, _duplicate_reason(existing)) from None
    except DatabaseError as exc:
        # One file the database will not take must not cost the rest of the batch.
        work.file.delete(save=False)
        log.exception("work %s could not be stored", image.filename)
        raise UploadRefused(
            image.filename, f"the file could not be stored ({type(exc).__name__})"
        ) from None
    enqueue_processing(work)
    return work


def enqueue_processing(work: Work) -> None:
    from .tasks import process_work

    transaction.on_commit(lambda: process_work.enqueue(work.pk))


def do_retry_work(work: Work) -> bool:
    """Queue a failed work for processing again; False when it is not (or no longer) failed."""
    with transaction.atomic():
        queued = Work.objects.filter(pk=work.pk, status=Work.Status.FAILED).update(
            status=Work.Status.PENDING, status_changed_at=timezone.now(), processing_error=""
        )
        if queued:
            enqueue_processing(work)
    return bool(queued)


def do_give_up_processing(work_id: int) -> None:
    """The task processing this work stopped its worker too often: show it as failed."""
    Work.objects.filter(pk=work_id, status=Work.Status.PROCESSING).update(
        status=Work.Status.FAILED,
        status_changed_at=timezone.now(),
        processing_error="processing stopped before it finished several times; retry it",
    )


def do_process_work(work_id: int) -> bool:
    """Make the thumbnail and the matching fingerprint of one work (indexed from the database).

    Idempotent: the work is claimed with a conditional UPDATE, so two workers never process it at
    once, and a finished work is skipped. Returns whether this call did the work.
    """
    now = timezone.now()
    claimed = Work.objects.filter(
        Q(status=Work.Status.PENDING)
        | Q(status=Work.Status.PROCESSING, status_changed_at__lt=now - stale_claim()),
        pk=work_id,
    ).update(status=Work.Status.PROCESSING, status_changed_at=now)
    if not claimed:
        return False
    work = Work.objects.get(pk=work_id)
    try:
        with work.file.open("rb") as handle:
            data = handle.read()
        if not work.thumbnail:
            work.thumbnail.save("thumb.jpg", ContentFile(make_thumbnail(data)), save=False)
        fingerprint = fingerprint_work_bytes(data, max_pixels=settings.FAIRCLAIM_MAX_IMAGE_PIXELS)
    except Exception as exc:
        log.exception("processing work %s failed", work_id)
        Work.objects.filter(pk=work_id).update(
            status=Work.Status.FAILED, status_changed_at=timezone.now(), processing_error=str(exc)
        )
        return True
    Work.objects.filter(pk=work_id).update(
        thumbnail=work.thumbnail.name,
        fingerprint=fingerprint.to_bytes(),
        fingerprint_note=""
        if fingerprint.hashable
        else (
            f"Not hashable (PDQ quality {fingerprint.quality}): found only through local "
            "features, not through its perceptual hash."
        ),
        fingerprinted_at=timezone.now(),
        next_provider_search_at=timezone.now(),  # a new work is searched for at once
        status=Work.Status.READY,
        status_changed_at=timezone.now(),
        processing_error="",
    )
    return True


def _duplicate_reason(existing: Work) -> str:
    return (
        f"this exact photo is already registered as “{existing}” "
        f"(work #{existing.pk}, same SHA-256 {existing.sha256[:12]}…)"
    )


def _title_from_filename(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("_", " ").replace("-", " ").strip()[:300]


def do_import_ledger(owner: Organisation, upload) -> tuple[int, list[str]]:
    """Import a licence CSV for `owner`: all rows or none (see `works.ledger`)."""
    from .ledger import parse_ledger

    raw = upload.read(10 * 1024 * 1024 + 1)
    if len(raw) > 10 * 1024 * 1024:
        return 0, ["The file is larger than 10 MB; split it."]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # spreadsheet exports on Windows
    works = Work.objects.filter(owner=owner)

    def find_work(key: str) -> int | None:
        key = key.strip()
        if key.isdigit():
            return works.filter(pk=int(key)).values_list("pk", flat=True).first()
        if len(key) >= 12 and all(c in "0123456789abcdef" for c in key.lower()):
            found = list(
                works.filter(sha256__startswith=key.lower()).values_list("pk", flat=True)[:2]
            )
            return found[0] if len(found) == 1 else None
        return works.filter(original_filename=key).values_list("pk", flat=True).first()

    rows, errors = parse_ledger(text, find_work)
    if errors:
        return 0, errors
    do_record_licence(
        owner.pk,
        *(
            LicenceTerms(
                work_id=row.work_id, licensee_name=row.licensee_name,
                licensee_email=row.licensee_email, domains=row.domains, usage=row.usage,
                source=row.source, territory=row.territory, media=row.media,
                starts_on=row.starts_on, ends_on=row.ends_on, reference=row.reference,
            )
            for row in rows
        ),
    )  # fmt: skip
    return len(rows), []


# Bulk edits on the works grid and through the API. Each takes a queryset already limited to
# what the user may change (`works_for` + `can_change_works`), so it never widens access.
BULK_METADATA_FIELDS = ("creator", "copyright_notice", "licence", "licence_url")


class BulkRefused(ValueError):
    """A bulk edit that cannot be done as asked; the message says why, nothing was changed."""


def clean_names(raw) -> list[str]:
    """Tag or collection names from a list or a comma-separated text: trimmed, de-duplicated,
    in the order given. A name longer than the field allows is refused, not cut."""
    from .models import NAME_LENGTH

    items = raw.split(",") if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for item in items:
        name = " ".join(str(item).split())
        if not name:
            continue
        if len(name) > NAME_LENGTH:
            raise BulkRefused(f"“{name[:20]}…” is longer than {NAME_LENGTH} characters.")
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def _labels(model, owner_id: int, names: list[str]) -> list:
    """The owner's tags (or collections) of these names, created when new; matched without
    regard to case, so "Berlin" and "berlin" are one label."""
    found = []
    for name in names:
        label = model.objects.filter(owner_id=owner_id, name__iexact=name).first()
        if label is None:
            label, _ = model.objects.get_or_create(owner_id=owner_id, name=name)
        found.append(label)
    return found


def do_archive_works(works, now) -> int:
    """Archive works: they are no longer matched or searched for; their history stays."""
    return works.filter(archived_at__isnull=True).update(archived_at=now, updated_at=now)


def do_restore_works(works, now) -> int:
    """Make archived works matchable again (searched for at the next provider round)."""
    return works.filter(archived_at__isnull=False).update(
        archived_at=None, updated_at=now, next_provider_search_at=now
    )


def do_label_works(works, relation: str, names: list[str], *, remove: bool = False) -> int:
    """Add (or remove) tags or collections, by name, on each work; labels belong to the
    work's owner, so two organisations' "Berlin" tags stay apart. Returns the works touched."""
    from .models import Collection, Tag

    model = {"tags": Tag, "collections": Collection}[relation]
    any_name = Q()
    for name in names:
        any_name |= Q(name__iexact=name)
    touched = 0
    with transaction.atomic():
        for work in works:
            manager = getattr(work, relation)
            if remove:
                manager.remove(*model.objects.filter(any_name, owner_id=work.owner_id))
            else:
                manager.add(*_labels(model, work.owner_id, names))
            touched += 1
    return touched


def do_set_tags(work: Work, names: list[str]) -> None:
    """Replace a work's tags with exactly these (the API's PATCH of `tags`)."""
    from .models import Tag

    with transaction.atomic():
        work.tags.set(_labels(Tag, work.owner_id, names))


def do_set_collections(work: Work, names: list[str]) -> None:
    from .models import Collection

    with transaction.atomic():
        work.collections.set(_labels(Collection, work.owner_id, names))


def check_bulk_metadata(values: dict) -> dict:
    """The metadata a bulk edit sets: only the shared rights fields, only those given a value
    (an empty field in the bulk form means "leave as it is", never "erase on 500 works")."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    chosen = {
        name: " ".join(str(values.get(name) or "").split())
        for name in BULK_METADATA_FIELDS
        if str(values.get(name) or "").strip()
    }
    if not chosen:
        raise BulkRefused("Give at least one field a value to set it on the chosen works.")
    limits = {f.name: f.max_length for f in Work._meta.fields if f.name in chosen}
    for name, value in chosen.items():
        if len(value) > limits[name]:
            raise BulkRefused(f"The {name.replace('_', ' ')} is longer than {limits[name]}.")
    if "licence_url" in chosen:
        try:
            URLValidator(schemes=["http", "https"])(chosen["licence_url"])
        except ValidationError:
            raise BulkRefused("The licence URL is not a web address.") from None
    return chosen


def do_set_metadata(works, values: dict, now) -> int:
    """Set the chosen rights fields (from `check_bulk_metadata`) on every work."""
    return works.update(**values, updated_at=now)


# Marked, not translated: the API names actions in English; the page translates the label.
BULK_ACTIONS = {
    "tag": gettext_noop("Add tags"),
    "untag": gettext_noop("Remove tags"),
    "collect": gettext_noop("Add to collection"),
    "uncollect": gettext_noop("Remove from collection"),
    "archive": gettext_noop("Archive"),
    "restore": gettext_noop("Restore"),
    "metadata": gettext_noop("Set metadata"),
}


def do_bulk_edit(works, action: str, values: dict, now) -> int:
    """One bulk action on `works` (already limited to what the user may change). Raises
    `BulkRefused` (and changes nothing) when the action or its values do not make sense."""
    if action not in BULK_ACTIONS:
        raise BulkRefused("Choose what to do with the chosen works.")
    if action == "archive":
        return do_archive_works(works, now)
    if action == "restore":
        return do_restore_works(works, now)
    if action == "metadata":
        return do_set_metadata(works, check_bulk_metadata(values), now)
    names = clean_names(values.get("names") or "")
    if not names:
        raise BulkRefused("Name the tag or collection.")
    relation = "tags" if action in {"tag", "untag"} else "collections"
    return do_label_works(works, relation, names, remove=action in {"untag", "uncollect"})


@dataclass(frozen=True)
class LicenceTerms:
    """What one licence grants: to whom, for which work (None: every work of the owner), where,
    and where the licence came from. Defaults are the model's."""

    licensee_name: str
    source: str
    work_id: int | None = None
    domains: list[str] = field(default_factory=list)
    licensee_email: str = ""
    usage: str = Licence.Usage.ANY
    territory: str = "worldwide"
    media: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    reference: str = ""
    proven_in_case: str = ""
    notes: str = ""


def do_record_licence(owner_id: int, *terms: LicenceTerms) -> list[Licence]:
    """Enter licences into the owner's ledger, all or none: the one writer of `Licence` rows,
    whether a licence is sold, imported, recorded in triage, proven by a recipient or bought in a
    case. A licensee in the ledger is never claimed again for the work (product rule 2,
    docs/architecture.md)."""
    rows = [
        Licence(
            owner_id=owner_id,
            work_id=t.work_id,
            licensee_name=t.licensee_name[:200],
            licensee_email=t.licensee_email,
            domains=list(t.domains),
            usage=t.usage,
            territory=t.territory,
            media=t.media,
            source=t.source,
            starts_on=t.starts_on,
            ends_on=t.ends_on,
            reference=t.reference[:100],
            proven_in_case=t.proven_in_case,
            notes=t.notes[:2000],
        )
        for t in terms
    ]
    with transaction.atomic():
        return Licence.objects.bulk_create(rows)
