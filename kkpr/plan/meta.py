"""Reading ``plan.toml``: every value checked for its type and range, every problem located.

A plan is data, never a code path: a value of the wrong type (``threshold = "high"``),
a table where a value belongs, an id that is not a slug (``../../tmp/x`` would name a
folder outside the data directory) are refused here, all at once, each with its key
and line, before anything is read or written on the strength of them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kkpr.errors import PlanError, Problem
from kkpr.kugi import kind_of
from kkpr.model import (
    EMPTY_CELL,
    MIXED_INTENSITY,
    SETBACK_FROM,
    OverlayRule,
    PlanMeta,
    RasterSpec,
    RuleOptions,
    Tolerance,
)
from kkpr.plan.kugi import FLAG_NONE_DEFAULT
from kkpr.rules.activity_groups import EFFECTS as GROUP_EFFECTS
from kkpr.rules.activity_groups import valid_group
from kkpr.rules.effects import EFEK_EFFECT

PLAN_ID = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
PLAN_ID_RULE = (
    "huruf kecil a-z, angka, '-' atau '_', 1–64 karakter, diawali dan diakhiri huruf/angka",
    "lower-case letters a-z, digits, '-' or '_', 1–64 characters, "
    "starting and ending with a letter or digit",
)
RASTER_KINDS = ("hazard", "dem")
EFFECTS = tuple(EFEK_EFFECT)  # the EFEK codes that do something: X, B
GAP_SEVERITIES = ("warning", "error")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\"'.-]+)\s*=")


def valid_plan_id(value: str) -> bool:
    return bool(PLAN_ID.match(value))


@dataclass
class _Reader:
    """Typed access to the parsed TOML that records a located problem per bad value."""

    text: str
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, table: str, key: str | None, nth: int = 0) -> int | None:
        """The line of ``key`` in ``table`` ("" = top level; ``raster`` = the nth array
        entry), or of the table's header when ``key`` is None."""
        current, seen = "", -1
        for no, line in enumerate(self.text.splitlines(), start=1):
            head = _HEADER.match(line)
            if head:
                current = head.group(2).replace('"', "").replace("'", "")
                if current == table:
                    seen += 1
                    if key is None and seen == nth:
                        return no
                continue
            m = _KEY.match(line)
            if (
                m
                and key is not None
                and current == table
                and max(seen, 0) == nth
                and m.group(1).strip("\"'") == key
            ):
                return no
        if key is not None:  # a table written where a value belongs: its header
            return self.line_of(f"{table}.{key}" if table else key, None, 0)
        return None

    def bad(
        self, table: str, key: str | None, nth: int, what_id: str, what_en: str, value: Any
    ) -> None:
        name = ".".join(b for b in (table if not nth else f"{table}[{nth + 1}]", key) if b)
        shown = repr(value) if not isinstance(value, dict) else "{…}"
        self.problems.append(
            Problem(
                "plan_toml.bad_value",
                f"plan.toml {name} = {shown}: {what_id}",
                f"plan.toml {name} = {shown}: {what_en}",
                file="plan.toml",
                row=self.line_of(table, key, nth),
            )
        )

    def table(self, raw: dict[str, Any], key: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if isinstance(value, dict):
            return value
        self.bad("", key, 0, f"[{key}] harus berupa tabel", f"[{key}] must be a table", value)
        return {}

    def text_of(
        self, d: dict[str, Any], key: str, where: tuple[str, int], default: str | None = None
    ) -> str | None:
        value = d.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip()
        self.bad(*where[:1], key, where[1], "harus berupa teks", "must be text", value)
        return default

    def number_of(
        self,
        d: dict[str, Any],
        key: str,
        where: tuple[str, int],
        lo: float,
        hi: float | None,
        default: float | None = None,
    ) -> float | None:
        value = d.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.bad(where[0], key, where[1], "harus berupa angka", "must be a number", value)
            return default
        number = float(value)
        if number != number or number < lo or (hi is not None and number > hi):
            span = f"{lo:g}–{hi:g}" if hi is not None else f"≥ {lo:g}"
            self.bad(
                where[0], key, where[1], f"di luar rentang {span}", f"out of range {span}", value
            )
            return default
        return number

    def choice_of(
        self, d: dict[str, Any], key: str, where: tuple[str, int], options: tuple[str, ...]
    ) -> str | None:
        value = self.text_of(d, key, where)
        if value is None or value == "":
            return None
        if value.upper() in options:
            return value.upper()
        if value.lower() in options:
            return value.lower()
        self.bad(
            where[0],
            key,
            where[1],
            f"harus salah satu dari {', '.join(options)}",
            f"must be one of {', '.join(options)}",
            value,
        )
        return None


# the keys kkpr reads, per table ("" = top level); any other is a warning (a typo such
# as [tolerence] would otherwise silently leave the defaults in force)
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": (
        "id", "name", "region_code", "legal_basis", "effective_from", "crs",
        "tolerance", "raster", "overlay", "flags", "fields", "rules", "rtrw", "oss",
        "setbacks",
    ),
    "tolerance": ("sliver_m2", "sliver_share", "gaps"),
    "raster": (
        "id", "path", "kind", "label_id", "label_en", "jenis", "threshold",
        "slope_limit_pct", "max_share", "efek",
    ),
    "flags": ("none",),
    "fields": ("kodszn",),
    "rules": ("mixed_intensity", "empty_cell"),
    "oss": ("rdtr_integrated",),
    "setbacks": ("frontage_m", "measured_from"),
}  # fmt: skip


