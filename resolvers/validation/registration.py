"""Registration numbers (chamber of commerce / company register), per the country's rule.

Countries with a rule (python-stdnum or a published format) are checked and stored in a
compact canonical form; every other country takes 1-64 characters, stored upper-cased with
letters and digits only (`compact_free`), so separators never make two numbers of one.
Rules:
- NL KvK: exactly 8 digits (stdnum has no KvK module; the number has no check digit).
- BE enterprise number: 10 digits with the mod-97 check, which is the BE VAT number's.
- DE Handelsregisternummer: stdnum wants court + register + number ("München HRB 123456").
  Lenient on purpose: a leading "Amtsgericht" is dropped, and register + number without a
  court ("HRB 123456") is accepted, because resellers often only have that from invoices.
- FR SIREN: 9 digits, Luhn. A SIRET (SIREN + 5-digit establishment) and the RCS form
  ("RCS Nancy B 323 159 715", stdnum.fr.rcs) are accepted and stored as their SIREN, since
  the company, not the establishment or the court, is the customer.
- GB Companies House: 8 characters, 8 digits or 2 letters + 6 digits ("SC123456");
  shorter all-digit numbers are left-padded with zeros ("1234567" -> "01234567").
- US: no federal company register, so free text.
- Wherever python-stdnum has a module for the company number, its validate + compact:
  AT Firmenbuch, AU ACN, BR CNPJ, CH UID, CN USCC, DK CVR, EE registrikood, ES CIF,
  FI Y-tunnus, IL company number, IS kennitala, JP corporate number, KR BRN, MD IDNO,
  NO/SE orgnr, PL REGON, RO ONRC, RU OGRN, SG UEN, SI matična številka, TH MOA, TW UBN,
  UA EDRPOU.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from stdnum.at import businessid as at_businessid
from stdnum.au import acn as au_acn
from stdnum.be import vat as be_vat
from stdnum.br import cnpj as br_cnpj
from stdnum.ch import uid as ch_uid
from stdnum.cn import uscc as cn_uscc
from stdnum.de import handelsregisternummer as de_hr
from stdnum.dk import cvr as dk_cvr
from stdnum.ee import registrikood as ee_registrikood
from stdnum.es import cif as es_cif
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.fr import rcs as fr_rcs
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.il import hp as il_hp
from stdnum.is_ import kennitala as is_kennitala
from stdnum.jp import cn as jp_cn
from stdnum.kr import brn as kr_brn
from stdnum.md import idno as md_idno
from stdnum.no import orgnr as no_orgnr
from stdnum.pl import regon as pl_regon
from stdnum.ro import onrc as ro_onrc
from stdnum.ru import ogrn as ru_ogrn
from stdnum.se import orgnr as se_orgnr
from stdnum.sg import uen as sg_uen
from stdnum.si import maticna as si_maticna
from stdnum.th import moa as th_moa
from stdnum.tw import ubn as tw_ubn
from stdnum.ua import edrpou as ua_edrpou

from resolvers.errors import ErrorCode

from .text import Checked, Path, compact_free, fail

if TYPE_CHECKING:
    from stdnum.util import NumberValidationModule

_NOISE = re.compile(r"[\s.\-/]")
_DE_COURT_WORDS = re.compile(r"^(?:AMTSGERICHT|AG)\s+", re.IGNORECASE)
_DE_WITHOUT_COURT = re.compile(r"^(HRA|HRB|GNR|PR|VR)[\s.\-]*(\d{1,6})(?:\s*([A-Z]{1,2}))?$")
# Explicit [0-9]: str.isdigit and \d also accept Arabic-Indic and other non-ASCII digits.
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
_GB_DIGITS = re.compile(r"[0-9]{1,8}")
_GB_PREFIXED = re.compile(r"[A-Z]{2}[0-9]{6}")

Rule = Callable[[str], str]
"""Takes trimmed text, returns the canonical number or raises a stdnum ValidationError."""


def _nl_kvk(text: str) -> str:
    digits = _NOISE.sub("", text)
    if not _EIGHT_DIGITS.fullmatch(digits):
        raise InvalidFormat("A KvK number is exactly 8 digits, e.g. 17048595.")
    return digits


def _be_enterprise(text: str) -> str:
    return str(be_vat.validate(text))


def _de_handelsregister(text: str) -> str:
    collapsed = " ".join(text.split())
    for candidate in (collapsed, _DE_COURT_WORDS.sub("", collapsed)):
        try:
            return str(de_hr.validate(candidate))
        except (InvalidFormat, InvalidComponent):
            continue
    match = _DE_WITHOUT_COURT.match(collapsed.upper())
    if match is None:
        raise InvalidFormat("Use court, register and number, e.g. 'München HRB 123456'.")
    register, number, suffix = match.groups()
    register = "GnR" if register == "GNR" else register
    return " ".join(part for part in (register, number, suffix) if part)


def _fr_siren(text: str) -> str:
    if text[:3].upper() == "RCS":
        return str(fr_rcs.to_siren(fr_rcs.validate(text)))
    digits = _NOISE.sub("", text)
    if len(digits) == 14:
        return str(fr_siret.validate(digits))[:9]
    return str(fr_siren.validate(digits))


def _gb_companies_house(text: str) -> str:
    compact = _NOISE.sub("", text.upper())
    if _GB_DIGITS.fullmatch(compact):
        return compact.zfill(8)
    if _GB_PREFIXED.fullmatch(compact):
        return compact
    raise InvalidFormat("A Companies House number is 8 digits or 2 letters + 6 digits.")


def _stdnum(module: NumberValidationModule) -> Rule:
    def rule(text: str) -> str:
        return module.compact(module.validate(text))

    return rule


# The company-number module of every country python-stdnum has one for (and no rule below).
STDNUM_MODULES: dict[str, NumberValidationModule] = {
    "AT": at_businessid,
    "AU": au_acn,
    "BR": br_cnpj,
    "CH": ch_uid,
    "CN": cn_uscc,
    "DK": dk_cvr,
    "EE": ee_registrikood,
    "ES": es_cif,
    "FI": fi_ytunnus,
    "IL": il_hp,
    "IS": is_kennitala,
    "JP": jp_cn,
    "KR": kr_brn,
    "MD": md_idno,
    "NO": no_orgnr,
    "PL": pl_regon,
    "RO": ro_onrc,
    "RU": ru_ogrn,
    "SE": se_orgnr,
    "SG": sg_uen,
    "SI": si_maticna,
    "TH": th_moa,
    "TW": tw_ubn,
    "UA": ua_edrpou,
}

RULES: dict[str, Rule] = {
    "NL": _nl_kvk,
    "BE": _be_enterprise,
    "DE": _de_handelsregister,
    "FR": _fr_siren,
    "GB": _gb_companies_house,
    **{country: _stdnum(module) for country, module in STDNUM_MODULES.items()},
}


def check_registration_number(text: str, country: str, path: Path) -> Checked:
    """`text` is trimmed and at most 64 characters; `country` a valid alpha-2 code."""
    # NFKC turns full-width digits and letters (typed with East Asian IMEs) into ASCII.
    text = unicodedata.normalize("NFKC", text)
    rule = RULES.get(country)
    if rule is None:
        compact = compact_free(text)
        if not compact:
            return fail(
                path,
                ErrorCode.INVALID_FORMAT,
                f"'{text}' is not a valid registration number: it holds no letters or digits.",
                text,
            )
        return Checked(compact)
    try:
        return Checked(rule(text))
    except InvalidChecksum:
        return fail(
            path,
            ErrorCode.INVALID_CHECKSUM,
            f"'{text}' is not a valid registration number: its check digit is wrong.",
            text,
        )
    except (InvalidFormat, InvalidLength, InvalidComponent, ValueError) as exc:
        # stdnum errors subclass ValueError; the base also covers a module that slips one.
        reason = str(exc)
        return fail(
            path,
            ErrorCode.INVALID_FORMAT,
            f"'{text}' is not a valid registration number: {reason}",
            text,
        )
