"""Use types a price applies to, in words (a price list row and a claim name the same use).

A rate card's `usage` is a free name the facts compare by equality; these are the names the
forms offer, each with its label. A name a rights holder used before that is not listed here is
kept and shown as written.
"""

from django.utils.translation import gettext_lazy as _

USAGES = {
    "web_commercial": _("Website of a business"),
    "web_editorial": _("Editorial website (news, magazine, blog)"),
    "online_shop": _("Online shop"),
    "social_media": _("Social media"),
    "advertising": _("Advertising"),
    "print_magazine": _("Print magazine"),
}


def usage_label(usage: str) -> str:
    """A use type in words; a rights holder's own name for a use is shown as they wrote it."""
    label = USAGES.get(usage)
    return str(label) if label is not None else usage.replace("_", " ")


def usage_choices(*known: str) -> list[tuple[str, str]]:
    """The listed use types, then any other name already in use (a price list's, a claim's)."""
    choices = [(key, str(label)) for key, label in USAGES.items()]
    for usage in known:
        if usage and usage not in USAGES and usage not in {c[0] for c in choices}:
            choices.append((usage, usage_label(usage)))
    return choices
