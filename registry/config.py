"""The one place that reads the environment: every setting has the ``CADRE_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide settings. Secrets are ``SecretStr`` so they never print by accident."""

    model_config = SettingsConfigDict(env_prefix="CADRE_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    # PostgreSQL: the schema owner's URL, for migrations and grants (`cadre db upgrade`,
    # `cadre db grant-app-role`); the application's own role (CADRE_DATABASE_URL) cannot
    # rewrite the audit, checkpoint and history tables. Empty: migrate with database_url.
    migration_database_url: str = ""
    test_database_url: str = ""
    log_level: str = "INFO"
    log_json: bool = False
    # Birth registrations abroad carry a country code instead of a province code; which
    # prefixes count as valid is a deployment decision (domain.md: configurable).
    nid_abroad_prefixes: list[str] = Field(default_factory=list)
    # Exact identification-number lookups per token per minute: the number has ~10^6 values
    # once province, sex and year are known, so unlimited lookups would enumerate it.
    nid_lookups_per_minute: int = 30
    max_document_bytes: int = 20 * 1024 * 1024
    party_admission_min_age: int = 18
    party_admission_max_age: int = 60
    audit_checkpoint_every_events: int = 1000
    # The chain head is signed (and copied to var/checkpoints/) at least this often while
    # events arrive: it bounds how much of the chain only the database vouches for.
    audit_checkpoint_every_seconds: int = 60
    page_size_default: int = 50
    page_size_max: int = 500

    population_url: str = ""
    population_client_id: str = ""
    population_client_secret: SecretStr = SecretStr("")
    population_public_key: str = ""
    civil_service_url: str = ""
    civil_service_client_id: str = ""
    civil_service_client_secret: SecretStr = SecretStr("")
    # This ward's code in the ministry's agency list: the agency of every post we push.
    civil_service_agency_code: str = "H31.11311"
    # job name → seconds between runs; empty means the defaults in sync.scheduler
    sync_intervals: dict[str, int] = Field(default_factory=dict)
    scheduler_enabled: bool = True
    # How long a claimed outbox item stays with the worker that claimed it; a worker that
    # dies holding it is replaced after this.
    sync_lease_seconds: int = 300
    # Each external system's circuit breaker opens when, over the last window, at least the
    # minimum number of calls were made and at least the ratio of them failed (5xx, 429,
    # timeouts, dropped connections); it then refuses calls locally for open_seconds, and the
    # run that meets it stops there. Refusals and quarantined answers are not failures.
    sync_breaker_minimum_calls: int = 20
    sync_breaker_failure_ratio: float = 0.5
    sync_breaker_window_seconds: float = 60.0
    sync_breaker_open_seconds: float = 30.0

    # Review pages: the session cookie is sent only over HTTPS unless this is false (plain
    # HTTP on loopback during development and tests).
    session_cookie_secure: bool = True
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12

    # Personnel file and import: a folder of code-list CSV files that replace the bundled
    # ones of registry/data by name (communes_2025.csv: the deployment's full commune list).
    code_lists_dir: Path | None = None
    # The oldest age a living person's birth date may give (older is a typing error).
    living_person_max_age: int = 120

    # Performance: a request chains its audit entries itself when the sequencer's lock is
    # free (never waiting); off, only the serving process's sequencer and
    # verify/export/checkpoint do, every audit_sequence_every_seconds. Unset: off under
    # `cadre serve` (its sequencer runs), on elsewhere (commands, embedded apps, tests).
    # `cadre serve` workers (0: one per core) and each process's connection pool (0: sized
    # from the workers and the database's limit).
    audit_sequence_in_request: bool | None = None
    audit_sequence_every_seconds: float = 1.0
    serve_workers: int = 0
    db_pool_size: int = 0
    db_max_overflow: int = 5

    # Monthly report: the heading, recipients and signature block (36-HD/VPTW).
    report_party_committee: str = "ĐẢNG BỘ PHƯỜNG LÊ CHÂN"
    report_issuing_office: str = "BAN XÂY DỰNG ĐẢNG"
    report_number_suffix: str = "BC/BXDĐ"
    report_place: str = "Lê Chân"
    report_recipients: list[str] = [
        "Ban Thường vụ Đảng ủy phường (để báo cáo)",
        "Các đồng chí Đảng ủy viên",
        "Lưu Văn phòng Đảng ủy, Ban Xây dựng Đảng",
    ]
    report_signature_on_behalf: str = "T/M BAN THƯỜNG VỤ"
    report_signature_title: str = "PHÓ BÍ THƯ THƯỜNG TRỰC"
    report_signer_name: str = ""
    # API lookups: exact identification-number lookups a minute for an API
    # token without a quota of its own (applications reconcile their people in bulk).
    api_lookups_per_minute: int = 6000

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+pysqlite:///{(self.var_dir / 'cadre.db').resolve()}"

    def resolved_migration_database_url(self) -> str:
        return self.migration_database_url or self.resolved_database_url()

    @property
    def keys_dir(self) -> Path:
        return self.var_dir / "keys"

    @property
    def checkpoints_dir(self) -> Path:
        return self.var_dir / "checkpoints"

    @property
    def documents_dir(self) -> Path:
        return self.var_dir / "documents"

    @property
    def reports_dir(self) -> Path:
        return self.var_dir / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
