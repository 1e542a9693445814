"""Every claim-linter finding as a rights holder reads it: a title, one plain sentence, the law.

`CATALOGUE[code]` holds, for each code the linter and the fee statement can emit, a short
`title`, one `sentence` in plain words (with `%(name)s` parameters taken from the finding's
details, such as a licence reference or a date) and its `source`: the statute and section, and
the leading case where one applies. Where the law depends on the claim's jurisdiction, the
sentence or the source is a mapping by jurisdiction ("*": any other).

The texts are English; `gettext_noop` marks them for the translation catalogues, and the screens
translate them with Django's gettext. A test reads the linter's code and fails when a code it can
emit has no entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from fairclaim.rules import sources as law
from fairclaim.rules.sources import LegalSource, gettext_noop

LIMITATION_JURISDICTIONS = ("US", "DE", "UK")


_ = gettext_noop  # marks a text for the translation catalogues

T = TypeVar("T")
Text = str | Mapping[str, str]
Source = LegalSource | Mapping[str, LegalSource]


@dataclass(frozen=True)
class FindingText:
    title: str
    sentence: Text
    source: Source

    def sentence_for(self, jurisdiction: str | None) -> str:
        return _pick(self.sentence, jurisdiction)

    def source_for(self, jurisdiction: str | None) -> LegalSource:
        return _pick(self.source, jurisdiction)

    def sentences(self) -> tuple[str, ...]:
        return (
            tuple(self.sentence.values())
            if isinstance(self.sentence, Mapping)
            else (self.sentence,)
        )


def _pick(value: T | Mapping[str, T], jurisdiction: str | None) -> T:
    if not isinstance(value, Mapping):
        return value
    key = {"GB": "UK"}.get(jurisdiction or "", jurisdiction or "")
    return value[key] if key in value else value["*"]


_LIMITATION = {
    "EXPIRED": FindingText(
        _("Time-barred"),
        _(
            "The limitation period ended on %(ended_on)s: every day of use is time-barred, so "
            "nothing may be claimed."
        ),
        law.LIMITATION["US"],
    ),
    "PARTIAL": FindingText(
        _("Partly time-barred"),
        _("Days of use before %(claimable_from)s are time-barred and are not priced."),
        law.LIMITATION["US"],
    ),
    "NEAR": FindingText(
        _("Limitation period ends soon"),
        _(
            "The last day to go to court for the newest day of use is %(last_day)s: decide "
            "whether to sue before sending."
        ),
        law.LIMITATION["US"],
    ),
    "OK": FindingText(
        _("In time"),
        _("The newest day of use can be taken to court until %(last_day)s."),
        law.LIMITATION["US"],
    ),
}

CATALOGUE: dict[str, FindingText] = {
    "JURISDICTION_SUPPORTED": FindingText(
        _("Law covered"),
        _(
            "The claim is made under a law whose rules fairclaim checks, so every check below "
            "applies."
        ),
        {**law.LAWS_MODELLED, "*": law.LAWS_NOT_MODELLED},
    ),
    "JURISDICTION_UNSUPPORTED": FindingText(
        _("Law not covered"),
        _(
            "fairclaim does not check claims under the law of %(jurisdiction)s, so no claim may "
            "be sent under it."
        ),
        law.LAWS_NOT_MODELLED,
    ),
    "OWN_SITE": FindingText(
        _("Rights holder's own site"),
        _(
            "The page is on the rights holder's own site (%(listed)s): publishing one's own photo "
            "is no infringement, so there is nothing to claim."
        ),
        law.OWN_PUBLICATION,
    ),
    "AGENCY_SITE": FindingText(
        _("Agency's site"),
        _(
            "The page is on the site of the rights holder's agency (%(listed)s), which may show "
            "the photo: there is nothing to claim."
        ),
        law.OWN_PUBLICATION,
    ),
    "WHITELISTED_SITE": FindingText(
        _("Site never claimed"),
        _(
            "The page is on %(listed)s, a site the rights holder chose never to claim against: "
            "there is nothing to claim."
        ),
        law.OWN_PUBLICATION,
    ),
    "OPEN_CASE_EXISTS": FindingText(
        _("Case already open"),
        _(
            "Case %(case_refs)s is already open for this photo and this recipient: no second "
            "claim is sent."
        ),
        law.ONE_CASE_PER_USE,
    ),
    "LICENCE_PROVEN": FindingText(
        _("Licence already proven"),
        _(
            "Licence %(reference)s was proven in case %(case_ref)s for this photo and this "
            "recipient: no new claim may be made."
        ),
        law.PROVEN_LICENCE,
    ),
    "LICENCE_NOT_COVERING": FindingText(
        _("Licence checked: not for this use"),
        _(
            "Licence %(reference)s was checked: it is for another photo, recipient or use, so it "
            "does not stand in the way of this claim."
        ),
        law.LICENSED_USE,
    ),
    "LICENCE_UNCLEAR": FindingText(
        _("Licence may apply"),
        _("Licence %(reference)s may cover this recipient: check it before claiming."),
        law.LICENSED_USE,
    ),
    "LICENCE_KNOWN": FindingText(
        _("Licensed use"),
        _(
            "A known licence covers this recipient for the whole use: a licensed use infringes "
            "nothing, so nothing may be claimed."
        ),
        law.LICENSED_USE,
    ),
    "LICENCE_PARTIAL": FindingText(
        _("Partly licensed"),
        _("Licence %(reference)s covers part of the use: only the days outside it are priced."),
        law.LICENSED_USE,
    ),
    "LICENCE_OTHER_PERIOD": FindingText(
        _("Licence for other dates"),
        _("Licence %(reference)s covers this recipient, but not on the days of this use."),
        law.LICENSED_USE,
    ),
    "UNLICENSED_DAYS": FindingText(
        _("Days without a licence"),
        _("Some days of the use are covered by no licence: only those days are priced."),
        law.LICENSED_USE,
    ),
    "CC_CLAIMED_ON_PAGE": FindingText(
        _("Open licence named on the page"),
        _(
            "The page names %(licence)s for the photo, but the rights holder never "
            "published it under that licence: find out where the recipient got it first."
        ),
        law.CREATIVE_COMMONS,
    ),
    "WORK_PUBLIC_DOMAIN": FindingText(
        _("Public domain"),
        _(
            "The photo is in the public domain (%(licence)s): anyone may use it, so nothing may "
            "be asked."
        ),
        law.PUBLIC_DOMAIN,
    ),
    "WORK_CC0": FindingText(
        _("Dedicated to the public"),
        _(
            "The photo is dedicated to the public under %(licence)s: anyone may use it, so "
            "nothing may be asked."
        ),
        law.PUBLIC_DOMAIN,
    ),
    "CC_NON_COMMERCIAL_TERMS": FindingText(
        _("Non-commercial licence, commercial site"),
        _(
            "The photo is under %(licence)s, which allows only non-commercial use, and the site "
            "is commercial: review the use before asking for money."
        ),
        law.CREATIVE_COMMONS,
    ),
    "CC_LICENSED": FindingText(
        _("Used as its licence allows"),
        _(
            "The photo is under %(licence)s and the page credits the author and names the "
            "licence: the use is licensed, so nothing may be asked."
        ),
        law.OPEN_LICENCE,
    ),
    "CC_ATTRIBUTION_CURE": FindingText(
        _("Licence conditions not met"),
        _(
            "The photo is under %(licence)s and the page does not credit the author or name the "
            "licence as it requires: ask for that to be fixed, without money."
        ),
        law.OPEN_LICENCE,
    ),
    "CREDIT_PRESENT": FindingText(
        _("Author credited"),
        _("The author is named beside the photo."),
        {"DE": law.CREDIT_DE, **law.CREDIT_OTHER},
    ),
    "CREDIT_MISSING": FindingText(
        _("Author not credited"),
        {
            "DE": _(
                "The author is not named beside the photo: German law allows a surcharge of up "
                "to 100 % on the licence fee."
            ),
            "*": _("The author is not named beside the photo; this law gives no surcharge for it."),
        },
        {"DE": law.CREDIT_DE, **law.CREDIT_OTHER},
    ),
    "CREDIT_MISSING_HOBBY": FindingText(
        _("Author not credited (hobby photographer)"),
        _(
            "The author is not named beside the photo, but courts give no surcharge for it to a "
            "photographer who does not work professionally."
        ),
        law.HOBBY_PHOTOGRAPHER,
    ),
    "HOTLINK_SERVER_TEST": FindingText(
        _("Embedded from another server"),
        _(
            "The image is embedded from another server and the recipient is in %(us_state)s "
            "(Ninth Circuit): under the server test the site shows no copy, so nothing may be "
            "claimed."
        ),
        law.SERVER_TEST,
    ),
    "HOTLINK_REVIEW": FindingText(
        _("Embedded from another site"),
        {
            "US": _(
                "The image is embedded from another server; courts outside the Ninth Circuit may "
                "not follow the server test: review before claiming."
            ),
            "*": _(
                "The image is embedded from another site that may not have the rights holder's "
                "permission: review before claiming."
            ),
        },
        {"US": law.SERVER_TEST, "*": law.LINKING_EU},
    ),
    "HOTLINK_AUTHORISED_SOURCE": FindingText(
        _("Embedded from an authorised site"),
        _(
            "The image is embedded from a site that shows it with the rights holder's consent: "
            "linking to it reaches no new public, so nothing may be claimed."
        ),
        law.LINKING_EU,
    ),
    "DE_MINIMIS": FindingText(
        _("Too small to matter"),
        _(
            "The image is shown at %(displayed)s pixels, too small to matter: nothing may be "
            "claimed."
        ),
        law.DE_MINIMIS_CASES,
    ),
    "SMALL_DISPLAY": FindingText(
        _("Shown small"),
        _(
            "The image is shown at only %(displayed)s pixels: check how prominent it is before "
            "claiming."
        ),
        law.DE_MINIMIS_CASES,
    ),
    "DE_PRIVATE_USE": FindingText(
        _("Private person"),
        _(
            "The site belongs to a private person: the claim may go ahead, with the lawyer fees "
            "the law allows for a private person."
        ),
        law.PRIVATE_PERSON_DE,
    ),
    "PRIVATE_SITE": FindingText(
        _("Private person"),
        _("The site belongs to a private person: decide whether to claim and how much."),
        law.NON_COMMERCIAL_USE,
    ),
    "NON_COMMERCIAL_SITE": FindingText(
        _("Non-commercial site"),
        _(
            "The site is non-commercial (an association, a charity or a blog without ads): "
            "decide whether to claim and how much."
        ),
        law.NON_COMMERCIAL_USE,
    ),
    "DE_LIMITATION_RESIDUAL": FindingText(
        _("Only the licence fee for older days"),
        _(
            "Days from %(residual_from)s to %(residual_to)s are past the regular limitation "
            "period: only the licence fee is claimed for them, without surcharges."
        ),
        law.LIMITATION["DE"],
    ),
    "US_412_AVAILABLE": FindingText(
        _("Registered in time"),
        _(
            "The photo was registered in time for this use: statutory damages and attorney's "
            "fees are available."
        ),
        law.REGISTRATION_US,
    ),
    "US_412_UNAVAILABLE": FindingText(
        _("Not registered in time"),
        _(
            "The photo was not registered in time for this use: the claim is the licence fee "
            "only, without statutory damages or attorney's fees."
        ),
        law.REGISTRATION_US,
    ),
    "US_412_STATUTORY_CITED": FindingText(
        _("Statutory damages cited"),
        _(
            "The notice mentions statutory damages, which the law excludes for this use: remove "
            "them before sending."
        ),
        law.REGISTRATION_US,
    ),
    "DE_97A3_NOT_APPLICABLE": FindingText(
        _("No cap on lawyer fees"),
        _(
            "The recipient has already undertaken to stop this use towards the rights holder, so "
            "the cap on lawyer fees for private persons does not apply."
        ),
        law.LAWYER_FEE_CAP_DE,
    ),
    "DE_97A3_CONSUMER_CAP": FindingText(
        _("Lawyer fees capped"),
        _(
            "The recipient is a private person: lawyer fees may be asked only on a value of "
            "1,000 EUR, at most %(cap)s EUR before VAT."
        ),
        law.LAWYER_FEE_CAP_DE,
    ),
    "DE_HOBBY_SCHEDULE": FindingText(
        _("Fee table for a hobby photographer"),
        _(
            "Courts do not apply published fee tables to photographers who do not work "
            "professionally: price from the photographer's own sales instead."
        ),
        law.HOBBY_PHOTOGRAPHER,
    ),
    "CURRENCY_MISMATCH": FindingText(
        _("Prices in another currency"),
        _(
            "The prices are in %(given)s, but a claim under this law is made in %(expected)s: "
            "change the price list first."
        ),
        law.CLAIM_CURRENCY,
    ),
    "NO_PRICE": FindingText(
        _("No price for this use"),
        _("The price list has no price for this use (%(usage)s): add one before claiming."),
        law.LICENCE_FEE,
    ),
    "SURCHARGE_CAPPED": FindingText(
        _("Surcharge lowered"),
        _("The surcharge for the missing credit was lowered to 100 %, the most courts allow."),
        law.CREDIT_DE,
    ),
    "SURCHARGE_REFUSED": FindingText(
        _("Surcharge not applied"),
        _(
            "A surcharge on the price list was not applied: the law gives no basis for it in "
            "this claim."
        ),
        law.SURCHARGES,
    ),
    "LAWYER_FEE_DROPPED": FindingText(
        _("Lawyer fee left out"),
        _("The lawyer fee was left out: attorney's fees are not available for this use."),
        law.NO_ATTORNEYS_FEES_US,
    ),
    "LAWYER_FEE_CAPPED": FindingText(
        _("Lawyer fee capped"),
        _("The lawyer fee was lowered to the legal cap for a private person."),
        law.LAWYER_FEE_CAP_DE,
    ),
}

for _j in LIMITATION_JURISDICTIONS:
    for _kind, _text in _LIMITATION.items():
        CATALOGUE[f"{_j}_LIMITATION_{_kind}"] = FindingText(
            _text.title, _text.sentence, law.LIMITATION[_j]
        )