def unknown_keys(raw: dict[str, Any], text: str) -> list[Problem]:
    """A warning for each key of plan.toml that kkpr does not read."""
    r = _Reader(text)
    out = []
    tables: list[tuple[str, int, Any]] = [("", 0, raw)]
    for name in ("tolerance", "flags", "fields", "rules", "oss", "setbacks"):
        tables.append((name, 0, raw.get(name)))
    entries = raw.get("raster")
    if isinstance(entries, list):
        tables += [("raster", n, e) for n, e in enumerate(entries)]
    for name, nth, table in tables:
        if not isinstance(table, dict):
            continue
        for key in sorted(set(table) - set(KNOWN_KEYS[name])):
            shown = ".".join(b for b in (name, key) if b)
            out.append(
                Problem(
                    "plan_toml.unknown_key",
                    f"plan.toml {shown} tidak dikenal dan diabaikan (salah ketik?)",
                    f"plan.toml {shown} is not a known key and is ignored (a typo?)",
                    file="plan.toml",
                    row=r.line_of(name, key, nth),
                    severity="warning",
                )
            )
    return out


def read_meta(root: Path, warnings: list[Problem] | None = None) -> PlanMeta:
    """``plan.toml`` of the package at ``root``; PlanError with every problem found, and
    the keys it does not know as warnings into ``warnings``."""
    path = root / "plan.toml"
    if not path.is_file():
        raise PlanError(
            "plan.toml tidak ada: ini bukan paket rencana",
            "plan.toml is missing: this is not a plan package",
            where=str(root),
        )
    try:
        text = path.read_text("utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise PlanError(
            "plan.toml bukan UTF-8",
            "plan.toml is not UTF-8",
            where=f"plan.toml: byte {exc.start}",
            hint_id="Simpan ulang plan.toml sebagai UTF-8",
            hint_en="Save plan.toml again as UTF-8",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"at line (\d+)", str(exc))
        raise PlanError(
            "plan.toml tidak sah",
            "plan.toml is not valid TOML",
            where=f"plan.toml: {exc}",
            problems=[
                Problem(
                    "plan_toml.syntax",
                    f"plan.toml bukan TOML yang sah: {exc}",
                    f"plan.toml is not valid TOML: {exc}",
                    file="plan.toml",
                    row=int(line.group(1)) if line else None,
                )
            ],
        ) from exc
    r = _Reader(text)
    meta = _meta(raw, r)
    if warnings is not None:
        warnings += unknown_keys(raw, text)
    if r.problems or meta is None:
        first = r.problems[0]
        raise PlanError(
            f"plan.toml memuat {len(r.problems)} nilai yang tidak sah",
            f"plan.toml holds {len(r.problems)} invalid values",
            where=f"plan.toml{f', baris/line {first.row}' if first.row else ''}",
            hint_id=first.message_id,
            hint_en=first.message_en,
            problems=r.problems,
        )
    return meta


