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
    # Runs the organisation's team: invites and removes members, sees the team's sign-ins.
    team_admin = models.BooleanField(default=False)
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


class SignInEvent(models.Model):
    """One line of the sign-in audit trail: who (or which name was tried), when, from where.

    `client` is the address the sign-in throttle counts (accounts.clients.client_address);
    `organisation` is the user's organisation at the time, so a team admin sees the team's
    history even of members who have since left. Append-only: nothing edits or deletes it.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in (password)"
        FAILED = "failed", "Wrong username or password"
        THROTTLED = "throttled", "Refused: too many failures"
        SECOND_FACTOR_PASSED = "2fa_passed", "Second factor accepted"
        SECOND_FACTOR_FAILED = "2fa_failed", "Wrong second-factor code"
        RECOVERY_CODE_USED = "recovery_used", "Recovery code used"
        TWO_FACTOR_ENROLLED = "2fa_enrolled", "Second factor set up"
        TWO_FACTOR_REMOVED = "2fa_removed", "Second factor removed"
        PASSWORD_RESET_REQUESTED = "reset_requested", "Password reset requested"
        PASSWORD_RESET = "reset_done", "Password reset by e-mail link"
        PASSWORD_CHANGED = "password_changed", "Password changed"

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_in_events"
    )
    attempted = models.CharField(max_length=254, blank=True, help_text="The name or e-mail tried")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"]),
            models.Index(fields=["organisation", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.user or self.attempted}"


class Invitation(models.Model):
    """An invitation to join an organisation's team; its link is signed, expires, works once."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        READ_ONLY = "read_only", "Read-only member"
        TEAM_ADMIN = "team_admin", "Team admin"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    nonce = models.CharField(max_length=32, unique=True)  # in the signed link; never reused
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.role})"


class MembershipEvent(models.Model):
    """The log of an organisation's team: invited, joined, left, removed, invitation revoked."""

    class Kind(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        ROLE_CHANGED = "role_changed", "Role changed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="membership_events"
    )
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.CharField(max_length=254, help_text="Username or invited e-mail")
    role = models.CharField(max_length=20, blank=True)
    actor = models.CharField(max_length=150, help_text="Who made the change")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.organisation}: {self.member} {self.kind}"
