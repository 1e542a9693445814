"""The legal sources the claim linter relies on: statutes, sections and leading cases (pure data).

Two forms of each source live here:

- `LegalSource` values: the statutes with their sections and the leading cases, separately, so a
  screen or a letter can cite them ("17 U.S.C. § 412; Fourth Estate v. Wall-Street.com, 586 U.S. 296
  (2019)") and a reader can look each one up. Where a check rests on a fairness rule of the product
  and not on a statute, `principle` says so in words (and the statutes that make the use lawful are
  cited beside it).
- `SOURCE_*` strings: the explanatory source text a finding carries in the linter's JSON output
  (`fairclaim rules check`), which tools and the fee statement's bases read.

Citations name statutes and judgments only: never notes, file names or research tags of the
project. Imports nothing from the project (the linter, the findings catalogue and the fee statement
import it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a text for the translation catalogues; it is translated where it is shown."""
    return message


_ = gettext_noop


@dataclass(frozen=True)
class LegalSource:
    """Where a rule comes from: statutes with sections, then the leading cases, then (for a rule
    of fairness no statute requires) the principle in words."""

    statutes: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    principle: str = ""

    def cite(self) -> str:
        """Statutes, then cases, separated by semicolons: the form a lawyer looks them up in."""
        return "; ".join((*self.statutes, *self.cases))

    def as_json(self) -> dict[str, Any]:
        return {
            "statutes": list(self.statutes),
            "cases": list(self.cases),
            "principle": self.principle,
            "citation": self.cite(),
        }


# --- statutes and cases, one value per topic ------------------------------------------------

