"""The error hierarchy of kkpr.

Every error carries a message in Bahasa Indonesia and in English, says where the
problem is, and what to do. Adapters map the classes to exit codes (CLI) and to
RFC 9457 problem types (API) in one table each; nothing else inspects messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typing_extensions import TypedDict


class ProblemJson(TypedDict):
    """A problem as a report, an error answer or the CLI lists it (``Problem.to_dict``)."""

    code: str
    severity: str
    file: str | None
    row: int | None
    column: str | None
    feature: str | None
    message_id: str
    message_en: str
    geometry_wkt: str | None


@dataclass
class Problem:
    """One located problem, e.g. a row of a plan validation report."""

    code: str
    message_id: str
    message_en: str
    file: str | None = None
    row: int | None = None
    feature: str | None = None
    geometry_wkt: str | None = None
    severity: str = "error"
    column: str | None = None  # a table's column (e.g. the sub-zone of an ITBX cell)

    @property
    def where(self) -> str:
        bits = [
            b
            for b in (
                self.file,
                self.row and f"baris/row {self.row}",
                self.column and f"kolom/column {self.column}",
            )
            if b
        ]
        if self.feature is not None:
            bits.append(f"fitur/feature {self.feature}")
        return ", ".join(str(b) for b in bits)

    def to_dict(self) -> ProblemJson:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "feature": self.feature,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "geometry_wkt": self.geometry_wkt,
        }


class KkprError(Exception):
    """Base of every error kkpr raises on purpose."""

    kind = "kkpr-error"

    def __init__(
        self,
        message_id: str,
        message_en: str,
        *,
        where: str | None = None,
        hint_id: str | None = None,
        hint_en: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message_id = message_id
        self.message_en = message_en
        self.where = where
        self.hint_id = hint_id
        self.hint_en = hint_en
        self.extra: dict[str, Any] = extra or {}
        super().__init__(self.text)

    @property
    def text(self) -> str:
        parts = [f"{self.message_id} / {self.message_en}"]
        if self.where:
            parts.append(f"[{self.where}]")
        if self.hint_id or self.hint_en:
            parts.append(f"→ {self.hint_id or ''} / {self.hint_en or ''}".strip(" /"))
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "where": self.where,
            "hint_id": self.hint_id,
            "hint_en": self.hint_en,
            **self.extra,
        }


class PlanError(KkprError):
    """A plan package cannot be read, or is not valid."""

    kind = "plan-invalid"

    def __init__(self, message_id: str, message_en: str, **kw: Any) -> None:
        self.problems: list[Problem] = kw.pop("problems", [])
        super().__init__(message_id, message_en, **kw)


class MappingNeeded(PlanError):
    """An import cannot tell which column holds something: ``option`` names the
    choice to make, ``found`` the columns (or fields) it can be made from."""

    kind = "mapping-needed"

    def __init__(
        self, option: str, found: list[str], message_id: str, message_en: str, **kw: Any
    ) -> None:
        self.option = option
        self.found = found
        listed = ", ".join(repr(f) for f in found) or "—"
        kw.setdefault("hint_id", f"Pilih dengan --{option.replace('_', '-')}; yang ada: {listed}")
        kw.setdefault("hint_en", f"Choose with --{option.replace('_', '-')}; found: {listed}")
        kw["extra"] = {"option": option, "found": found, **kw.get("extra", {})}
        super().__init__(message_id, message_en, **kw)


class SiteError(KkprError):
    """The site geometry is missing, unreadable or invalid."""

    kind = "site-invalid"


class SiteOutsidePlan(SiteError):
    """The site lies outside every loaded plan's region."""

    kind = "site-outside-plan"


class UnknownActivity(KkprError):
    """A KBLI code that the plan does not map to an activity row."""

    kind = "unknown-activity"

    def __init__(self, kbli: str, suggestions: list[dict[str, str]] | None = None) -> None:
        self.kbli = kbli
        self.suggestions = suggestions or []
        near = ", ".join(f"{s['kode']} {s['judul']}" for s in self.suggestions[:5])
        super().__init__(
            f"Kode KBLI {kbli!r} tidak dikenal oleh rencana ini",
            f"KBLI code {kbli!r} is not known to this plan",
            where="kbli",
            hint_id=f"Periksa kode; yang mirip: {near}"
            if near
            else "Periksa kode KBLI 2020 lima digit",
            hint_en=f"Check the code; near matches: {near}"
            if near
            else "Use a five-digit KBLI 2020 code",
            extra={"suggestions": self.suggestions},
        )


class InvalidInput(KkprError):
    """A request whose content cannot be accepted as it is (a field, a value)."""

    kind = "input-invalid"


class InputTooLarge(KkprError):
    """A request or a geometry beyond the configured limits."""

    kind = "input-too-large"


class NotFound(KkprError):
    """A thing asked for by id that does not exist."""

    kind = "not-found"


class Conflict(KkprError):
    """A request that contradicts stored state (idempotency, state machine)."""

    kind = "conflict"


class StoreError(KkprError):
    """The store (database) failed; the operation was not applied."""

    kind = "store-unavailable"
