from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A party on the platform: a rights holder, the operator handling cases, or a law firm."""

    class Kind(models.TextChoices):
        RIGHTS_HOLDER = "rights_holder", _("Rights holder")
        OPERATOR = "operator", _("Operator (case management)")
        LAW_FIRM = "law_firm", _("Partner law firm")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For rights holders: the operator organisation whose case managers handle their cases.
    operator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
        limit_choices_to={"kind": Kind.OPERATOR},
    )
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    # A rights holder's own sites and those of the agency that represents it: a use there is
    # never claimed (compared by registrable domain, so subdomains count).
    own_domains = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Your own sites, e.g. anna-berg.de (subdomains count)"),
    )
    agency_domains = models.JSONField(
        default=list, blank=True, help_text=_("Sites of the agency that represents your work")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person signing in. Their role and organisation decide everything they may see."""

    class Role(models.TextChoices):
        RIGHTS_HOLDER = "rights_holder", _("Rights holder")
        CASE_MANAGER = "case_manager", _("Case manager")
        LAW_FIRM = "law_firm", _("Law firm")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RIGHTS_HOLDER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # A member who may look but not change anything (an assistant, an accountant).
    read_only = models.BooleanField(default=False)
    # The application's language for this person, chosen on any page; blank: the browser's.
    language = models.CharField(
        max_length=5,
        blank=True,
        default="",
        choices=[("en", "English"), ("de", "Deutsch")],  # each named in its own language
    )

    def __str__(self):
        return self.get_username()

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN


class RateLimit(models.Model):
    """A counter per key and time window, shared by every web process through the database.

    Guards anything guessable: passwords, portal access codes, notice references.
    """

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)  # the last failure: delays grow from it

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%Y-%m-%d %H:%M}"