LAWS_MODELLED = {
    "US": LegalSource(statutes=("17 U.S.C. §§ 106, 501, 504, 505, 507(b)",)),
    "DE": LegalSource(statutes=("UrhG §§ 15, 19a, 72, 97, 97a, 102", "BGB §§ 195, 199, 852")),
    "UK": LegalSource(statutes=("CDPA 1988 ss. 16, 96, 97", "Limitation Act 1980 s. 2")),
}
LAWS_NOT_MODELLED = LegalSource(
    principle=_(
        "fairclaim claims only under the laws whose rules it models: United States "
        "(17 U.S.C.), Germany (UrhG, BGB) and the United Kingdom (CDPA 1988)"
    ),
)
OWN_PUBLICATION = LegalSource(
    statutes=("UrhG §§ 15, 19a", "17 U.S.C. § 106(5)", "CDPA 1988 ss. 16, 20"),
    principle=_(
        "publishing one's own work, or letting one's agency or a chosen site publish it, "
        "is the exercise of the right, not an infringement"
    ),
)
ONE_CASE_PER_USE = LegalSource(
    statutes=("UrhG § 97", "17 U.S.C. § 504(c)(1)", "CDPA 1988 s. 96"),
    principle=_(
        "one use gives one claim: while a case for the same work and recipient is open, "
        "no second demand is sent"
    ),
)
LICENSED_USE = {
    "DE": LegalSource(statutes=("UrhG §§ 31, 97",)),
    "US": LegalSource(statutes=("17 U.S.C. §§ 106, 501(a)",)),
    "UK": LegalSource(statutes=("CDPA 1988 s. 16(2)",)),
    "*": LegalSource(statutes=("UrhG § 31", "17 U.S.C. § 501(a)", "CDPA 1988 s. 16(2)")),
}
PROVEN_LICENCE = LegalSource(
    statutes=("UrhG § 31", "17 U.S.C. § 501(a)", "CDPA 1988 s. 16(2)"),
    principle=_("a licence proven once protects that licensee from repeat claims for that work"),
)
CREATIVE_COMMONS = LegalSource(
    statutes=("CC BY 4.0 §§ 3(a), 6(b)",),
    cases=("OLG Köln, 6 U 60/14",),
)
OPEN_LICENCE = LegalSource(
    statutes=("CC BY 4.0 §§ 3(a), 6(b)", "GPL-3.0 § 8"),
    cases=("OLG Köln, 6 U 60/14",),
)
PUBLIC_DOMAIN = LegalSource(
    statutes=("UrhG § 64", "17 U.S.C. § 302", "CDPA 1988 s. 12", "CC0 1.0 §§ 2–3"),
)
CREDIT_DE = LegalSource(
    statutes=("UrhG §§ 13, 72, 97(2)",),
    cases=(
        "OLG Hamm, 4 U 34/15",
        "BGH, I ZR 148/13",
        "AG Hamburg, 36a C 54/07",
        "LG Stuttgart, 17 O 872/12",
    ),
)
CREDIT_OTHER = {
    "US": LegalSource(statutes=("17 U.S.C. §§ 504(b), 1202(b)",)),
    "UK": LegalSource(statutes=("CDPA 1988 ss. 77, 78, 96",)),
    "*": LegalSource(statutes=("17 U.S.C. § 1202(b)", "CDPA 1988 ss. 77, 78")),
}
HOBBY_PHOTOGRAPHER = LegalSource(
    statutes=("UrhG §§ 72, 97(2)",),
    cases=(_("BGH, I ZR 187/17 (13 Sep 2018)"), "LG Stuttgart, 17 O 872/12"),
)
SERVER_TEST = LegalSource(
    statutes=("17 U.S.C. § 106(5)",),
    cases=(
        "Perfect 10 v. Amazon.com, 508 F.3d 1146 (9th Cir. 2007)",
        "Hunley v. Instagram, 73 F.4th 1060 (9th Cir. 2023)",
        "Goldman v. Breitbart News, 302 F. Supp. 3d 585 (S.D.N.Y. 2018)",
    ),
)
LINKING_EU = LegalSource(
    statutes=("Directive 2001/29/EC art. 3(1)", "UrhG § 19a"),
    cases=(
        "CJEU C-466/12 Svensson",
        "CJEU C-348/13 BestWater",
        "CJEU C-160/15 GS Media",
        "CJEU C-161/17 Renckhoff",
        "CJEU C-392/19 VG Bild-Kunst",
    ),
)
DE_MINIMIS_CASES = LegalSource(
    cases=(
        "Sandoval v. New Line Cinema, 147 F.3d 215 (2d Cir. 1998)",
        "Ringgold v. Black Entertainment Television, 126 F.3d 70 (2d Cir. 1997)",
    ),
)
NON_COMMERCIAL_USE = LegalSource(
    statutes=("17 U.S.C. § 107(1)", "UrhG § 97a(3)"),
    cases=("OLG Braunschweig, 2 U 7/11",),
)
PRIVATE_PERSON_DE = LegalSource(statutes=("UrhG §§ 97, 97a(3)",))
LAWYER_FEE_CAP_DE = LegalSource(
    statutes=(
        _("UrhG § 97a(3) sentence 2"),
        _("RVG § 13(1) with Annex 2"),
        _("VV RVG Nos. 2300, 7002"),
    ),
)
LIMITATION = {
    "US": LegalSource(
        statutes=("17 U.S.C. § 507(b)", "Fed. R. Civ. P. 6(a)"),
        cases=(
            "Petrella v. MGM, 572 U.S. 663 (2014)",
            "Warner Chappell Music v. Nealy, 601 U.S. 366 (2024)",
        ),
    ),
    "DE": LegalSource(
        statutes=("UrhG § 102", "BGB §§ 195, 199(1), 199(3), 193, 852"),
        cases=(_("BGH, I ZR 148/13 Motorradteile (15 Jan 2015)"),),
    ),
    "UK": LegalSource(
        statutes=("Limitation Act 1980 s. 2",),
        cases=("Pritam Kaur v S Russell & Sons Ltd [1973] QB 336",),
    ),
}
REGISTRATION_US = LegalSource(
    statutes=("17 U.S.C. §§ 412, 504(c), 505",),
    cases=("Fourth Estate v. Wall-Street.com, 586 U.S. 296 (2019)",),
)
CLAIM_CURRENCY = LegalSource(
    principle=_(
        "a claim is made in the currency of the law it is made under; prices are not converted"
    ),
)
LICENCE_FEE = {
    "DE": LegalSource(statutes=(_("UrhG § 97(2) sentence 3"),), cases=("OLG Hamm, 4 U 34/15",)),
    "US": LegalSource(
        statutes=("17 U.S.C. § 504(b)",),
        cases=("Barcroft Media v. Coed Media Group, 297 F. Supp. 3d 339 (S.D.N.Y. 2017)",),
    ),
    "UK": LegalSource(statutes=("CDPA 1988 s. 96",)),
    "*": LegalSource(statutes=("Directive 2004/48/EC art. 13(1)(b)",)),
}
SURCHARGES = LegalSource(
    statutes=("Directive 2004/48/EC art. 13(1)(b)", "UrhG § 97(2)"),
    cases=("OLG Hamm, 4 U 34/15", "LG Köln, 14 O 111/16"),
    principle=_("every amount names its legal basis; a surcharge without one is not asked for"),
)
NO_ATTORNEYS_FEES_US = LegalSource(statutes=("17 U.S.C. §§ 412, 505",))


# --- the explanatory source text of a finding in the linter's JSON output ------------------

