"""The region's assessment record of a KKPR decision: its number, its content, its
verification code, and verifying it.

The legal KKPR document is issued by OSS; this record is the region's own assessment
(the decision, its technical data, the map), titled as such and never as the OSS
document. Verification also says whether the decision is in force, extended,
revoked or expired.

The content is a plain dict built from the stored check result (no rule is recomputed
here). Its canonical form is sorted, compact JSON; the verification code is an
HMAC-SHA256 of that form with ``Settings.document_secret``, printed as four groups
of base32. Anyone holding the number and either the code or the content can ask
whether the document is ``valid``, ``changed`` or ``unknown``. Rendering (map, QR,
PDF) lives in ``kkpr.pipeline.document_render``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NotRequired
from urllib.parse import quote, urlencode

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import sql
from kkpr.errors import InvalidInput
from kkpr.pipeline.db import dumps, iso, loads, next_counter
from kkpr.pipeline.findings import CarriedCondition, CheckJson
from kkpr.settings import Settings

if TYPE_CHECKING:  # review -> cases -> outbox -> the OSS channel -> documents at run time
    from kkpr.pipeline.cases import OfficerJson
    from kkpr.pipeline.review import DecisionRecord
    from kkpr.pipeline.technical import DataTeknis

CODE_BYTES = 10  # 80 bits: 16 base32 characters, typed by hand from paper
NUMBER_PREFIX = "PENILAIAN-KKPR"  # a record of the region's assessment, not a KKPR number
DOCUMENT_TITLE = (
    "Hasil Penilaian Pemerintah Daerah atas Permohonan Persetujuan KKPR",
    "The Region's Assessment of an Application for a KKPR Approval",
)
DOCUMENT_NOTICE = (
    "Dokumen ini bukan PKKPR. PKKPR diterbitkan melalui sistem OSS berdasarkan penilaian ini.",
    "This is not the PKKPR. The PKKPR is issued through OSS on the basis of this assessment.",
)


class Verdict(StrEnum):
    VALID = "valid"  # the code (or content) is the one issued under the number
    CHANGED = "changed"  # it is not, or the stored record no longer matches its code
    UNKNOWN = "unknown"  # no document has the number
    ISSUED = "issued"  # nothing given to compare: the number exists and is intact


def canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verification_code(content: Mapping[str, Any], secret: str) -> str:
    digest = hmac.new(secret.encode(), canonical(content), hashlib.sha256).digest()
    text = base64.b32encode(digest[:CODE_BYTES]).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normal_code(code: str) -> str:
    bare = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(bare[i : i + 4] for i in range(0, len(bare), 4))


def verify_url(number: str, code: str, settings: Settings) -> str:
    base = settings.public_base_url.rstrip("/")
    return f"{base}/v1/documents/{quote(number, safe='/.')}?{urlencode({'code': code})}"


def record_url(number: str, settings: Settings) -> str:
    """The record's page (staff and permit systems see it; the public with its code)."""
    return f"{settings.public_base_url.rstrip('/')}/v1/documents/{quote(number, safe='/.')}.html"


def next_number(tx: Tx, region_code: str, issued_on: date) -> str:
    region = region_code or "00"
    seq = next_counter(tx, f"document:{region}:{issued_on.year}")
    return f"{NUMBER_PREFIX}/{region}/{issued_on.year}/{seq:06d}"


class Words(TypedDict):
    id: str
    en: str


class DecisionStated(TypedDict):
    """The decision as the record states it (from ``review.DecisionRecord``)."""

    decision: str
    reasons: list[str]
    conditions: list[str]
    decided_on: str
    officer: OfficerJson
    pertek: dict[str, Any] | None  # the Pertek step's data, as recorded
    fpr: dict[str, Any] | None  # the FPR step's data, as recorded
    plan_version: str


class ActivityStated(TypedDict):
    kbli: str
    judul: str
    kode_kegiatan: str
    kegiatan: str | None


class LocationStated(TypedDict):
    geometry: dict[str, Any]  # GeoJSON: the approved part, else the site as sent
    requested_geometry: dict[str, Any]  # GeoJSON: the site as sent
    crs: str  # of ``geometry``
    area_m2: float | None
    lon: float | None
    lat: float | None
    kelurahan: list[str]
    kecamatan: list[str]


class ZoneStated(TypedDict):
    """A deciding zone part of the check."""

    kodzon: str | None
    namzon: str | None
    kodszn: str
    namszn: str | None
    kodblk: str | None
    kodsbl: str | None
    area_m2: float
    itbx: str | None


class IntensityStated(TypedDict):
    rule: str
    limit: float
    unit: str
    source: str


class PlanStated(TypedDict):
    id: str
    name: str
    version: str
    legal_basis: str
    crs: str
    region_code: str