def _meta(raw: dict[str, Any], r: _Reader) -> PlanMeta | None:
    top = ("", 0)
    for key in ("id", "name", "crs"):
        if raw.get(key) in (None, ""):
            r.problems.append(
                Problem(
                    "plan_toml.missing",
                    f"plan.toml tidak memuat {key}",
                    f"plan.toml lacks {key}",
                    file="plan.toml",
                )
            )
    plan_id = r.text_of(raw, "id", top)
    if plan_id and not valid_plan_id(plan_id):
        r.bad(
            "", "id", 0, f"id harus {PLAN_ID_RULE[0]}", f"the id must be {PLAN_ID_RULE[1]}", plan_id
        )
    name = r.text_of(raw, "name", top)
    crs = r.text_of(raw, "crs", top)
    region = r.text_of(raw, "region_code", top, "")
    legal = r.text_of(raw, "legal_basis", top, "")
    effective = raw.get("effective_from")
    if effective is not None and not isinstance(effective, date):
        r.bad(
            "",
            "effective_from",
            0,
            "harus tanggal TOML tanpa tanda kutip (mis. 2023-01-01)",
            "must be a TOML date without quotes (e.g. 2023-01-01)",
            effective,
        )
        effective = None

    tol = r.table(raw, "tolerance")
    where = ("tolerance", 0)
    tolerance = Tolerance(
        sliver_m2=r.number_of(tol, "sliver_m2", where, 0, None, Tolerance.sliver_m2) or 0.0,
        sliver_share=r.number_of(tol, "sliver_share", where, 0, 1, Tolerance.sliver_share) or 0.0,
        gaps=r.choice_of(tol, "gaps", where, GAP_SEVERITIES) or Tolerance.gaps,
    )

    rasters = _rasters(raw, r)
    overlay_effects: dict[str, str | None] = {}
    overlay_rules: dict[str, OverlayRule] = {}
    for jenis, entry in r.table(raw, "overlay").items():
        if not isinstance(entry, dict):
            r.bad("overlay", jenis, 0, "harus berupa tabel", "must be a table", entry)
            continue
        where = (f"overlay.{jenis}", 0)
        code = str(jenis).upper()
        # without efek the catalogue's stands (a table may only add the keys below)
        overlay_effects[code] = (
            r.choice_of(entry, "efek", where, EFFECTS) if "efek" in entry else kind_of(code).efek
        )
        rule = _overlay_rule(entry, where, r)
        if rule != OverlayRule():
            overlay_rules[code] = rule

    flags = r.table(raw, "flags")
    none_values = flags.get("none", list(FLAG_NONE_DEFAULT))
    if not isinstance(none_values, list) or not all(isinstance(v, str) for v in none_values):
        r.bad("flags", "none", 0, "harus daftar teks", "must be a list of texts", none_values)
        none_values = list(FLAG_NONE_DEFAULT)
    fields = r.table(raw, "fields")
    kodszn_field = r.text_of(fields, "kodszn", ("fields", 0))
    rules = r.table(raw, "rules")
    setbacks = r.table(raw, "setbacks")
    rule_options = RuleOptions(
        mixed_intensity=r.choice_of(rules, "mixed_intensity", ("rules", 0), MIXED_INTENSITY)
        or RuleOptions.mixed_intensity,
        empty_cell=r.choice_of(rules, "empty_cell", ("rules", 0), EMPTY_CELL),
        frontage_m=r.number_of(
            setbacks, "frontage_m", ("setbacks", 0), 0, None, RuleOptions.frontage_m
        )
        or 0.0,
        setback_from=r.choice_of(setbacks, "measured_from", ("setbacks", 0), SETBACK_FROM)
        or RuleOptions.setback_from,
    )
    integrated = r.table(raw, "oss").get("rdtr_integrated", False)
    if not isinstance(integrated, bool):
        r.bad("oss", "rdtr_integrated", 0, "harus true atau false", "must be true or false",
              integrated)  # fmt: skip
        integrated = False

    if r.problems or not (plan_id and name and crs):
        return None
    return PlanMeta(
        id=plan_id,
        name=name,
        region_code=region or "",
        legal_basis=legal or "",
        effective_from=effective,
        crs=crs,
        tolerance=tolerance,
        rasters=rasters,
        overlay_effects=overlay_effects,
        overlay_rules=overlay_rules,
        flag_none=tuple(none_values),
        kodszn_field=kodszn_field or None,
        rule_options=rule_options,
        rdtr_integrated=integrated,
    )


