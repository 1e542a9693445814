"""What the API shows and accepts. Output fields are explicit: nothing internal (fingerprints,
access-code hashes, provider secrets) leaves by accident when a model gains a field."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from fairclaim.cases.models import Case, CaseEvent, Claim
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.monitoring.triage import ACTIONS
from fairclaim.payments.models import Payment
from fairclaim.works.actions import (
    BULK_ACTIONS,
    BulkRefused,
    clean_names,
    do_archive_works,
    do_restore_works,
    do_set_collections,
    do_set_tags,
)
from fairclaim.works.models import NAME_LENGTH, Licence, Registration, Work

MAX_ID = 2**63 - 1  # the largest row id; a larger number would overflow the database driver
MAX_URLS_PER_REQUEST = 20  # each is fetched during the request; more belongs in several requests


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "office", "number", "effective_date", "group_registration", "notes"]


MAX_LABELS = 100  # tags or collections on one work; more is a list, not a label


class LabelsField(serializers.ListField):
    """Tag or collection names, read and written as a list of strings (replacing the list)."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=NAME_LENGTH), max_length=MAX_LABELS,
            required=False, **kwargs,
        )  # fmt: skip

    def to_representation(self, data):
        return [label.name for label in data.all()]

    def to_internal_value(self, data):
        try:
            return clean_names(super().to_internal_value(data))
        except BulkRefused as refusal:
            raise serializers.ValidationError(str(refusal)) from None


class WorkSerializer(serializers.ModelSerializer):
    registrations = RegistrationSerializer(many=True, read_only=True)
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    web_url = serializers.SerializerMethodField()
    tags = LabelsField()
    collections = LabelsField()
    archived = serializers.BooleanField(
        required=False,
        help_text="An archived work is no longer matched or searched for; its history stays.",
    )

    class Meta:
        model = Work
        fields = [
            "id", "owner", "sha256", "original_filename", "image_format", "width", "height",
            "byte_size", "title", "creator", "copyright_notice", "description", "created_on",
            "first_published_on", "status", "processing_error", "fingerprint_note",
            "registrations", "created_at", "updated_at", "web_url",
            "tags", "collections", "archived", "archived_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "owner", "sha256", "original_filename", "image_format", "width", "height",
            "byte_size", "status", "processing_error", "fingerprint_note", "registrations",
            "created_at", "updated_at", "archived_at",
        ]  # fmt: skip

    def get_web_url(self, work) -> str:
        return reverse("works:detail", args=[work.pk])

    def update(self, instance, validated_data):
        """Metadata as the model fields; tags, collections and archiving through their actions."""
        tags = validated_data.pop("tags", None)
        collections = validated_data.pop("collections", None)
        archived = validated_data.pop("archived", None)
        with transaction.atomic():
            instance = super().update(instance, validated_data)
            if tags is not None:
                do_set_tags(instance, tags)
            if collections is not None:
                do_set_collections(instance, collections)
            if archived is not None:
                now = timezone.now()
                chosen = Work.objects.filter(pk=instance.pk)
                (do_archive_works if archived else do_restore_works)(chosen, now)
                instance.refresh_from_db(fields=["archived_at"])
        return instance

    def validate(self, attrs):
        current = self.instance
        created = attrs.get("created_on", getattr(current, "created_on", None))
        published = attrs.get("first_published_on", getattr(current, "first_published_on", None))
        if created and published and published < created:
            raise serializers.ValidationError(
                {"first_published_on": "A photo cannot be published before it is taken."}
            )
        return attrs


class WorkBulkSerializer(serializers.Serializer):
    """JSON: one action on many works (those the key's user may not change are skipped)."""

    works = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=1000,
    )
    action = serializers.ChoiceField(choices=list(BULK_ACTIONS.items()))
    names = LabelsField(help_text="Tags or collections, for tag, untag, collect, uncollect")
    creator = serializers.CharField(required=False, allow_blank=True)
    copyright_notice = serializers.CharField(required=False, allow_blank=True)
    licence = serializers.CharField(required=False, allow_blank=True)
    licence_url = serializers.CharField(required=False, allow_blank=True)


class WorkBulkResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many works the action changed")


class WorkUploadSerializer(serializers.Serializer):
    """Multipart: one or more `files` (photos or zip archives of photos)."""

    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), allow_empty=False
    )


class WorkFromUrlSerializer(serializers.Serializer):
    """JSON: one or more image URLs, fetched now through the guarded outbound fetch."""

    urls = serializers.ListField(
        child=serializers.URLField(max_length=2048), min_length=1, max_length=MAX_URLS_PER_REQUEST
    )


class RefusalSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The file name or URL that was not registered")
    reason = serializers.CharField()


class WorkCreatedSerializer(serializers.Serializer):
    registered = WorkSerializer(many=True)
    refused = RefusalSerializer(many=True)


class LicenceSerializer(serializers.ModelSerializer):
    work = serializers.PrimaryKeyRelatedField(
        queryset=Work.objects.none(), required=False, allow_null=True
    )
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=500
    )

    class Meta:
        model = Licence
        fields = [
            "id", "work", "licensee_name", "licensee_email", "domains", "media", "territory",
            "usage", "source", "starts_on", "ends_on", "reference", "notes", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, works=None, **kwargs):
        super().__init__(*args, **kwargs)
        if works is not None:
            self.fields["work"].queryset = works  # only the member's own works can be named

    def validate_domains(self, domains):
        return sorted({d.strip().lower().removeprefix("www.") for d in domains if d.strip()})

    def validate(self, attrs):
        starts, ends = attrs.get("starts_on"), attrs.get("ends_on")
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": "A licence cannot end before it starts."})
        return attrs


class LicenceImportSerializer(serializers.Serializer):
    csv_file = serializers.FileField(help_text="The licence ledger CSV (see the web import page)")


class LicenceImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


class SightingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sighting
        fields = [
            "id", "source", "page_url", "image_url", "page_domain", "image_sha256",
            "display_width", "display_height", "hotlinked", "first_seen", "last_seen", "gone_at",
            "created_at",
        ]  # fmt: skip


class MatchSerializer(serializers.ModelSerializer):
    sighting = SightingSerializer(read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "id", "work", "sighting", "score", "inliers", "status", "reviewed_at", "created_at",
            "web_url",
        ]  # fmt: skip

    def get_web_url(self, match) -> str:
        return reverse("monitoring:match", args=[match.pk])


class MatchDetailSerializer(MatchSerializer):
    class Meta(MatchSerializer.Meta):
        fields = [*MatchSerializer.Meta.fields, "report"]


class TriageSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTIONS))
    matches = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=500
    )


class TriageResultSerializer(serializers.Serializer):
    done = serializers.DictField(child=serializers.IntegerField())


class ClaimSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "match", "status", "decision", "case", "approved_at", "created_at"]


class CaseSerializer(serializers.ModelSerializer):
    rights_holder = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Case
        fields = [
            "reference", "rights_holder", "state", "jurisdiction", "language", "currency",
            "recipient_name", "recipient_domain", "recipient_country", "recipient_type",
            "deadline", "created_at", "updated_at",
        ]  # fmt: skip


class CaseEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["seq", "kind", "payload", "actor", "at", "prev_hash", "hash"]


class StatementSerializer(serializers.Serializer):
    currency = serializers.CharField(allow_blank=True)
    lines = serializers.ListField(child=serializers.DictField())
    offers = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class PaymentSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id", "case", "offer", "method", "provider", "amount", "currency", "status",
            "amount_received", "amount_refunded", "instalment_number", "instalment_count",
            "due_on", "received_at", "created_at",
        ]  # fmt: skip
