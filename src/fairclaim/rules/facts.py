"""The facts of one claim, as the claim linter and the fee statement read them (pydantic v2).

This is the input contract of `fairclaim rules check FACTS.json`; its JSON Schema is generated from
these models into docs/facts/facts.schema.json (a test keeps the two equal). Validation is strict:
unknown fields are refused (a typo must not silently drop a fact), dates are ISO `YYYY-MM-DD`
strings, money is a decimal *string* ("149.00", never a float). Cross-field checks (timeline order,
registration not in the future) raise with the field named.

Pure: no Django, no I/O; `parse_facts` takes text or a dict.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

SCHEMA_VERSION: Final = 1
# Dates outside this range are typos; the bounds also keep ±10-year arithmetic inside `date`.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DECIMAL_PATTERN = re.compile(r"\d+(\.\d+)?")  # no sign, exponent, NaN or thousands separators


def _decimal_from_string(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError('money and rates are decimal strings such as "149.00", not numbers')
    if not DECIMAL_PATTERN.fullmatch(value):
        raise ValueError(f'{value!r} is not a plain non-negative decimal such as "149.00"')
    return Decimal(value)


DecimalString = Annotated[
    Decimal,
    BeforeValidator(_decimal_from_string),
    WithJsonSchema({"type": "string", "pattern": f"^{DECIMAL_PATTERN.pattern}$"}),
]
NonNegativeDecimal = Annotated[DecimalString, Field(ge=0)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Registration(Strict):
    """A copyright registration (US Copyright Office); only the effective date drives §412."""

    office: Literal["USCO"] = "USCO"
    number: str = Field(min_length=1, examples=["VA 2-345-678"])
    effective_date: date
    group: bool = Field(
        default=False, description="group registration (GRPPH/GRUPH); each photo a work"
    )


class CcLicence(Strict):
    """A Creative Commons licence the rights holder granted for this work."""

    code: str = Field(min_length=1, examples=["CC BY 4.0"])
    url: str | None = None
    non_commercial: bool = False


class WorkLicence(Strict):
    """The licence the work itself is published under, as its own notice or metadata says.

    `code` and/or `url` name it ("CC0 1.0", "CC BY-SA 4.0", "Public Domain Mark 1.0",
    "GPL-3.0-or-later", or the licence URL); `rules.open_licences.classify` reads them. A text that
    names no open licence ("All rights reserved") has no effect.
    """

    code: str | None = Field(default=None, min_length=1, examples=["CC0 1.0", "CC BY-SA 4.0"])
    url: str | None = Field(default=None, min_length=1)
    source: Literal["notice", "metadata", "rights_holder"] = Field(
        default="rights_holder",
        description="where it was read: the work's copyright notice, its embedded metadata "
        "(XMP/IPTC usage terms, licence URL), or the rights holder's own record",
    )

    @model_validator(mode="after")
    def _names_a_licence(self) -> WorkLicence:
        if self.code is None and self.url is None:
            raise ValueError("work.own_licence needs a code or a url")
        return self


class Work(Strict):
    id: str = Field(min_length=1)
    title: str | None = None
    creator_type: Literal["professional", "hobby"] = Field(
        default="professional",
        description="hobby photographers cannot use published fee tables or credit surcharges "
        "in Germany (BGH I ZR 187/17; LG Stuttgart 17 O 872/12)",
    )
    first_published_on: date | None = Field(default=None, description="null = unpublished")
    registration: Registration | None = None
    cc_licence: CcLicence | None = Field(
        default=None, description="set when the rights holder released the work under a CC licence"
    )
    own_licence: WorkLicence | None = Field(
        default=None,
        description="the licence the work's own notice or metadata states (CC0, public domain, "
        "a CC licence, GPL or another open licence): no claim for public domain or CC0; a CC or "
        "other open licence is checked like cc_licence (credit and licence notice, cure)",
    )


class Sighting(Strict):
    """The use found, with its evidence timeline and page context."""

    page_url: str = Field(min_length=1)
    image_url: str = Field(min_length=1)
    use_started_on: date | None = Field(
        default=None,
        description="earliest evidence the use existed (archive capture, Last-Modified); "
        "defaults to first_seen; the infringement's commencement for §412",
    )
    first_seen: date = Field(description="first capture by fairclaim")
    last_seen: date = Field(description="latest capture showing the use")
    still_online: bool = Field(description="false when the image was removed after last_seen")
    hotlinked: bool = Field(description="image bytes served from another host than the page's")
    image_source_authorised: bool | None = Field(
        default=None,
        description="for a hot-linked image: the serving host shows it with the rights holder's "
        "consent (true), without (false), unknown (null)",
    )
    displayed_width: int = Field(gt=0, description="CSS pixels as displayed on the page")
    displayed_height: int = Field(gt=0)
    credit_present: bool = Field(description="author credit shown with the image")
    page_cc_licence: str | None = Field(
        default=None, description="a Creative Commons licence the page states for the image, if any"
    )
    page_licence: str | None = Field(
        default=None,
        description="any licence the page states for the image (name or URL: CC, CC0, public "
        "domain, GPL ...); read together with page_cc_licence",
    )
    site_type: Literal["commercial", "non_commercial", "private"] = Field(
        description="who runs the site and why, decided at triage from the page's imprint, "
        "operator and content: commercial = a business, a trade or a profession (shop, company "
        "or freelancer site, a blog with ads, affiliate links or sponsored posts); "
        "non_commercial = an organisation without commercial purpose (association, charity, "
        "public body, school, an institution's blog without ads); private = a natural person's "
        "own site used for no trade or profession (personal blog, family or hobby site)",
    )
    usage: str = Field(min_length=1, examples=["web_commercial", "web_editorial", "online_shop"])
    placement: str | None = Field(default=None, examples=["homepage", "subpage", "article"])
    territory: str = "worldwide"


DomainName = Annotated[str, Field(min_length=1, max_length=2048, examples=["anna-berg.de"])]


class RightsHolder(Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    professional: bool | None = Field(
        default=None,
        description="the rights holder licenses photographs as a business (photographer, "
        "agency); false = a hobby or occasional photographer; null = as work.creator_type says",
    )
    own_domains: list[DomainName] = Field(
        default_factory=list,
        description="the rights holder's own sites (domains or URLs); a use there is no "
        "infringement; subdomains count (compared by registrable domain, Public Suffix List)",
    )
    agency_domains: list[DomainName] = Field(
        default_factory=list,
        description="sites of the agency that represents or distributes the rights holder's work",
    )
    whitelist: list[DomainName] = Field(
        default_factory=list,
        description="sites the rights holder never claims against (partners, clients)",
    )
    discovered_on: date | None = Field(
        default=None,
        description="when the rights holder learned (or should have learned) of the use; "
        "defaults to sighting.first_seen (US discovery rule, §199(1) BGB knowledge)",
    )


class Recipient(Strict):
    id: str = Field(min_length=1, description="stable key of the recipient (entity or domain)")
    name: str = Field(min_length=1)
    type: Literal["consumer", "micro_business", "business", "public_body", "charity"]
    country: CountryCode
    us_state: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="two-letter US state (federal circuit)"
    )
    subdivision: str | None = Field(
        default=None,
        pattern=r"^[A-Z0-9]{1,3}$",
        description="state or region for public holidays (ISO 3166-2 suffix: BY for Bavaria, "
        "CA for California, SCT for Scotland); defaults to us_state in the US",
    )
    bound_by_prior_undertaking: bool = Field(
        default=False,
        description="already bound to cease and desist towards this claimant (§97a(3) No. 2)",
    )


class KnownLicence(Strict):
    reference: str = Field(min_length=1)
    licensee: str = Field(min_length=1)
    source: Literal["own_sale", "agency", "stock", "creative_commons", "other"]
    covers_recipient: bool | None = Field(
        description="the licence covers this recipient and this use; null = cannot tell"
    )
    valid_from: date | None = None
    valid_until: date | None = None
    proven_in_case: str | None = Field(
        default=None,
        min_length=1,
        description="reference of the earlier case in which this licence was proven and accepted",
    )
    work_id: str | None = Field(
        default=None, min_length=1, description="the work it licenses; null = this work"
    )
    recipient_id: str | None = Field(
        default=None, min_length=1, description="the recipient it was proven for; null = unknown"
    )


class OpenCase(Strict):
    case_ref: str = Field(min_length=1)
    work_id: str = Field(min_length=1)
    recipient_id: str = Field(min_length=1)


class Notice(Strict):
    mentions_statutory_damages: bool = Field(
        default=False, description="the drafted notice cites US statutory damages ($750–$150,000)"
    )


class PriceEntry(Strict):
    """One price: usage, optional narrowing (null = any), and the licence duration it buys."""

    usage: str = Field(min_length=1)
    placement: str | None = None
    size: Literal["small", "medium", "large"] | None = None
    territory: str | None = None
    months: int = Field(ge=1, le=120)
    price: NonNegativeDecimal
    reference: str | None = Field(
        default=None, description="where the price comes from (page, invoice)"
    )


class Surcharge(Strict):
    code: Literal["missing_credit", "production", "retroactive", "other"]
    pct: Annotated[DecimalString, Field(ge=0, le=200)]
    applies: bool = Field(
        default=True, description="for production surcharges: this photo qualifies"
    )
    label: str | None = Field(default=None, examples=["aerial photograph"])


class Expense(Strict):
    kind: Literal["documentation", "lawyer_fee"]
    amount: NonNegativeDecimal
    basis: str = Field(min_length=1)


class Vat(Strict):
    rate: Annotated[DecimalString, Field(ge=0, le=1)] = Decimal("0")
    on_past_use: bool = Field(default=False, description="charge VAT on the past-use amount")
    on_future_licence: bool = Field(default=True, description="charge VAT on the future licence")


class Pricing(Strict):
    mode: Literal["rate_card", "schedule"] = Field(
        description="rate_card: the rights holder's own list prices; schedule: a published "
        "fee table (e.g. MFM Bildhonorare)"
    )
    name: str = Field(min_length=1, examples=["MFM-Bildhonorare 2023", "Anna Berg prices 2026"])
    currency: Literal["EUR", "USD", "GBP"]
    entries: list[PriceEntry] = Field(min_length=1)
    surcharges: list[Surcharge] = Field(default_factory=list)
    expenses: list[Expense] = Field(default_factory=list)
    future_licence_months: int = Field(default=12, ge=1, le=60)
    consumer_lawyer_fee_cap: NonNegativeDecimal | None = Field(
        default=None,
        description="statutory lawyer fees on a €1,000 value (§97a(3) UrhG), net; when null, "
        "a 1.3 business fee (No. 2300 VV RVG) on that value plus the expenses lump sum "
        "(No. 7002 VV RVG) by the RVG table in force on the send date",
    )
    vat: Vat = Vat()  # frozen, so one shared default is safe


class ClaimFacts(Strict):
    """Everything the claim linter and the fee statement use for one claim (one work, one use)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    claim_id: str = Field(min_length=1)
    today: date | None = Field(
        default=None, description="the date to decide on; CLI default: real date"
    )
    send_on: date | None = Field(
        default=None,
        description="the day the notice would be sent (deadlines run from it); default: today",
    )
    statement_version: int = Field(
        default=1, ge=1, description="recalculation number of the statement"
    )
    jurisdiction: str = Field(
        pattern=r"^[A-Z]{2}$", description="ISO country code of the claim's law; GB is read as UK"
    )
    work: Work
    sighting: Sighting
    rights_holder: RightsHolder
    recipient: Recipient
    licences: list[KnownLicence] = Field(default_factory=list)
    open_cases: list[OpenCase] = Field(default_factory=list)
    notice: Notice = Notice()  # frozen, so one shared default is safe
    pricing: Pricing

    @model_validator(mode="after")
    def _timeline_is_consistent(self) -> ClaimFacts:
        s = self.sighting
        dated = {
            "today": self.today,
            "sighting.use_started_on": s.use_started_on,
            "sighting.first_seen": s.first_seen,
            "sighting.last_seen": s.last_seen,
            "rights_holder.discovered_on": self.rights_holder.discovered_on,
            "work.first_published_on": self.work.first_published_on,
            "work.registration.effective_date": (
                self.work.registration.effective_date if self.work.registration else None
            ),
        }
        for name, value in dated.items():
            if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
                raise ValueError(f"{name} ({value}) is outside {EARLIEST_DATE}–{LATEST_DATE}")
        if s.last_seen < s.first_seen:
            raise ValueError("sighting.last_seen is before sighting.first_seen")
        if s.use_started_on is not None and s.use_started_on > s.first_seen:
            raise ValueError("sighting.use_started_on is after sighting.first_seen")
        discovered = self.rights_holder.discovered_on
        if discovered is not None and discovered < (s.use_started_on or s.first_seen):
            raise ValueError("rights_holder.discovered_on is before the use started")
        if self.today is not None:
            for name, value in dated.items():
                if value is not None and value > self.today:
                    raise ValueError(f"{name} ({value}) is after today ({self.today})")
        if self.send_on is not None:
            if not EARLIEST_DATE <= self.send_on <= LATEST_DATE:
                raise ValueError(
                    f"send_on ({self.send_on}) is outside {EARLIEST_DATE}–{LATEST_DATE}"
                )
            if self.today is not None and self.send_on < self.today:
                raise ValueError(f"send_on ({self.send_on}) is before today ({self.today})")
        for i, licence in enumerate(self.licences):
            if (
                licence.valid_from
                and licence.valid_until
                and licence.valid_until < licence.valid_from
            ):
                raise ValueError(f"licences[{i}].valid_until is before valid_from")
        return self

    @property
    def claim_jurisdiction(self) -> str:
        return "UK" if self.jurisdiction == "GB" else self.jurisdiction

    @property
    def use_start(self) -> date:
        return self.sighting.use_started_on or self.sighting.first_seen

    @property
    def discovered_on(self) -> date:
        return self.rights_holder.discovered_on or self.sighting.first_seen

    @property
    def rights_holder_professional(self) -> bool:
        """Explicit status, else what the work's creator type says."""
        if self.rights_holder.professional is not None:
            return self.rights_holder.professional
        return self.work.creator_type == "professional"

    @property
    def recipient_subdivision(self) -> str | None:
        return self.recipient.subdivision or (
            self.recipient.us_state if self.recipient.country == "US" else None
        )