SOURCE_JURISDICTION = (
    "claims only under the laws these rules model (US: 17 U.S.C.; Germany: UrhG and BGB; UK: "
    "CDPA 1988 and Limitation Act 1980)"
)
SOURCE_OPEN_CASE = (
    "one use gives one claim (§97 UrhG; 17 U.S.C. §504(c)(1); CDPA s.96): no repeat claim "
    "while a case for this work and recipient is open"
)
SOURCE_LICENCE = (
    "a licensed use infringes nothing (§31 UrhG; 17 U.S.C. §106, §501(a); CDPA s.16(2)): only "
    "the days no licence covered may be claimed, and a known licensee is never claimed"
)
SOURCE_PROVEN_LICENCE = (
    "a licence proven once protects that licensee from repeat claims for that work; a licensed "
    "use infringes nothing (§31 UrhG; 17 U.S.C. §501(a); CDPA s.16(2))"
)
SOURCE_OWN_SITE = (
    "the rights holder's (or its agency's) own publication is no infringement: it is the "
    "exercise of the right itself (§§15, 19a UrhG; 17 U.S.C. §106(5); CDPA s.16, s.20); a "
    "whitelisted site is one the rights holder has chosen never to claim against"
)
SOURCE_CC = (
    "Creative Commons licences: the use is licensed on the licence's conditions (CC BY 4.0 "
    "§3(a): credit, licence notice, link); a breach is cured and the licence reinstated when "
    "fixed within 30 days of discovery (CC 4.0 §6(b)); OLG Köln 6 U 60/14: a work offered free "
    "under CC yields no licence damage; Creative Commons enforcement principles (cure first)"
)
SOURCE_OPEN_LICENCE = (
    "open licences grant the use on their conditions (notice, attribution): GPL-3.0 §8 "
    "reinstates a licence cured within 30 days of notice; CC 4.0 §6(b) likewise; OLG Köln "
    "6 U 60/14: no licence damage for a work offered free of charge"
)
SOURCE_PUBLIC_DOMAIN = (
    "no exclusive right remains to infringe: a public-domain work (§64 UrhG; 17 U.S.C. §302; "
    "CDPA s.12) or one dedicated under CC0 1.0 (waiver of all rights, fallback unconditional "
    "licence, §§2–3) is free to use without credit or payment"
)
SOURCE_CREDIT_DE = (
    "§13, §72 UrhG; surcharge for a missing credit: OLG Hamm 4 U 34/15 (100 % usual), BGH "
    "I ZR 148/13, AG Hamburg 36a C 54/07 (50 %), none for non-professionals (LG Stuttgart "
    "17 O 872/12)"
)
SOURCE_CREDIT_OTHER = (
    "no credit surcharge in US or UK damages (US: §1202 CMI claims need removal and double "
    "scienter, 17 U.S.C. §1202(b); UK: the s.77 CDPA right must be asserted, s.78)"
)
SOURCE_HOTLINK_US = (
    "server test: Perfect 10 v. Amazon, 508 F.3d 1146 (9th Cir. 2007); Hunley v. Instagram, "
    "73 F.4th 1060 (9th Cir. 2023); rejected elsewhere (Goldman v. Breitbart, S.D.N.Y. 2018)"
)
SOURCE_HOTLINK_EU = (
    "Svensson C-466/12, BestWater C-348/13 (linking/framing freely available content: no new "
    "public); GS Media C-160/15; Renckhoff C-161/17; VG Bild-Kunst C-392/19"
)
SOURCE_DE_MINIMIS = (
    "de minimis: Sandoval v. New Line Cinema, 147 F.3d 215 (2d Cir. 1998); Ringgold v. Black "
    "Entertainment Television, 126 F.3d 70 (2d Cir. 1997)"
)
SOURCE_SITE_TYPE = (
    "non-commercial and private uses are reviewed for scale before any money claim (17 U.S.C. "
    "§107(1) weighs a non-commercial purpose; OLG Braunschweig 2 U 7/11: 20 EUR per photo for "
    "a private sale)"
)
SOURCE_97A3 = (
    "§97a(3) sentence 2 UrhG: towards a natural person not acting for a trade or profession, "
    "reimbursable lawyer fees are limited to those on a value of 1,000 EUR; a private person is "
    "liable for the infringement (§97 UrhG), only the costs are capped"
)
SOURCE_HOBBY = (
    "BGH I ZR 187/17 (13 Sep 2018): published fee tables (MFM) are not the measure for a "
    "non-professional photographer; LG Stuttgart 17 O 872/12: no surcharge for simple photos by "
    "non-professionals"
)
SOURCE_CURRENCY = "a claim is made in the currency of its law; prices are not converted"
