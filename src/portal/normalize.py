"""What registrants type, in the forms it arrives in: full-width digits (１２３４５６),
half-width katakana (ｾﾝｺｳｲ), hyphens of every width. NFKC folds them to one form so a
duplicate 医籍登録番号 is found however it was typed. Pure functions: forms and services both
use them."""
from __future__ import annotations

import re
import unicodedata

# Dashes a Japanese keyboard or IME may produce in a phone number or postal code.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\uff70-]")
_SPACES = re.compile(r"\s+")
# Full-width katakana, the long-vowel mark, the middle dot and spaces between names.
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fb ]+$")

REGISTRATION_NUMBER_MAX_DIGITS = 8


def nfkc(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def code(value: str | None) -> str:
    """A number or code someone types (会員番号, 認定番号, a login ID, an e-mail address):
    「１００００１」 and "100001" are one value. Not for names, which keep their characters."""
    return nfkc(value)


def count(value: str | None) -> str:
    """A count typed as 「３５０」, "1,200" or 「１，２００」: digits, the separators dropped. Anything
    else is returned folded, for the rule that reads it to refuse."""
    folded = _SPACES.sub("", nfkc(value))
    plain = folded.replace(",", "")
    return plain if plain.isascii() and plain.isdigit() else folded


def registration_number(value: str | None) -> str:
    """Digits only, without spaces or leading zeros: 「０１２３４５６」 and "123456" are one number."""
    digits = _SPACES.sub("", nfkc(value))
    return digits.lstrip("0") if digits.isascii() and digits.isdigit() else digits


def is_registration_number(value: str) -> bool:
    return (value.isascii() and value.isdigit() and not value.startswith("0")
            and len(value) <= REGISTRATION_NUMBER_MAX_DIGITS)


def kana(value: str | None) -> str:
    """Half-width katakana and hiragana become full-width katakana; any run of spaces
    becomes one half-width space."""
    folded = _SPACES.sub(" ", nfkc(value))
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in folded)


def is_katakana(value: str) -> bool:
    return bool(_KATAKANA.match(value))


def postal_code(value: str | None) -> str:
    """"1234567", "１２３－４５６７" -> "123-4567"; anything else is returned for the form to refuse."""
    digits = _DASHES.sub("", _SPACES.sub("", nfkc(value)))
    if len(digits) == 7 and digits.isascii() and digits.isdigit():
        return f"{digits[:3]}-{digits[3:]}"
    return nfkc(value)


def is_postal_code(value: str) -> bool:
    return bool(re.fullmatch(r"\d{3}-\d{4}", value))


def phone(value: str | None) -> str:
    return _DASHES.sub("-", _SPACES.sub("", nfkc(value)))


def is_phone(value: str) -> bool:
    """Japanese numbers: 10 digits (fixed lines) or 11 (mobile), hyphens optional."""
    digits = value.replace("-", "")
    return bool(re.fullmatch(r"[0-9-]+", value)) and digits.startswith("0") and len(digits) in (10, 11)


def name(value: str | None) -> str:
    """Not NFKC-folded: a name keeps the characters printed on the licence (compatibility
    ideographs included). Only the space between family and given name is made one."""
    return _SPACES.sub(" ", (value or "").replace("\u3000", " ")).strip()


# What no text field may hold: NUL and the other C0 controls, DEL and the C1 controls (a NUL
# is refused by PostgreSQL, the rest hide in a label or a mail header), and the bidi overrides
# and isolates that make a name read backwards on screen (U+202E "RLO"). Tab and newline are
# text only where the field is multi-line.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")



def has_control_characters(value: str, multiline: bool = False) -> bool:
    """True when `value` holds a character no text field stores (see _CONTROLS). A
    multi-line value may hold tab, LF and CR (CR is folded by `newlines`)."""
    pattern = _CONTROLS if multiline else _CONTROLS_SINGLE_LINE
    return bool(pattern.search(value.replace("\r", "\n") if multiline else value))


def newlines(value: str | None) -> str | None:
    """Browsers post a textarea with CRLF; one kind of line end is stored: LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


# The largest id or count any column holds: PostgreSQL's `integer` (SQLite would take 2**63-1,
# and a larger Python int raises OverflowError in the driver).
DB_INT_MAX = 2**31 - 1


def bounded_int(raw: str | None, minimum: int = 1, maximum: int = DB_INT_MAX) -> int | None:
    """An integer typed in ASCII digits (optional minus) within [minimum, maximum], else None:
    a query-string number is read once, here, before any of it reaches SQL."""
    raw = (raw or "").strip()
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(DB_INT_MAX)) + 1:
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def without_controls(value: str | None) -> str:
    """A search term with the characters no field stores dropped: it can match nothing stored,
    and PostgreSQL refuses a NUL in a statement."""
    return _CONTROLS_SINGLE_LINE.sub("", value or "")
