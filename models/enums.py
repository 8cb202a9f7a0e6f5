"""The enums the database stores and the GraphQL layer re-exposes under the same names."""

from enum import StrEnum


class OrganizationKind(StrEnum):
    DISTRIBUTOR = "DISTRIBUTOR"
    RESELLER = "RESELLER"
    CUSTOMER = "CUSTOMER"


class OrganizationStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    SUSPENDED = "SUSPENDED"
    BLOCKED = "BLOCKED"
    ARCHIVED = "ARCHIVED"


class AuditAction(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    TAX_ID_VERIFICATION = "TAX_ID_VERIFICATION"


class Industry(StrEnum):
    COMMERCIAL = "COMMERCIAL"
    EDUCATION = "EDUCATION"
    GOVERNMENT = "GOVERNMENT"
    NON_PROFIT = "NON_PROFIT"


class TaxIdVerificationStatus(StrEnum):
    NOT_APPLICABLE = "NOT_APPLICABLE"
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    INVALID = "INVALID"
    UNAVAILABLE = "UNAVAILABLE"


class JobStatus(StrEnum):
    """QUEUED: waiting for its run_at (first try or a retry); RUNNING: a worker holds its lease;
    SUCCEEDED and FAILED (every attempt used) are final."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class EventType(StrEnum):
    """What happened to an organization, as webhooks name it (the Standard Webhooks `type`)."""

    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_STATUS_CHANGED = "customer.status_changed"
    TAX_ID_VERIFICATION_CHANGED = "customer.tax_id_verification_changed"
    # Sent only by sendTestWebhook, never written to the outbox.
    WEBHOOK_TEST = "webhook.test"


class DeliveryStatus(StrEnum):
    """PENDING: not yet answered with a 2xx (retrying); SUCCEEDED; FAILED: every attempt used,
    or the endpoint was disabled or deleted meanwhile."""

    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class ImportStatus(StrEnum):
    """QUEUED until a worker takes it up; COMPLETED when every row was handled (some may have
    failed); FAILED when the file could not be read."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class ImportRowStatus(StrEnum):
    PENDING = "PENDING"  # not handled yet
    CREATED = "CREATED"
    VALID = "VALID"  # a dry run's row that would be created
    FAILED = "FAILED"
    # A customer with its ERP ID, tax ID or registration number exists, or an earlier row has it.
    DUPLICATE = "DUPLICATE"
