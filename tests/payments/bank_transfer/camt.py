"""Writes camt.053 bank statements shaped like real bank exports (versions .001.02 and .001.08),
and CSV exports, for the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

ACCOUNT = "DE89370400440532013000"


@dataclass
class Entry:
    amount: str
    remittance: list[str] = field(default_factory=list)
    ref: str = ""  # AcctSvcrRef
    credit: bool = True
    currency: str = "EUR"
    status: str = "BOOK"
    booked: str = "2026-12-01"
    debtor: str = "Shop Example GmbH"
    debtor_iban: str = "DE02120300000000202051"
    batch: list[tuple[str, str, str]] = field(default_factory=list)  # (amount, ref, remittance)


def _party(version: str, name: str, iban: str) -> str:
    named = f"<Pty><Nm>{escape(name)}</Nm></Pty>" if version == "08" else f"<Nm>{escape(name)}</Nm>"
    return f"<Dbtr>{named}</Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>"


def _tx(version: str, entry: Entry, ref: str, remittance: list[str], amount: str = "") -> str:
    ustrd = "".join(f"<Ustrd>{escape(u)}</Ustrd>" for u in remittance)
    amt = (
        f'<AmtDtls><TxAmt><Amt Ccy="{entry.currency}">{amount}</Amt></TxAmt></AmtDtls>'
        if amount
        else ""
    )
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
    return (
        f"<TxDtls>{refs if ref else '<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>'}{amt}"
        f"<RltdPties>{_party(version, entry.debtor, entry.debtor_iban)}</RltdPties>"
        f"<RmtInf>{ustrd}</RmtInf></TxDtls>"
    )


def camt053(entries: list[Entry], *, version: str = "08", account: str = ACCOUNT) -> bytes:
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    body = []
    for entry in entries:
        status = (
            f"<Sts><Cd>{entry.status}</Cd></Sts>"
            if version == "08"
            else f"<Sts>{entry.status}</Sts>"
        )
        if entry.batch:
            txs = "".join(
                _tx(version, entry, ref, [text], amount) for amount, ref, text in entry.batch
            )
        else:
            txs = _tx(version, entry, "", entry.remittance)
        body.append(
            f'<Ntry><Amt Ccy="{entry.currency}">{entry.amount}</Amt>'
            f"<CdtDbtInd>{'CRDT' if entry.credit else 'DBIT'}</CdtDbtInd>{status}"
            f"<BookgDt><Dt>{entry.booked}</Dt></BookgDt><ValDt><Dt>{entry.booked}</Dt></ValDt>"
            + (f"<AcctSvcrRef>{entry.ref}</AcctSvcrRef>" if entry.ref else "")
            + "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
            f"</Domn></BkTxCd><NtryDtls>{txs}</NtryDtls></Ntry>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>STMT-20261201-001</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>2026-12-01-001</Id><ElctrncSeqNb>238</ElctrncSeqNb>"
        "<CreDtTm>2026-12-01T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>"
        + "".join(body)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()
