"""Customer imports: accepting an upload, running it in the background, reading the outcome.

    start_import   checks the caller, the target reseller and the file (size, kind, and for CSV
                   every row's shape and count, in a thread), then writes the import and its job
                   in one transaction and answers at once
    run_import     the job: reads the file into PENDING rows once, then handles each row as the
                   form it is, through the very functions createCustomer and validateCustomer use
                   (so audit entries, verification jobs and events follow on their own)
    get_import     one import, if the caller may see it; list_rows its rows, paged

Each row's outcome and the import's counters are written in one transaction, conditional on
the row still being PENDING, and a real run creates each row's customer with the idempotency
key `import:<import id>:<row number>`: a worker killed anywhere resumes with the first PENDING
row, and a row whose customer was created just before the kill is answered by that key's
replay instead of a second customer. A later upload of the same file has other keys, so its
rows meet the first customers' numbers and are DUPLICATE. Two rows of one file that are the
same customer make the later one DUPLICATE in a dry run as in a real run (`repeats`); a
resumed run first relearns the numbers of the rows handled before it stopped.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from tortoise.expressions import F

from models import (
    CustomerImport,
    ImportRow,
    ImportRowStatus,
    ImportStatus,
    Organization,
    OrganizationKind,
)
from resolvers import customers
from resolvers.actors import Actor, Permission, Role, load_actor
from resolvers.atomic import atomic
from resolvers.customer_checks import check_customer, target_reseller
from resolvers.errors import DomainError, ErrorCode, FieldError, Forbidden, InvalidInput
from resolvers.imports.columns import Header, read_header, to_draft
from resolvers.imports.files import (
    FileFormat,
    FileProblem,
    Table,
    check_archive,
    read_csv,
    read_file,
    sniff,
)
from resolvers.imports.repeats import EarlierRows
from resolvers.jobs import JobContext, Queue, Task, enqueue
from resolvers.validation import validate_customer
from settings import Settings

TASK = "import_customers"
QUEUE = "imports"
FILE_FIELD = ("file",)
BATCH = 100
FINAL = (ImportStatus.COMPLETED, ImportStatus.FAILED)


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int
    max_rows: int
    currencies: tuple[str, ...]
    idempotency_ttl: int
    # What createCustomer hands on for the tax-ID check of each created customer.
    settings: Settings


@dataclass(frozen=True, slots=True)
class RowError:
    column: str | None  # the header as the file wrote it
    field: tuple[str, ...] | None  # the path inside CreateCustomerInput
    code: ErrorCode
    message: str


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: UUID
    status: ImportStatus
    dry_run: bool
    file_name: str | None
    error: str | None
    total_rows: int | None
    processed_rows: int
    created_count: int
    failed_count: int
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, m: CustomerImport) -> ImportRecord:
        return cls(
            m.id,
            ImportStatus(m.status),
            m.dry_run,
            m.file_name,
            m.error,
            m.total_rows,
            m.processed_rows,
            m.created_count,
            m.failed_count,
            m.created_at,
            m.finished_at,
        )


@dataclass(frozen=True, slots=True)
class RowRecord:
    row_number: int
    status: ImportRowStatus
    customer_id: UUID | None
    errors: tuple[RowError, ...]


def limits(settings: Settings) -> Limits:
    return Limits(
        max_bytes=settings.import_max_bytes,
        max_rows=settings.import_max_rows,
        currencies=settings.currencies,
        idempotency_ttl=settings.idempotency_ttl_seconds,
        settings=settings,
    )


# ---------------------------------------------------------------------------------------------
# Upload


async def start_import(
    *,
    actor: Actor,
    file_name: str | None,
    content: bytes,
    dry_run: bool,
    reseller_id: str | None,
    limits: Limits,
    request_id: str | None,
) -> ImportRecord:
    if not actor.can(Permission.CREATE_CUSTOMER):
        raise Forbidden("Your role does not allow creating customers.")
    _, reseller_errors = await target_reseller(actor, reseller_id)
    if len(content) > limits.max_bytes:
        raise InvalidInput([_too_large(limits.max_bytes), *reseller_errors])
    try:
        kind = sniff(content)
        if kind is FileFormat.XLSX:
            check_archive(content, limits.max_bytes)  # the rows are counted by the worker
        else:
            await asyncio.to_thread(read_csv, content, limits.max_rows)
    except FileProblem as problem:
        raise InvalidInput([FieldError(FILE_FIELD, problem.code, problem.message)]) from None
    if reseller_errors:
        raise InvalidInput(reseller_errors)
    now = datetime.now(UTC)
    row = CustomerImport(
        id=uuid4(),
        org_id=actor.org_id,
        subject=actor.subject,
        roles=",".join(sorted(actor.roles)),
        request_id=request_id,
        reseller_id=reseller_id,
        dry_run=dry_run,
        file_name=(file_name or "")[:255] or None,
        file_format=kind.value,
        content=content,
        status=ImportStatus.QUEUED,
        created_at=now,
        updated_at=now,
    )

    async def write() -> None:
        await row.save(force_create=True)
        await enqueue(TASK, {"import": str(row.id)}, queue=QUEUE)

    await atomic(write)
    return ImportRecord.of(row)


def _too_large(max_bytes: int) -> FieldError:
    return FieldError(
        FILE_FIELD,
        ErrorCode.TOO_LARGE,
        f"The file is larger than {max_bytes} bytes (PORTAL_IMPORT_MAX_BYTES); split it.",
    )


# ---------------------------------------------------------------------------------------------
# Reading


async def get_import(*, actor: Actor, id: UUID) -> ImportRecord | None:
    """The import if the caller's organization made it, or is an ancestor of the one that
    did; anyone else gets None, as for a missing ID."""
    found = await CustomerImport.get_or_none(id=id)
    if found is None or not await _may_see(actor, found.org_id):
        return None
    return ImportRecord.of(found)


async def _may_see(actor: Actor, org_id: UUID) -> bool:
    if org_id == actor.org_id or actor.org_kind is OrganizationKind.DISTRIBUTOR:
        return True
    return await Organization.filter(id=org_id, parent_id=actor.org_id).exists()


def _handled(import_id: UUID, only_failed: bool) -> Any:
    if only_failed:
        statuses = [ImportRowStatus.FAILED, ImportRowStatus.DUPLICATE]
    else:
        statuses = [s for s in ImportRowStatus if s is not ImportRowStatus.PENDING]
    return ImportRow.filter(customer_import_id=import_id, status__in=statuses)


async def list_rows(
    *, import_id: UUID, only_failed: bool, after_row: int, limit: int
) -> list[RowRecord]:
    """Handled rows after `after_row`, by row number (the caller checked visibility)."""
    rows = (
        await _handled(import_id, only_failed)
        .filter(row_number__gt=after_row)
        .order_by("row_number")
        .limit(limit)
        .values("row_number", "status", "customer_id", "errors")
    )
    return [
        RowRecord(
            r["row_number"],
            ImportRowStatus(r["status"]),
            r["customer_id"],
            tuple(
                RowError(
                    e["column"], tuple(e["field"] or ()) or None, ErrorCode(e["code"]), e["message"]
                )
                for e in json.loads(r["errors"] or "[]")
            ),
        )
        for r in rows
    ]


def _row_error(e: dict[str, Any]) -> RowError:
    field = tuple(e["field"]) if e["field"] else None
    return RowError(e["column"], field, ErrorCode(e["code"]), e["message"])


async def count_rows(*, import_id: UUID, only_failed: bool) -> int:
    return await _handled(import_id, only_failed).count()


# ---------------------------------------------------------------------------------------------
# The job


def import_task(limits: Limits, *, lease_seconds: float) -> tuple[Queue, Task]:
    async def run(ctx: JobContext) -> None:
        await run_import(UUID(ctx.payload["import"]), limits)

    async def give_up(ctx: JobContext, code: str) -> None:
        await _finish(
            UUID(ctx.payload["import"]),
            ImportStatus.FAILED,
            f"The import stopped after repeated failures ({code}); upload the file again.",
        )

    # Two imports at a time across all processes: each is a long run of small writes.
    queue = Queue(QUEUE, concurrency=2, lease_seconds=lease_seconds)
    return queue, Task(TASK, run, retry_delays=(5.0, 30.0, 120.0, 600.0), on_give_up=give_up)


async def run_import(import_id: UUID, limits: Limits) -> None:
    found = await CustomerImport.get_or_none(id=import_id)
    if found is None or found.status in FINAL:
        return
    if found.total_rows is None:
        if not await _read_rows(found, limits):
            return
        found = await CustomerImport.get(id=import_id)
    roles = frozenset(Role(r) for r in found.roles.split(",") if r in Role.__members__)
    actor = await load_actor(subject=found.subject, org_id=found.org_id, roles=roles)
    if actor is None:
        await _finish(import_id, ImportStatus.FAILED, "The uploader's organization is gone.")
        return
    header = read_header(json.loads(found.header or "[]"))
    earlier = await _earlier_rows(import_id, header, limits)
    while True:
        pending = (
            await ImportRow.filter(customer_import_id=import_id, status=ImportRowStatus.PENDING)
            .order_by("row_number")
            .limit(BATCH)
            .values("id", "row_number", "cells")
        )
        if not pending:
            break
        for row in pending:
            status, errors, customer_id = await _handle(
                actor, found, header, row["row_number"], json.loads(row["cells"]), limits, earlier
            )
            await _record(import_id, row["id"], status, errors, customer_id)
    await _finish(import_id, ImportStatus.COMPLETED, None)


_KEPT = (ImportRowStatus.CREATED, ImportRowStatus.VALID)


async def _earlier_rows(import_id: UUID, header: Header, limits: Limits) -> EarlierRows:
    """The numbers of the rows already CREATED (VALID in a dry run): none on a first run, and
    what a run killed midway had learnt when it resumes."""
    earlier = EarlierRows()
    handled = (
        await ImportRow.filter(customer_import_id=import_id, status__in=list(_KEPT))
        .order_by("row_number")
        .values("row_number", "cells")
    )
    for row in handled:
        draft, _ = to_draft(header, json.loads(row["cells"]))
        form = validate_customer(draft, currencies=limits.currencies)
        earlier.add(row["row_number"], form.normalized)
    return earlier


async def _read_rows(found: CustomerImport, limits: Limits) -> bool:
    """The file into PENDING rows, once; False when it cannot be read (the import FAILED)."""
    try:
        table: Table = await read_file(
            found.content or b"", max_rows=limits.max_rows, max_bytes=limits.max_bytes
        )
    except FileProblem as problem:
        await _finish(found.id, ImportStatus.FAILED, problem.message)
        return False
    now = datetime.now(UTC)

    async def write() -> None:
        updated = await CustomerImport.filter(id=found.id, total_rows__isnull=True).update(
            total_rows=len(table.rows),
            header=json.dumps(table.header),
            content=None,
            status=ImportStatus.RUNNING,
            updated_at=now,
        )
        if updated:  # another worker may have read it first; then its rows stand
            await ImportRow.bulk_create(
                [
                    ImportRow(
                        id=uuid4(),
                        customer_import_id=found.id,
                        row_number=number,
                        status=ImportRowStatus.PENDING,
                        cells=json.dumps(cells),
                    )
                    for number, cells in table.rows
                ],
                batch_size=500,
            )

    await atomic(write)
    return True


async def _handle(
    actor: Actor,
    found: CustomerImport,
    header: Header,
    number: int,
    cells: list[str],
    limits: Limits,
    earlier: EarlierRows,
) -> tuple[ImportRowStatus, list[RowError], UUID | None]:
    draft, cell_errors = to_draft(header, cells)
    form = validate_customer(draft, currencies=limits.currencies)
    repeats = [] if form.errors else earlier.clashes(form.normalized)
    errors: list[FieldError]
    if found.dry_run or cell_errors or repeats:
        try:
            checked = await check_customer(
                actor=actor,
                draft=draft,
                reseller_id=found.reseller_id,
                currencies=limits.currencies,
            )
            errors = checked.errors
        except DomainError as error:
            errors = error.errors
        # An unreadable industry cell is that cell's one error, not also a missing industry;
        # a number an earlier row has is that row's DUPLICATE, whatever else holds it.
        told = {e.field for e in (*cell_errors, *repeats)}
        errors = [*cell_errors, *repeats, *(e for e in errors if e.field not in told)]
        if not errors:
            earlier.add(number, form.normalized)
            return ImportRowStatus.VALID, [], None
        return _failed(errors, header)
    try:
        created = await customers.create_customer(
            actor=actor,
            draft=draft,
            reseller_id=found.reseller_id,
            idempotency_key=f"import:{found.id}:{number}",
            currencies=limits.currencies,
            idempotency_ttl=limits.idempotency_ttl,
            request_id=found.request_id,
            verification=limits.settings,
        )
    except DomainError as error:
        return _failed(error.errors, header)
    earlier.add(number, form.normalized)
    return ImportRowStatus.CREATED, [], created.customer.id


def _failed(
    errors: list[FieldError], header: Header
) -> tuple[ImportRowStatus, list[RowError], None]:
    duplicate = all(e.code is ErrorCode.DUPLICATE for e in errors)
    status = ImportRowStatus.DUPLICATE if duplicate else ImportRowStatus.FAILED
    return (
        status,
        [RowError(header.label(e.field), e.field, e.code, e.message) for e in errors],
        None,
    )


async def _record(
    import_id: UUID,
    row_id: UUID,
    status: ImportRowStatus,
    errors: list[RowError],
    customer_id: UUID | None,
) -> None:
    """The row's outcome and the counters together, once (a second worker changes nothing)."""
    encoded = json.dumps(
        [
            {"column": e.column, "field": e.field, "code": e.code.value, "message": e.message}
            for e in errors
        ]
    )
    ok = status in _KEPT

    async def write() -> None:
        updated = await ImportRow.filter(id=row_id, status=ImportRowStatus.PENDING).update(
            status=status, errors=encoded if errors else None, customer_id=customer_id
        )
        if updated:
            await CustomerImport.filter(id=import_id).update(
                processed_rows=F("processed_rows") + 1,
                created_count=F("created_count") + int(status is ImportRowStatus.CREATED),
                failed_count=F("failed_count") + int(not ok),
                updated_at=datetime.now(UTC),
            )

    await atomic(write)


async def _finish(import_id: UUID, status: ImportStatus, error: str | None) -> None:
    now = datetime.now(UTC)
    await CustomerImport.filter(id=import_id, status__not_in=list(FINAL)).update(
        status=status, error=error, content=None, finished_at=now, updated_at=now
    )
