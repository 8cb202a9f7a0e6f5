"""Contact details: email address and phone number, plus the phone display form.

Email syntax only (email-validator without DNS: validation must stay pure and fast); the
stored form lower-cases the domain and keeps the local part as typed, because some mail
servers treat local parts case-sensitively. Phones are parsed with the address country as
default region and stored in E.164.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from resolvers.errors import ErrorCode

from .text import Checked, Path, fail

EMAIL_MAX = 254


def check_email(text: str, path: Path) -> Checked:
    """`text` is trimmed and at most EMAIL_MAX characters."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return fail(path, ErrorCode.INVALID_EMAIL, f"'{text}' is not a valid email: {exc}", text)
    return Checked(f"{result.local_part}@{result.domain}")


def check_phone(text: str, region: str | None, path: Path) -> Checked:
    """`region` is the address country when valid. Without one, a national number cannot be
    judged: it passes unchecked so the country error is the only one the user sees."""
    if region is None and not text.startswith("+"):
        return Checked(text)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return fail(path, ErrorCode.INVALID_PHONE, f"'{text}' is not a valid phone number.", text)
    return Checked(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def format_phone(e164: str) -> str:
    """International display form ("+31 40 250 6000"); unparseable input comes back as is,
    since this is used for display of stored data and must not fail."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
