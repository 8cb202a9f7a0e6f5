"""Persistence: Tortoise models and their migrations. Imports neither resolvers nor graph."""

from models.customer_import import CustomerImport, ImportRow
from models.enums import (
    ImportRowStatus,
    ImportStatus,
    Industry,
    JobStatus,
    OrganizationKind,
    OrganizationStatus,
)
from models.history import StatusChange
from models.idempotency import IdempotencyRecord
from models.job import Job
from models.organization import Address, Contact, Organization
from models.secret import Secret

__models__ = [
    Organization,
    Address,
    Contact,
    StatusChange,
    IdempotencyRecord,
    Secret,
    Job,
    CustomerImport,
    ImportRow,
]

__all__ = [
    "Address",
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
]
