"""Persistence: Tortoise models and their migrations. Imports neither resolvers nor graph."""

from models.audit import AuditEntry
from models.customer_import import CustomerImport, ImportRow
from models.enums import (
    AuditAction,
    DeliveryStatus,
    EventType,
    ImportRowStatus,
    ImportStatus,
    Industry,
    JobStatus,
    OrganizationKind,
    OrganizationStatus,
    TaxIdVerificationStatus,
)
from models.history import StatusChange
from models.idempotency import IdempotencyRecord
from models.job import Job
from models.organization import Address, Contact, Organization
from models.secret import Secret
from models.verification import TaxIdVerification, TaxIdVerificationEvent
from models.webhook import Delivery, DeliveryAttempt, Endpoint, Event

__models__ = [
    Organization,
    Address,
    Contact,
    StatusChange,
    AuditEntry,
    IdempotencyRecord,
    Secret,
    Job,
    Event,
    Endpoint,
    Delivery,
    DeliveryAttempt,
    CustomerImport,
    ImportRow,
    TaxIdVerification,
    TaxIdVerificationEvent,
]

__all__ = [
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "Endpoint",
    "Event",
    "EventType",
    "Address",
    "AuditAction",
    "AuditEntry",
    "Contact",
    "CustomerImport",
    "IdempotencyRecord",
    "ImportRow",
    "ImportRowStatus",
    "ImportStatus",
    "Industry",
    "Job",
    "JobStatus",
    "Organization",
    "OrganizationKind",
    "OrganizationStatus",
    "Secret",
    "StatusChange",
    "TaxIdVerification",
    "TaxIdVerificationEvent",
    "TaxIdVerificationStatus",
]
