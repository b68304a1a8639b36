"""Service settings: one pydantic-settings class, every value overridable by ``KKPR_*``.

Legal numbers (deadlines, tolerances, limits) live here or in the plan package,
never as literals in code.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SAMPLE_PLAN_DIR = Path(__file__).resolve().parent.parent / "zoning_data" / "kupang"
KBLI_CATALOGUE = Path(__file__).resolve().parent.parent / "zoning_data" / "kbli2020.csv"
DEV_DOCUMENT_SECRET = "change-me-in-production"  # published here: for trials only
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class PnbpRate(BaseModel):
    """One PNBP tariff: ``base_idr + ceil(area / unit_m2) * per_unit_idr``."""

    base_idr: float = Field(..., ge=0)
    per_unit_idr: float = Field(..., ge=0)
    unit_m2: float = Field(..., gt=0)


class PnbpRates(BaseModel):
    """The tariffs of one purpose, below and from the area threshold."""

    below: PnbpRate
    above: PnbpRate


def _default_pnbp_rates() -> dict[str, PnbpRates]:
    # example figures in the shape of the ATR/BPN tariff (L/500 x HSBKpu + a fixed part):
    # [unconfirmed: set them from the PNBP regulation and HSBKpu in force]
    return {
        "berusaha": PnbpRates(
            below=PnbpRate(base_idr=350_000, per_unit_idr=50_000, unit_m2=500),
            above=PnbpRate(base_idr=350_000, per_unit_idr=25_000, unit_m2=500),
        ),
        "non_berusaha": PnbpRates(
            below=PnbpRate(base_idr=100_000, per_unit_idr=10_000, unit_m2=500),
            above=PnbpRate(base_idr=100_000, per_unit_idr=5_000, unit_m2=500),
        ),
    }


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KKPR_", env_file=".env", extra="ignore")

    # where plans come from
    plan_dir: Path = Field(SAMPLE_PLAN_DIR, description="Plan package served by the memory store")
    database_url: str | None = Field(None, description="PostGIS URL; unset = memory store")
    kbli_catalogue: Path = KBLI_CATALOGUE
    data_dir: Path = Field(Path("var"), description="SQLite check log, documents, raster copies")

    # checking
    outside_plan_margin_m: float = Field(
        5000.0, description="A site farther than this from a plan's extent is 'outside any plan'"
    )
    max_site_vertices: int = 10_000
    max_site_parts: int = Field(
        100, description="Most separate areas (polygons) one site may be made of"
    )
    max_site_area_m2: float = 5_000_000.0
    check_fast_path: bool = Field(
        True,
        description="POST /v1/checks answers a plainly well-formed request without "
        "FastAPI's generic request handling (api.fastpath); off, every request takes it",
    )

    # plan rasters: checked by `plan validate` before a version can be activated
    raster_min_cell_m: float = Field(
        0.5, gt=0, description="Finest raster cell accepted (m); finer rasters are refused"
    )
    raster_max_cells: int = Field(
        100_000_000,
        gt=0,
        description="Most cells of a raster over a plan's region (zones + outside-plan margin)",
    )
    raster_max_memory_bytes: int = Field(
        1 << 30, gt=0, description="Most memory the reading of one raster by a check may need"
    )
    max_batch_sites: int = 1000
    max_body_bytes: int = 5_000_000
    max_upload_features: int = Field(
        1000, description="Most features a site file uploaded to /pages/upload may hold"
    )

    # the records database (check log, keys, pipeline) when it is PostgreSQL
    db_pool_size: int = Field(
        16, ge=1, description="Most PostgreSQL connections one pool of one API process holds"
    )
    db_pool_wait_s: float = Field(
        10.0, gt=0, description="How long a request waits for a free pooled connection"
    )
    db_connect_timeout_s: int = Field(
        3, ge=1, description="How long opening a PostgreSQL connection may take"
    )

    # review (PKKPR / conditional cases)
    review_deadline_working_days: int = Field(
        20,
        description="Working days to decide a PKKPR case, counted from complete documents "
        "and payment (commonly cited; check the PP)",
    )
    review_conditional_deadline_working_days: int = 5
    review_due_soon_working_days: int = 3
    # staff parcel history and audit view (issue 20: items 3 and 5)
    history_point_buffer_m: float = Field(
        10.0, ge=0, description="Metres around a clicked point that parcel history searches"
    )
    history_max_buffer_m: float = Field(1000.0, gt=0, description="The widest buffer asked for")
    history_max_results: int = Field(500, ge=1, description="Records one history answer lists")
    audit_page_size: int = Field(50, ge=1, le=1000, description="Audit events per page")
    audit_export_max_rows: int = Field(
        100_000, ge=1, description="Audit events one CSV export holds at most"
    )
    holiday_country: str = "ID"
    holiday_subdiv: str | None = None
    holiday_categories: list[str] = Field(
        default_factory=lambda: ["public", "government"],
        description="holidays-library categories that close the office (government = cuti bersama)",
    )
    holiday_extra_dates: list[date] = Field(
        default_factory=list,
        description="Extra non-working dates (local decrees, new cuti bersama)",
    )
    office_timezone: str = Field("Asia/Makassar", description="Whose calendar day counts")

    # the public pre-check's next steps: where an applicant goes, and what it costs
    office_name: str = Field(
        "DPMPTSP", description="The one-stop licensing office named in the pre-check's next steps"
    )
    office_address: str = Field("", description="Its street address; empty = not shown")
    office_hours: str = Field("", description="Its opening hours, as written for the public")

    # the base map under the zones on the public pages (nothing is fetched when unset)
    basemap_url: str = Field(
        "",
        description="XYZ tile template ({z}, {x}, {y}, optional {s}) drawn under the zones, "
        "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty = the zones alone",
    )
    basemap_attribution: str = Field("", description="Its credit line, as the provider asks")
    basemap_max_zoom: int = Field(19, ge=0, le=24, description="Its deepest zoom level")
    basemap_aerial_url: str = Field(
        "", description="A second template, aerial imagery, offered beside the street map"
    )
    basemap_aerial_attribution: str = ""
    basemap_aerial_max_zoom: int = Field(19, ge=0, le=24)

    # the public pages' files: one script and one stylesheet per page (api.bundle)
    bundle_assets: bool = Field(
        True, description="Serve each page's scripts and stylesheets as one file each"
    )
    # place search on the public pre-check (offline always; online when this is set)
    geocoder_url: str = Field(
        "",
        description="A Nominatim-compatible search service (its /search is asked with "
        "format=jsonv2, limited to the plan's extent) beside the offline place names",
    )
    geocoder_timeout_s: float = Field(4.0, gt=0, description="How long to wait for it")

    # the PKKPR assessment (issue 16): every legal number a setting
    pkkpr_overdue_policy: str = Field(
        "flag",
        pattern="^(flag|fiktif_positif)$",
        description="An assessment past its deadline with no decision: 'flag' it in the "
        "queue, or 'fiktif_positif' (approved by law, OSS status 57, with a record)",
    )
    pkkpr_fpr_required: bool = Field(
        True, description="A decision needs the spatial-planning forum (FPR) assessment"
    )
    pkkpr_partial_tolerance_m2: float = Field(
        1.0,
        ge=0,
        description="Area of an approved part allowed outside the requested site "
        "(drawing slack at its edges)",
    )
    kkpr_validity_years: int = Field(3, description="Validity of a KKPR [article unconfirmed]")
    kkpr_extension_years: int = Field(2, description="Length of one extension")
    kkpr_max_extensions: int = Field(1, description="How many times a KKPR may be extended")
    pnbp_area_threshold_m2: float = Field(
        10_000.0, description="Land area from which the 'above' PNBP tariff applies"
    )
    pnbp_rates: dict[str, PnbpRates] = Field(
        default_factory=_default_pnbp_rates,
        description="PNBP tariff by purpose (berusaha, non_berusaha), below and from the "
        "threshold (example figures: set them from the regulation in force)",
    )
    pnbp_estimate_public: bool = Field(
        False,
        description="Show the PNBP estimate (pnbp_rates, as the pipeline computes it) in the "
        "public pre-check's next steps; turn on once pnbp_rates hold the tariff in force",
    )

    # API
    public_rate_limit_per_minute: int = 30
    public_check_threads: int = Field(
        2,
        ge=1,
        description="Public pre-checks (and their PDFs) run at most this many at once, on "
        "threads of their own: however many anonymous clients there are, the staff and "
        "permit-system checks keep the rest of the machine",
    )
    public_check_queue: int = Field(
        200,
        ge=0,
        description="Public pre-checks that may wait for one of those threads; beyond it a "
        "pre-check is answered 503 with Retry-After instead of waiting",
    )
    public_refusal_delay_s: float = Field(
        1.0,
        ge=0,
        le=30,
        description="A client refused by the public rate limit that asks again before its "
        "wait is over gets its 429 after this delay (capped at its remaining wait; no thread "
        "is held while it waits): a client that keeps asking at once is slowed to one request "
        "per connection per delay. 0 answers at once",
    )
    public_refusals_held_per_client: int = Field(
        64,
        ge=0,
        description="Delayed refusals one client (address, IPv6 /64) may have waiting at "
        "once; beyond it a refusal is answered at once with Connection: close",
    )
    public_refusals_held: int = Field(
        1024,
        ge=0,
        description="Delayed refusals of all clients that may wait at once (each holds its "
        "connection and at most 64 KB of its body); beyond it a refusal is answered at once "
        "with Connection: close",
    )
    tracking_attempts_per_minute: int = Field(
        10,
        ge=0,
        description="Application-tracking attempts (number and access code) one client may "
        "make per minute, on the /lacak page and GET /v1/tracking, right or wrong; then 429",
    )
    api_key_cache_ttl_s: float = Field(
        5.0,
        ge=0,
        description="How long a verified API key is remembered per API process; a key "
        "revoked by another process stops working within this; 0 = no cache",
    )
    ogc_max_limit: int = Field(10_000, description="Most features one OGC API items page holds")
    max_plan_upload_bytes: int = Field(500_000_000, description="Largest zipped plan upload")
    max_plan_unzipped_bytes: int = Field(
        2_000_000_000, description="Largest plan package once unzipped (zip bombs)"
    )
    max_plan_zip_ratio: float = Field(
        100.0,
        description="Most times a plan zip may grow when unpacked: GeoPackages, CSVs and "
        "GeoTIFFs zip to a fifth of their size at best (the Kupang sample: 2.6x); more is "
        "padding that would be kept with the package",
    )
    session_secret: str | None = Field(
        None,
        description="HMAC key for staff session cookies and public client hashes; "
        "unset = a random key made once and kept in the records database (the same for "
        "every worker)",
    )
    session_max_age_s: int = Field(8 * 3600, description="Staff login session lifetime")
    cors_origins: list[str] = Field(default_factory=list)
    webhook_max_attempts: int = 25
    webhook_backoff_base_s: float = 1.0
    webhook_backoff_max_s: float = 300.0
    webhook_timeout_s: float = 10.0
    webhook_allow_private_targets: bool = Field(
        False,
        description="Allow webhook URLs on loopback, private or link-local addresses "
        "(a closed network, tests); off, such targets are refused (kkpr.pipeline.targets)",
    )
    webhook_lease_s: float = Field(60.0, description="A claimed delivery is retried after this")
    worker_poll_s: float = 1.0
    document_secret: str = Field(
        DEV_DOCUMENT_SECRET,
        description="HMAC key for document codes; the built-in value is refused unless "
        "public_base_url is this machine (a trial run)",
    )
    public_base_url: str = "http://127.0.0.1:8000"
    delivery_in_app: bool = Field(
        False,
        description="Run the delivery worker (webhooks and OSS) inside the API process; "
        "`make run` turns it on, a fleet runs `kkpr worker` instead",
    )

    # OSS-RBA host to host (docs/oss.md)
    oss_token: str | None = Field(
        None, description="The Token header OSS sends with receiveNIBKKPR; unset = refused"
    )
    oss_base_url: str | None = Field(
        None,
        description="OSS's service root; receiveLicenseStatus and receiveLicenseKKPR "
        "are posted below it",
    )
    oss_user_key: str | None = Field(None, description="The user_key header OSS gave us")
    oss_kd_instansi: str = Field("", description="IZINSTATUS.kd_instansi, up to 3 characters")
    oss_officer_nip: str = Field(
        "", description="NIP sent when a status is set by the system, not by an officer"
    )
    oss_officer_name: str = Field(
        "Sistem KKPR", description="Name sent when a status is set by the system"
    )
    oss_max_attempts: int = Field(
        80, description="Attempts before an OSS delivery waits for staff to send it again"
    )
    oss_backoff_max_s: float = Field(
        3600.0, description="Longest wait between OSS attempts (a day's outage loses nothing)"
    )

    def trial_document_secret_served(self) -> bool:
        """Whether the built-in document key, which anyone can read here and forge
        documents with, would serve beyond this machine (a trial here may keep it)."""
        host = (urlsplit(self.public_base_url).hostname or "").lower()
        return self.document_secret == DEV_DOCUMENT_SECRET and host not in LOOPBACK_HOSTS


@lru_cache
def get_settings() -> Settings:
    return Settings()