class DecidedBy(TypedDict):
    """Who decided: the officer (``cases.OfficerJson``'s keys), with the decision and the
    plan version."""

    by: str  # pkkpr
    nip: str | None
    name: str
    key: str | None
    decision: str
    plan_version: str


class DocumentContent(TypedDict):
    """What a record states and its code signs (``content_of``). A record issued by an
    earlier release is read as it was signed (its reader, ``document_render``, takes
    any content)."""

    number: str
    title: Words
    notice: Words
    form: str
    decision: DecisionStated
    data_teknis: DataTeknis
    issued_on: str  # ISO date
    application_id: str
    applicant: str
    business_name: str
    activity: ActivityStated
    location: LocationStated
    zones: list[ZoneStated]
    intensity: list[IntensityStated]
    conditions: list[CarriedCondition]
    plan: PlanStated
    decided_by: DecidedBy


class IssuedDocument(TypedDict):
    """A record issued: its number, its verification code and the address to verify it."""

    number: str
    code: str
    url: str


class Standing(TypedDict):
    """A decision's standing today (``decision_standing``): both keys, or none when the
    application has no decision in the record."""

    decision_status: NotRequired[str | None]  # berlaku, diperpanjang, dicabut, kedaluwarsa
    valid_until: NotRequired[str | None]


class Verification(TypedDict):
    """The answer of ``verify``."""

    number: str
    status: str  # a Verdict
    issued_at: NotRequired[str]  # all but an unknown number
    decision_status: NotRequired[str | None]
    valid_until: NotRequired[str | None]
    document: NotRequired[dict[str, Any]]  # the stored content, as it was signed
    differences: NotRequired[list[str]]  # the paths where a given content differs


def content_of(
    app: Row,
    check: CheckJson,
    conditions: list[CarriedCondition],
    *,
    number: str,
    issued_on: date,
    region_code: str,
    decided_by: DecidedBy,
    decision: DecisionRecord,
) -> DocumentContent:
    """What the record states, from the application, the engine's check of the approved
    site, and the decision with its technical data."""
    deciding = [p for p in check["parts"] if p["deciding"]]
    places = sorted({(p["wadmkd"], p["wadmkc"]) for p in deciding})
    teknis = decision["data_teknis"]
    approved = teknis["geometri_disetujui"]
    activity = check["activity"]
    return {
        "number": number,
        "title": {"id": DOCUMENT_TITLE[0], "en": DOCUMENT_TITLE[1]},
        "notice": {"id": DOCUMENT_NOTICE[0], "en": DOCUMENT_NOTICE[1]},
        "form": "PKKPR",
        "decision": {
            "decision": decision["decision"],
            "reasons": decision["reasons"],
            "conditions": decision["conditions"],
            "decided_on": decision["decided_on"],
            "officer": decision["officer"],
            "pertek": decision["pertek"],
            "fpr": decision["fpr"],
            "plan_version": decision["plan_version"],
        },
        "data_teknis": teknis,
        "issued_on": issued_on.isoformat(),
        "application_id": app["id"],
        "applicant": app["applicant"],
        "business_name": app["business_name"],
        "activity": {
            "kbli": activity["kbli"],
            "judul": activity["judul"],
            "kode_kegiatan": activity["kode_kegiatan"],
            "kegiatan": activity["kegiatan"],
        },
        "location": {
            "geometry": approved or loads(app["site"]),
            "requested_geometry": loads(app["site"]),
            "crs": "EPSG:4326" if approved else (app["site_crs"] or "EPSG:4326"),
            # a point site has no area: the applicant's declared land area stands in
            "area_m2": _round_area(check["site"]["area_m2"] or check["proposal"]["land_area_m2"]),
            "lon": _round(check["site"]["lon"]),
            "lat": _round(check["site"]["lat"]),
            "kelurahan": sorted({p[0] for p in places if p[0]}),
            "kecamatan": sorted({p[1] for p in places if p[1]}),
        },
        "zones": [
            {
                "kodzon": p["kodzon"],
                "namzon": p["namzon"],
                "kodszn": p["kodszn"],
                "namszn": p["namszn"],
                "kodblk": p["kodblk"],
                "kodsbl": p["kodsbl"],
                "area_m2": round(float(p["area_m2"]), 2),
                "itbx": p["itbx"],
            }
            for p in deciding
        ],
        "intensity": [
            {"rule": f["rule"], "limit": f["limit"], "unit": f["unit"], "source": f["source"]}
            for f in check["intensity"]
        ],
        "conditions": conditions,
        "plan": {
            "id": check["plan"]["id"],
            "name": check["plan"]["name"],
            "version": check["plan"]["version"],
            "legal_basis": check["plan"]["legal_basis"],
            "crs": check["plan"]["crs"],
            "region_code": region_code,
        },
        "decided_by": decided_by,
    }


