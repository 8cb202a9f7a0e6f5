"""Settings, read once from the environment into one typed object.

Every setting is listed in the README. Tests build their own `Settings` and hand it to
`server.app.create_app`, so nothing reads the environment behind their back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "DKK", "NOK", "SEK", "PLN")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting has a value we refuse to start with."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    try:
        return float(raw) if raw is not None else default
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _number(env, name, default)
    if value <= 0:
        raise SettingsError(f"{name} must be greater than 0, not {value}")
    return value


def _delays(env: Mapping[str, str], name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    """A comma list of seconds: N delays mean N + 1 attempts (an empty list: one attempt)."""
    raw = env.get(name)
    if raw is None:
        return default
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise SettingsError(f"{name} must be a comma list of seconds, not {raw!r}") from exc
    if any(d < 0 for d in delays):
        raise SettingsError(f"{name} must not hold negative delays")
    return delays


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip().rstrip("/")
    if not value.startswith(("https://", "http://")):
        raise SettingsError(f"{name} must be an http(s) URL, not {value!r}")
    return value


def _vat(env: Mapping[str, str], name: str) -> str:
    """Prefix + number, without spaces or dots ("NL 0064.86.253.B01" -> "NL006486253B01")."""
    value = "".join(ch for ch in env.get(name, "").upper() if ch.isalnum())
    if value and (len(value) < 4 or not value[:2].isalpha()):
        raise SettingsError(f"{name} must be a VAT number with its country prefix")
    return value


def _origins(env: Mapping[str, str], credentials: bool) -> tuple[str, ...]:
    """The CORS allow-list. A wildcard would let every site read answers sent with the
    visitor's credentials, so `*` is refused together with credentials."""
    origins = tuple(
        o.strip().rstrip("/") for o in env.get("PORTAL_CORS_ORIGINS", "").split(",") if o.strip()
    )
    if "*" in origins and credentials:
        raise SettingsError("PORTAL_CORS_ORIGINS must list origins, not *, with credentials")
    return origins


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = "sqlite://portal.sqlite3"
    environment: str = "development"
    # HS256 shared secret, or the PEM public key of an identity provider for RS256/ES256.
    # Empty: a secret is generated on first start and kept in the database.
    jwt_key: str = ""
    jwt_private_key: str = ""
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = ""
    jwt_audience: str = ""
    token_ttl_seconds: int = 12 * 3600
    currencies: tuple[str, ...] = DEFAULT_CURRENCIES
    four_eyes: bool = False
    graphiql: bool = True
    introspection: bool = True
    idempotency_ttl_seconds: int = 24 * 3600
    max_page_size: int = 100
    # Limits on one request; each refusal names the limit and its value (graph/execution/limits.py).
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_directives: int = 50
    # graphql-core's field-merging check compares repeated fields pairwise; this bounds it.
    max_merge_checks_per_token: int = 25
    # Filters (list arguments): `and`/`or` nesting, conditions, values per list, text length.
    max_filter_depth: int = 5
    max_filter_conditions: int = 100
    max_filter_list_values: int = 1000
    max_filter_text_length: int = 1000
    max_body_bytes: int = 1024 * 1024
    # The request line and headers, and how long a client may take to send them
    # (server/protocol.py: uvicorn itself reads heads of any size and waits forever).
    max_header_bytes: int = 16 * 1024
    header_timeout_seconds: float = 10.0
    # ... and its body (server/middleware.py).
    body_timeout_seconds: float = 30.0
    operation_timeout_seconds: float = 10.0
    # Production hides what only helps an attacker: unexpected errors and "Did you mean" hints.
    mask_errors: bool = False
    field_suggestions: bool = True
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = False
    db_pool_min: int = 1
    db_pool_max: int = 10
    sqlite_busy_timeout_ms: int = 5000
    db_statement_timeout_ms: int = 15000
    db_acquire_timeout_seconds: float = 5.0
    # Operations (server/observability.py): one JSON line per request on stderr, /metrics.
    access_log: bool = True
    metrics: bool = True
    # How long browsers may reuse GET answers that hold only countries/currencies.
    reference_data_max_age_seconds: int = 3600
    # On SIGTERM, in-flight requests get this long to finish before connections are closed.
    shutdown_timeout_seconds: float = 25.0
    # The compiled executor for plain fields (graph/execution/executor.py); off: graphql-core's own.
    fast_executor: bool = True
    # Read operations as one JSON-building SQL statement per root field
    # (graph/execution/compiled/); off: every operation runs through the executor.
    compiled_reads: bool = True
    # Operations run once, run again without parsing, validation and the extensions
    # (graph/execution/prepared.py): compiled reads and mutations; off: the pipeline each time.
    prepared_operations: bool = True
    # Background jobs (resolvers/jobs): run them inside `portal serve` too, or only in
    # `portal worker`; how often an idle worker looks for due jobs; how long a claimed job is
    # held before another worker may take it up (renewed while it runs); how long finished
    # jobs are kept for operators.
    jobs_in_server: bool = True
    job_poll_seconds: float = 1.0
    job_lease_seconds: float = 60.0
    job_retention_seconds: int = 7 * 86400
    # Webhooks (resolvers/webhooks): the waits between delivery attempts (N delays mean N + 1
    # attempts), one attempt's time limit, how long an endpoint may fail every attempt before
    # it is disabled, how long the old secret keeps signing after a rotation, deliveries in
    # flight at once across all processes, and (development and tests only) http and
    # private/loopback targets.
    webhook_retry_seconds: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000)
    webhook_timeout_seconds: float = 10.0
    webhook_disable_after_seconds: float = 5 * 86400
    webhook_secret_grace_seconds: float = 86400
    webhook_concurrency: int = 8
    webhook_allow_private: bool = False
    # Tax-ID verification (resolvers/verification): the registries, their calls, the retries.
    tax_id_verification: bool = True
    verification_retry_seconds: tuple[float, ...] = (60.0, 300.0, 1800.0, 7200.0, 21600.0, 86400.0)
    verification_timeout_seconds: float = 10.0
    verification_concurrency: int = 2
    approval_requires_verified_tax_id: bool = False
    vies_url: str = "https://ec.europa.eu/taxation_customs/vies/rest-api"
    # Our own VAT number (prefix + number): VIES then returns a consultation number.
    vies_requester_vat: str = ""
    hmrc_url: str = "https://api.service.hmrc.gov.uk"
    hmrc_client_id: str = ""
    hmrc_client_secret: str = ""

    # Customer imports (resolvers/imports): the largest file and the most customer rows one
    # upload may hold; larger ones are refused before anything is written.
    import_max_bytes: int = 10 * 1024 * 1024
    import_max_rows: int = 10000

    # Live subscriptions (organizationEvents over graphql-transport-ws, server/live.py): open
    # subscription connections one process accepts, subscriptions one connection may run, how
    # long a client may take to send connection_init, events waiting for one slow subscriber
    # before it is dropped, how often SQLite is polled for new events (PostgreSQL pushes them
    # with LISTEN/NOTIFY); the WebSocket ping interval and pong timeout (a dead socket is
    # dropped) and the largest message a client may send.
    subscription_max_connections: int = 500
    subscription_max_per_connection: int = 10
    subscription_init_timeout_seconds: float = 10.0
    subscription_queue_size: int = 100
    subscription_poll_seconds: float = 0.2
    ws_ping_interval_seconds: float = 20.0
    ws_ping_timeout_seconds: float = 20.0
    ws_max_message_bytes: int = 64 * 1024

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()  # the defaults
        environment = env.get("PORTAL_ENV", "development").strip().lower()
        if environment not in {"development", "production"}:
            raise SettingsError(
                f"PORTAL_ENV must be development or production, not {environment!r}"
            )
        production = environment == "production"
        algorithm = env.get("PORTAL_JWT_ALGORITHM", "HS256").strip().upper()
        if algorithm not in {"HS256", "HS384", "HS512", "RS256", "ES256"}:
            raise SettingsError(f"PORTAL_JWT_ALGORITHM {algorithm!r} is not supported")
        jwt_key = env.get("PORTAL_JWT_KEY", "")
        if not algorithm.startswith("HS") and not jwt_key:
            raise SettingsError(f"PORTAL_JWT_KEY (a PEM public key) is required for {algorithm}")
        if algorithm.startswith("HS") and jwt_key and len(jwt_key) < 32:
            raise SettingsError("PORTAL_JWT_KEY must be at least 32 characters for HMAC")
        currencies = tuple(
            c.strip().upper()
            for c in env.get("PORTAL_CURRENCIES", ",".join(DEFAULT_CURRENCIES)).split(",")
            if c.strip()
        )
        if not currencies:
            raise SettingsError("PORTAL_CURRENCIES must name at least one currency")
        settings = cls(
            webhook_retry_seconds=_delays(
                env, "PORTAL_WEBHOOK_RETRY_SECONDS", d.webhook_retry_seconds
            ),
            webhook_timeout_seconds=_positive(
                env, "PORTAL_WEBHOOK_TIMEOUT_SECONDS", d.webhook_timeout_seconds
            ),
            webhook_disable_after_seconds=_positive(
                env, "PORTAL_WEBHOOK_DISABLE_AFTER_SECONDS", d.webhook_disable_after_seconds
            ),
            webhook_secret_grace_seconds=_number(
                env, "PORTAL_WEBHOOK_SECRET_GRACE_SECONDS", d.webhook_secret_grace_seconds
            ),
            webhook_concurrency=int(
                _positive(env, "PORTAL_WEBHOOK_CONCURRENCY", d.webhook_concurrency)
            ),
            webhook_allow_private=_flag(env, "PORTAL_WEBHOOK_ALLOW_PRIVATE", False),
            database_url=env.get("PORTAL_DATABASE_URL", d.database_url),
            environment=environment,
            jwt_key=jwt_key,
            jwt_private_key=env.get("PORTAL_JWT_PRIVATE_KEY", ""),
            jwt_algorithm=algorithm,
            jwt_issuer=env.get("PORTAL_JWT_ISSUER", ""),
            jwt_audience=env.get("PORTAL_JWT_AUDIENCE", ""),
            token_ttl_seconds=int(_positive(env, "PORTAL_TOKEN_TTL_SECONDS", d.token_ttl_seconds)),
            currencies=currencies,
            four_eyes=_flag(env, "PORTAL_FOUR_EYES", False),
            graphiql=_flag(env, "PORTAL_GRAPHIQL", not production),
            introspection=_flag(env, "PORTAL_INTROSPECTION", not production),
            max_page_size=int(_positive(env, "PORTAL_MAX_PAGE_SIZE", d.max_page_size)),
            max_query_depth=int(_positive(env, "PORTAL_MAX_QUERY_DEPTH", d.max_query_depth)),
            max_aliases=int(_positive(env, "PORTAL_MAX_ALIASES", d.max_aliases)),
            max_tokens=int(_positive(env, "PORTAL_MAX_TOKENS", d.max_tokens)),
            max_directives=int(_positive(env, "PORTAL_MAX_DIRECTIVES", d.max_directives)),
            max_merge_checks_per_token=int(
                _positive(env, "PORTAL_MAX_MERGE_CHECKS_PER_TOKEN", d.max_merge_checks_per_token)
            ),
            max_body_bytes=int(_positive(env, "PORTAL_MAX_BODY_BYTES", d.max_body_bytes)),
            max_filter_depth=int(_positive(env, "PORTAL_MAX_FILTER_DEPTH", d.max_filter_depth)),
            max_filter_conditions=int(
                _positive(env, "PORTAL_MAX_FILTER_CONDITIONS", d.max_filter_conditions)
            ),
            max_filter_list_values=int(
                _positive(env, "PORTAL_MAX_FILTER_LIST_VALUES", d.max_filter_list_values)
            ),
            max_filter_text_length=int(
                _positive(env, "PORTAL_MAX_FILTER_TEXT_LENGTH", d.max_filter_text_length)
            ),
            max_header_bytes=int(_positive(env, "PORTAL_MAX_HEADER_BYTES", d.max_header_bytes)),
            header_timeout_seconds=_positive(
                env, "PORTAL_HEADER_TIMEOUT_SECONDS", d.header_timeout_seconds
            ),
            body_timeout_seconds=_positive(
                env, "PORTAL_BODY_TIMEOUT_SECONDS", d.body_timeout_seconds
            ),
            operation_timeout_seconds=_positive(
                env, "PORTAL_OPERATION_TIMEOUT_SECONDS", d.operation_timeout_seconds
            ),
            mask_errors=_flag(env, "PORTAL_MASK_ERRORS", production),
            field_suggestions=_flag(env, "PORTAL_FIELD_SUGGESTIONS", not production),
            cors_origins=_origins(env, _flag(env, "PORTAL_CORS_ALLOW_CREDENTIALS", False)),
            cors_allow_credentials=_flag(env, "PORTAL_CORS_ALLOW_CREDENTIALS", False),
            idempotency_ttl_seconds=int(
                _positive(env, "PORTAL_IDEMPOTENCY_TTL_SECONDS", d.idempotency_ttl_seconds)
            ),
            db_pool_min=int(_number(env, "PORTAL_DB_POOL_MIN", d.db_pool_min)),
            db_pool_max=int(_positive(env, "PORTAL_DB_POOL_MAX", d.db_pool_max)),
            db_statement_timeout_ms=int(
                _positive(env, "PORTAL_DB_STATEMENT_TIMEOUT_MS", d.db_statement_timeout_ms)
            ),
            db_acquire_timeout_seconds=_positive(
                env, "PORTAL_DB_ACQUIRE_TIMEOUT_SECONDS", d.db_acquire_timeout_seconds
            ),
            sqlite_busy_timeout_ms=int(
                _positive(env, "PORTAL_SQLITE_BUSY_TIMEOUT_MS", d.sqlite_busy_timeout_ms)
            ),
            access_log=_flag(env, "PORTAL_ACCESS_LOG", True),
            metrics=_flag(env, "PORTAL_METRICS", True),
            reference_data_max_age_seconds=int(
                _number(
                    env, "PORTAL_REFERENCE_DATA_MAX_AGE_SECONDS", d.reference_data_max_age_seconds
                )
            ),
            shutdown_timeout_seconds=_positive(
                env, "PORTAL_SHUTDOWN_TIMEOUT_SECONDS", d.shutdown_timeout_seconds
            ),
            fast_executor=_flag(env, "PORTAL_FAST_EXECUTOR", d.fast_executor),
            compiled_reads=_flag(env, "PORTAL_COMPILED_READS", d.compiled_reads),
            prepared_operations=_flag(env, "PORTAL_PREPARED_OPERATIONS", d.prepared_operations),
            jobs_in_server=_flag(env, "PORTAL_JOBS_IN_SERVER", d.jobs_in_server),
            job_poll_seconds=_positive(env, "PORTAL_JOB_POLL_SECONDS", d.job_poll_seconds),
            job_lease_seconds=_positive(env, "PORTAL_JOB_LEASE_SECONDS", d.job_lease_seconds),
            job_retention_seconds=int(
                _positive(env, "PORTAL_JOB_RETENTION_SECONDS", d.job_retention_seconds)
            ),
            tax_id_verification=_flag(env, "PORTAL_TAX_ID_VERIFICATION", d.tax_id_verification),
            verification_retry_seconds=_delays(
                env, "PORTAL_VERIFICATION_RETRY_SECONDS", d.verification_retry_seconds
            ),
            verification_timeout_seconds=_positive(
                env, "PORTAL_VERIFICATION_TIMEOUT_SECONDS", d.verification_timeout_seconds
            ),
            verification_concurrency=int(
                _positive(env, "PORTAL_VERIFICATION_CONCURRENCY", d.verification_concurrency)
            ),
            approval_requires_verified_tax_id=_flag(
                env, "PORTAL_APPROVAL_REQUIRES_VERIFIED_TAX_ID", d.approval_requires_verified_tax_id
            ),
            vies_url=_url(env, "PORTAL_VIES_URL", d.vies_url),
            vies_requester_vat=_vat(env, "PORTAL_VIES_REQUESTER_VAT"),
            hmrc_url=_url(env, "PORTAL_HMRC_URL", d.hmrc_url),
            hmrc_client_id=env.get("PORTAL_HMRC_CLIENT_ID", "").strip(),
            hmrc_client_secret=env.get("PORTAL_HMRC_CLIENT_SECRET", "").strip(),
            import_max_bytes=int(_positive(env, "PORTAL_IMPORT_MAX_BYTES", d.import_max_bytes)),
            import_max_rows=int(_positive(env, "PORTAL_IMPORT_MAX_ROWS", d.import_max_rows)),
            subscription_max_connections=int(
                _positive(
                    env, "PORTAL_SUBSCRIPTION_MAX_CONNECTIONS", d.subscription_max_connections
                )
            ),
            subscription_max_per_connection=int(
                _positive(
                    env, "PORTAL_SUBSCRIPTION_MAX_PER_CONNECTION", d.subscription_max_per_connection
                )
            ),
            subscription_init_timeout_seconds=_positive(
                env, "PORTAL_SUBSCRIPTION_INIT_TIMEOUT_SECONDS", d.subscription_init_timeout_seconds
            ),
            subscription_queue_size=int(
                _positive(env, "PORTAL_SUBSCRIPTION_QUEUE_SIZE", d.subscription_queue_size)
            ),
            subscription_poll_seconds=_positive(
                env, "PORTAL_SUBSCRIPTION_POLL_SECONDS", d.subscription_poll_seconds
            ),
            ws_ping_interval_seconds=_positive(
                env, "PORTAL_WS_PING_INTERVAL_SECONDS", d.ws_ping_interval_seconds
            ),
            ws_ping_timeout_seconds=_positive(
                env, "PORTAL_WS_PING_TIMEOUT_SECONDS", d.ws_ping_timeout_seconds
            ),
            ws_max_message_bytes=int(
                _positive(env, "PORTAL_WS_MAX_MESSAGE_BYTES", d.ws_max_message_bytes)
            ),
        )
        if not 0 <= settings.db_pool_min <= settings.db_pool_max:
            raise SettingsError("PORTAL_DB_POOL_MIN must be between 0 and PORTAL_DB_POOL_MAX")
        return settings
