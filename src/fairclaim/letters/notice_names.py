"""What each kind of document we issue is called, in the reader's language (the portal's list
of documents and the case pages show these names)."""

from django.utils.translation import pgettext_lazy

DEMAND = pgettext_lazy("notice kind", "Demand")
REMINDER = pgettext_lazy("notice kind", "Reminder")
DMCA_TAKEDOWN = pgettext_lazy("notice kind", "DMCA takedown notice")
RELEASE = pgettext_lazy("notice kind", "Settlement and release")
LICENCE_CERTIFICATE = pgettext_lazy("notice kind", "Licence certificate")