class InvalidFacts(ValueError):
    """The facts do not validate; `field` names the first bad field (dotted path)."""

    def __init__(self, field: str, message: str, errors: list[dict[str, Any]]) -> None:
        self.field = field
        self.errors = errors
        super().__init__(f"invalid facts: {field}: {message}")


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def parse_facts(data: str | bytes | dict[str, Any]) -> ClaimFacts:
    """Validate facts given as JSON text or an already-parsed dict; raise `InvalidFacts`."""
    try:
        if isinstance(data, dict):
            # Round-trip through JSON so dicts get the same (JSON-mode) rules as files; dates and
            # Decimals from Python callers become the ISO/decimal strings the schema asks for.
            return ClaimFacts.model_validate_json(json.dumps(data, default=str))
        return ClaimFacts.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        field = _dotted(tuple(first["loc"]))
        message = str(first["msg"])
        if first["type"] == "value_error" and not first["loc"]:
            # model-level checks name their own field at the start of the message
            field = message.removeprefix("Value error, ").split(" ", 1)[0]
        elif first["type"] == "json_invalid":
            field = "(file)"
        message = message.removeprefix("Value error, ")
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        raise InvalidFacts(field, message, [dict(e) for e in errors]) from None


def facts_json_schema() -> dict[str, Any]:
    schema = ClaimFacts.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:fairclaim:schema:claim-facts:1"
    return schema
