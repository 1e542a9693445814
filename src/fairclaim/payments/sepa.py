"""SEPA credit transfer files (ISO 20022 pain.001.001.03) for payout runs, written by `sepaxml`
and validated against the pain.001.001.03 XSD that `sepaxml` ships (no network at run time).

sepaxml validates with `xmlschema` as it exports; `schema_path` lets tests validate the same file
a second time with an independent validator (lxml)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sepaxml
from defusedxml import ElementTree
from sepaxml import SepaTransfer as SepaDocument

SCHEMA = "pain.001.001.03"  # the version every SEPA bank accepts
NAMESPACE = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}


@dataclass(frozen=True)
class SepaTransfer:
    name: str
    iban: str
    bic: str
    amount: Decimal
    currency: str
    end_to_end_id: str
    description: str


@dataclass(frozen=True)
class SepaFile:
    xml: str
    sha256: str
    message_id: str


class SepaError(ValueError):
    """A transfer cannot go into a SEPA file (the message says which and why)."""


def schema_path() -> str:
    return os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{SCHEMA}.xsd")


def minor_units(amount: Decimal) -> int:
    """Euros to cents exactly; refuses anything that is not a whole number of cents."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise SepaError(f"{amount} is not a whole number of cents")
    return int(cents)


def credit_transfer(debtor: dict, transfers: list[SepaTransfer], execution: date) -> SepaFile:
    """One pain.001 file paying every transfer from `debtor` (holder, iban, bic) on `execution`."""
    for transfer in transfers:
        if transfer.currency != "EUR":
            raise SepaError(f"{transfer.end_to_end_id}: SEPA pays euros, not {transfer.currency}")
        if transfer.amount <= 0:
            raise SepaError(f"{transfer.end_to_end_id}: amount must be positive")
    document = SepaDocument(
        {
            "name": debtor["holder"],
            "IBAN": debtor["iban"],
            "BIC": debtor["bic"],
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
    )
    for transfer in transfers:
        payment = {
            "name": transfer.name,
            "IBAN": transfer.iban,
            "amount": minor_units(transfer.amount),
            "execution_date": execution,
            "description": transfer.description,
            "endtoend_id": transfer.end_to_end_id,
        }
        if transfer.bic:
            payment["BIC"] = transfer.bic
        document.add_payment(payment)
    raw = document.export(validate=True)
    message_id = ElementTree.fromstring(raw).findtext(".//p:GrpHdr/p:MsgId", namespaces=NAMESPACE)
    return SepaFile(raw.decode(), hashlib.sha256(raw).hexdigest(), message_id or "")
