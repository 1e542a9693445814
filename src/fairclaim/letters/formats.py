"""Numbers, money, percentages and dates as a reader in the letter's language expects them
(CLDR data through Babel): "1.314,00 €" in German, "1 314,00 €" in French, "$1,314.00" in
American English. Only the letters and the screens that show a statement format money; the
amounts themselves stay `Decimal` (rules.money)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from fairclaim.rules.money import Money
from fairclaim.rules.periods import Period

LETTER_LANGUAGES = ("en", "de", "fr", "es", "it")
# The locale whose conventions a letter in `language` follows; English follows the law it is
# written under (US dollars the American way, everything else the British way).
LOCALES = {"de": "de_DE", "fr": "fr_FR", "es": "es_ES", "it": "it_IT", "en": "en_GB"}


# The letter's language by the recipient's country, where it is one of ours; a claim under
# German or Austrian law is written in German whatever the country (as before).
LANGUAGE_BY_COUNTRY = {"DE": "de", "AT": "de", "LI": "de", "FR": "fr", "MC": "fr", "ES": "es",
                       "IT": "it", "SM": "it", "VA": "it"}  # fmt: skip


def letter_language(jurisdiction: str, recipient_country: str = "") -> str:
    if jurisdiction.upper() in {"DE", "AT"}:
        return "de"
    return LANGUAGE_BY_COUNTRY.get(recipient_country.upper(), "en")


def locale_for(language: str, jurisdiction: str = "") -> str:
    if language == "en" and jurisdiction.upper() == "US":
        return "en_US"
    return LOCALES.get(language, "en_GB")


def money(value: Money, locale: str) -> str:
    return format_currency(value.amount, value.currency, locale=locale)


def number(value: Decimal | int, locale: str) -> str:
    return format_decimal(value, locale=locale)


def amount(value: Money, locale: str) -> str:
    """The amount without its currency sign, two decimals (a table column names the currency)."""
    return format_decimal(value.amount, format="#,##0.00", locale=locale)


def percent(pct: Decimal, locale: str) -> str:
    return format_percent(pct / Decimal(100), format="#,##0.##\u00a0%", locale=locale)


def day(value: date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)


def period(value: Period, locale: str) -> str:
    return f"{day(value.start, locale)} – {day(value.end, locale)}"
