"""Persistence: Tortoise models and their migrations. Imports neither resolvers nor graph."""

from models.audit import AuditEntry
from models.customer_import import CustomerImport, ImportRow
from models.enums import (
    AuditAction,
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

__models__ = [
    Organization,
    Address,
    Contact,
    StatusChange,
    AuditEntry,
    IdempotencyRecord,
    Secret,
    Job,
    CustomerImport,
    ImportRow,
    TaxIdVerification,
    TaxIdVerificationEvent,
]

__all__ = [
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