def _overlay_rule(entry: dict[str, Any], where: tuple[str, int], r: _Reader) -> OverlayRule:
    """``efek_kegiatan``, ``klb_bonus`` and ``tb_elevasi`` of an ``[overlay.<JENIS>]``."""
    groups = entry.get("efek_kegiatan", {})
    efek_kegiatan: dict[str, str] = {}
    if not isinstance(groups, dict):
        r.bad(where[0], "efek_kegiatan", 0, "harus berupa tabel", "must be a table", groups)
        groups = {}
    for group, effect in groups.items():
        if not valid_group(str(group)) or str(effect).upper() not in GROUP_EFFECTS:
            r.bad(
                where[0],
                "efek_kegiatan",
                0,
                f"{group} = {effect!r}: kelompok harus huruf seksi KBLI (A–U) atau awalan kode "
                "KBLI, efek harus I, B atau X",
                f"{group} = {effect!r}: a group must be a KBLI section letter (A–U) or a KBLI "
                "code prefix, an effect I, B or X",
                effect,
            )
            continue
        efek_kegiatan[str(group).upper()] = str(effect).upper()
    elevation = entry.get("tb_elevasi", False)
    if not isinstance(elevation, bool):
        r.bad(where[0], "tb_elevasi", 0, "harus true atau false", "must be true or false",
              elevation)  # fmt: skip
        elevation = False
    return OverlayRule(
        efek_kegiatan=efek_kegiatan,
        klb_bonus=r.number_of(entry, "klb_bonus", where, 0, None),
        tb_elevasi=elevation,
    )


def _rasters(raw: dict[str, Any], r: _Reader) -> tuple[RasterSpec, ...]:
    entries = raw.get("raster", [])
    if not isinstance(entries, list):
        r.bad("", "raster", 0, "tulis sebagai [[raster]]", "write it as [[raster]]", entries)
        return ()
    out = []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            r.bad("raster", None, n, "harus berupa tabel", "must be a table", entry)
            continue
        where = ("raster", n)
        rid = r.text_of(entry, "id", where)
        path = r.text_of(entry, "path", where)
        for key, value in (("id", rid), ("path", path)):
            if not value:
                r.bad("raster", key, n, "wajib diisi", "is required", entry.get(key))
        if rid and not valid_plan_id(rid.lower()):
            r.bad("raster", "id", n, f"harus {PLAN_ID_RULE[0]}", f"must be {PLAN_ID_RULE[1]}", rid)
        if rid in seen:
            r.bad("raster", "id", n, "ganda", "is duplicated", rid)
        seen.add(rid or "")
        if path and (Path(path).is_absolute() or ".." in Path(path).parts):
            r.bad(
                "raster",
                "path",
                n,
                "harus jalur relatif di dalam paket",
                "must be a relative path inside the package",
                path,
            )
        kind = r.choice_of(entry, "kind", where, RASTER_KINDS) or "hazard"
        spec = RasterSpec(
            id=rid or "",
            path=path or "",
            kind=kind,
            label_id=r.text_of(entry, "label_id", where) or rid or "",
            label_en=r.text_of(entry, "label_en", where) or rid or "",
            jenis=(r.text_of(entry, "jenis", where) or "").upper() or None,
            threshold=r.number_of(entry, "threshold", where, float("-inf"), None),
            slope_limit_pct=r.number_of(entry, "slope_limit_pct", where, 0, None),
            max_share=r.number_of(entry, "max_share", where, 0, 1, 0.0) or 0.0,
            efek=r.choice_of(entry, "efek", where, EFFECTS),
        )
        out.append(spec)
    return tuple(out)