def issue(
    tx: Tx,
    app: Row,
    check: CheckJson,
    conditions: list[CarriedCondition],
    *,
    number: str,
    region_code: str,
    map_zones: dict[str, Any],
    decided_by: DecidedBy,
    issued_on: date,
    now: datetime,
    settings: Settings,
    decision: DecisionRecord,
) -> IssuedDocument:
    """Sign and store the record of a decision under ``number`` (``next_number``), in the
    caller's transaction."""
    region = region_code or "00"
    content = content_of(
        app,
        check,
        conditions,
        number=number,
        issued_on=issued_on,
        region_code=region,
        decided_by=decided_by,
        decision=decision,
    )
    code = verification_code(content, settings.document_secret)
    tx.execute(
        sql(
            "INSERT INTO documents (number, application_id, content, code, map_zones, issued_at)"
            " VALUES ({}, {}, {}, {}, {}, {})"
        ),
        (number, app["id"], dumps(content), code, dumps(map_zones), iso(now)),
    )
    return {"number": number, "code": code, "url": verify_url(number, code, settings)}


def get(db: Database, number: str) -> Row | None:
    with db.transaction() as tx:
        row = tx.one(sql("SELECT * FROM documents WHERE number = {}"), (number,))
    if row is not None:
        row["content"] = loads(row["content"])
        row["map_zones"] = loads(row["map_zones"])
    return row


def verify(
    db: Database,
    number: str,
    code_or_content: str | dict[str, Any] | None,
    settings: Settings,
    today: date | None = None,
) -> Verification:
    """``valid`` when the code (or the content) is the one issued under ``number``;
    ``changed`` when it differs (or the stored record no longer matches its code);
    ``unknown`` when no document has that number; ``issued`` when nothing is given."""
    row = get(db, number)
    if row is None:
        return {"number": number, "status": str(Verdict.UNKNOWN)}
    stored = row["content"]
    intact = hmac.compare_digest(verification_code(stored, settings.document_secret), row["code"])
    given = code_or_content
    if isinstance(given, str) and given.lstrip().startswith("{"):
        given = _content_text(given)
    if isinstance(given, dict):
        given_code = verification_code(given, settings.document_secret)
    elif given:
        given_code = normal_code(given)
    else:
        given_code = None
    same = given_code is not None and hmac.compare_digest(given_code, row["code"])
    if given_code is None:
        status = Verdict.ISSUED if intact else Verdict.CHANGED
    else:
        status = Verdict.VALID if intact and same else Verdict.CHANGED
    out: Verification = {"number": number, "status": str(status), "issued_at": row["issued_at"]}
    standing = decision_standing(db, row["application_id"], today)
    if "decision_status" in standing:
        out["decision_status"] = standing["decision_status"]
    if "valid_until" in standing:
        out["valid_until"] = standing["valid_until"]
    if intact:
        # the authoritative text, to compare with the copy in hand
        out["document"] = stored
    if isinstance(given, dict) and not same:
        out["differences"] = differences(stored, given)
    return out


def _content_text(text: str) -> dict[str, Any]:
    """A document's content typed or pasted as JSON; 422 when it is not."""
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        content = None
    if not isinstance(content, dict):
        raise InvalidInput(
            "Kode verifikasi tidak sah: bukan kode dan bukan isi dokumen (JSON)",
            "The verification code is not valid: neither a code nor a document's content (JSON)",
            where="code",
            hint_id="Ketik kode yang tercetak di dokumen, atau pindai kode QR-nya",
            hint_en="Type the code printed on the document, or scan its QR code",
        )
    return content


def differences(stored: dict[str, Any], given: dict[str, Any], prefix: str = "") -> list[str]:
    """Paths of the fields where ``given`` differs from ``stored``."""
    out = []
    for key in sorted(set(stored) | set(given)):
        a, b = stored.get(key), given.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(differences(a, b, path + "."))
        elif a != b:
            out.append(path)
    return out


def _round_area(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 7)


def decision_standing(db: Database, application_id: str, today: date | None) -> Standing:
    """Whether the recorded decision is in force today: ``berlaku``, ``diperpanjang``,
    ``dicabut`` or ``kedaluwarsa`` (past its validity), with its validity date."""
    from kkpr.pipeline.assessment import standing

    with db.transaction() as tx:
        case = tx.one(
            sql("SELECT decision_status, valid_until FROM cases WHERE application_id = {}"),
            (application_id,),
        )
    if case is None or case["decision_status"] is None:
        return {}
    day = today or date.today()
    return {"decision_status": standing(case, day), "valid_until": case["valid_until"]}
