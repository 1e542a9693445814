"""Which language a page speaks: the signed-in user's own choice (kept on their profile) for the
application, the recipient's choice (cookie, else the browser's) for the portal and public checks.

The application is translated into English and German; the recipient portal, the public checks
and the notices' common parts into all five `settings.LANGUAGES`. Each language is named in its
own language in every chooser (a German reader looking for "English" must not find "Englisch").
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.utils import translation
from django.views.i18n import set_language

APP_LANGUAGES = ("en", "de")
# Pages a recipient without an account reads: every language of `settings.LANGUAGES`.
RECIPIENT_PREFIXES = ("/portal/", "/verify/", "/i18n/")


def language_names() -> dict[str, str]:
    """Code -> the language's own name ("Deutsch", "Français"), never translated."""
    return dict(settings.LANGUAGES)


def for_recipients(path: str) -> bool:
    return path.startswith(RECIPIENT_PREFIXES)


def offered_languages(path: str) -> list[tuple[str, str]]:
    names = language_names()
    codes = list(names) if for_recipients(path) else [c for c in APP_LANGUAGES if c in names]
    return [(code, names[code]) for code in codes]


class UserLanguageMiddleware:
    """After authentication: a signed-in user's saved language wins over cookie and browser on
    application pages; an application page never speaks a portal-only language (it falls back
    to English rather than mixing French menus with English pages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not for_recipients(request.path):
            user = getattr(request, "user", None)
            chosen = getattr(user, "language", "") if user and user.is_authenticated else ""
            language = chosen or translation.get_language()
            if language not in APP_LANGUAGES:
                language = settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def choose_language(request):
    """The chooser's POST (CSRF-checked like every POST): remembered on the signed-in user's
    profile for application languages, and in the cookie `set_language` sets for everyone."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in APP_LANGUAGES and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return set_language(request)


def language_choices(request):
    """Context processor: the chooser's options for this page and the current language."""
    return {
        "language_choices": offered_languages(request.path),
        "current_language": translation.get_language(),
    }
