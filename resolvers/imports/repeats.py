"""Rows of one file that are the same customer: the later one is DUPLICATE of the earlier.

The real run creates the first such row, and the second then meets that customer's numbers;
a dry run writes nothing, so without this it would call both VALID. Both runs therefore
remember the numbers (`customer_checks.numbers_of`, canonical forms: the very ones
createCustomer's duplicate check compares) of every row that is, or in a dry run would be,
created, and answer a later row with the same number DUPLICATE naming the earlier row, the
same in either run. A row that failed is not remembered: it creates nothing to clash with.
"""

from __future__ import annotations

from resolvers.customer_checks import numbers_of
from resolvers.errors import ErrorCode, FieldError
from resolvers.validation import CustomerDraft


class EarlierRows:
    def __init__(self) -> None:
        self._rows: dict[tuple[str, tuple[object, ...]], int] = {}

    def clashes(self, data: CustomerDraft) -> list[FieldError]:
        """DUPLICATE for each number of `data` (a valid, normalized form) an earlier row has."""
        errors = []
        for field, label, value in numbers_of(data):
            row = self._rows.get((field, value))
            if row is not None:
                message = f"Row {row} of this file already has this {label}: it is one customer."
                errors.append(FieldError((field,), ErrorCode.DUPLICATE, message))
        return errors

    def add(self, row_number: int, data: CustomerDraft) -> None:
        for field, _, value in numbers_of(data):
            self._rows.setdefault((field, value), row_number)
