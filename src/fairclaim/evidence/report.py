"""Verification results: one named check per part, rendered as text lines or JSON.

Framework-free: no Django imports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One verified part: `part` names the file or element, `detail` says what was found."""

    part: str
    ok: bool
    detail: str = ""


@dataclass
class Verification:
    """All checks of one bundle or case log; `ok` only when every check holds."""

    kind: str  # "bundle" or "case-log"
    checks: list[Check] = field(default_factory=list)
    subject: str = ""  # bundle path or case reference
    key_id: str | None = None  # the key that signed the manifest, as the bundle states it
    info: dict[str, Any] = field(default_factory=dict)  # capture time, URLs, image_present...

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def lines(self) -> list[str]:
        """Human output: a line per check (OK/FAILED), what the bundle states (INFO), verdict."""
        out = [f"{'OK' if c.ok else 'FAILED':<7}{c.part}: {c.detail}" for c in self.checks]
        out += [f"INFO   {name}: {value}" for name, value in self.info.items()]
        if self.key_id:
            out.append(f"signed by key {self.key_id}")
        verdict = "VERIFIED" if self.ok else f"NOT VERIFIED ({len(self.failed)} failed)"
        out.append(verdict)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "ok": self.ok,
            "key_id": self.key_id,
            "info": self.info,
            "checks": [asdict(check) for check in self.checks],
        }
