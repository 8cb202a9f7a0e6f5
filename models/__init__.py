"""Persistence: Tortoise models and their migrations. Imports neither resolvers nor graph."""

from models.enums import Industry, JobStatus, OrganizationKind, OrganizationStatus
from models.history import StatusChange
from models.idempotency import IdempotencyRecord
from models.job import Job
from models.organization import Address, Contact, Organization
from models.secret import Secret

__models__ = [Organization, Address, Contact, StatusChange, IdempotencyRecord, Secret, Job]

__all__ = [
    "Address",
    "Contact",
    "IdempotencyRecord",
    "Industry",
    "Job",
    "JobStatus",
    "Organization",
    "OrganizationKind",
    "OrganizationStatus",
    "Secret",
    "StatusChange",
]
