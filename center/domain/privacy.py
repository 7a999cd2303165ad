"""Masking of residents' personal data: ID-card numbers, phones, names (shown masked unless revealed)."""

from __future__ import annotations

from datetime import date


def mask_id_number(value: str | None) -> str:
    """Keep the first 3 and last 4 characters of an ID-card number: 110***********1234."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits of a phone number: 138****5678."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def phone_tail(value: str | None) -> str:
    """The last 4 digits of a phone number (what a resident reads out to find their case); '' without 4 digits."""
    digits = "".join(c for c in (value or "") if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def mask_name(value: str | None) -> str:
    """Keep the family name (first character) of a Chinese name: 张** / 欧阳*."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 1)


class ResidentDataError(ValueError):
    """Bad personal data typed at the counter; the message is Chinese, `field` names the field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_birth_date(value: str):
    """The birth date written in an 18-digit ID-card number (GB 11643), or None if it is not a date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID-card number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def normalize_id_number(value: str | None, *, today: date) -> str:
    """Validate a resident ID-card number (18 characters, GB 11643 checksum, a birth date that exists and is not
    after `today`: nobody is born in the future); '' if empty."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ResidentDataError("身份证号须为 18 位（最后一位可为 X）", "id_number")
    born = id_number_birth_date(value)
    if born is None or born > today:
        raise ResidentDataError("身份证号中的出生日期无效", "id_number")
    if id_check_digit(value[:17]) != value[17]:
        raise ResidentDataError("身份证号校验位不正确，请核对", "id_number")
    return value


def normalize_phone(value: str | None) -> str:
    """A mobile number (11 digits starting with 1) or a landline like 0543-4321001; '' if empty."""
    value = (value or "").strip().replace(" ", "")
    if not value:
        return ""
    digits = value.replace("-", "")
    if not digits.isdigit():
        raise ResidentDataError("电话号码只能包含数字、空格和连字符（-）", "phone")
    if digits.startswith("1"):
        if len(digits) != 11:
            raise ResidentDataError("手机号须为 11 位数字", "phone")
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return value
    raise ResidentDataError("请填写 11 位手机号或带区号的固定电话", "phone")


def normalize_name(value: str | None, *, required: bool) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ResidentDataError("请填写居民姓名", "resident_name")
    if len(value) > 40:
        raise ResidentDataError("姓名不能超过 40 个字", "resident_name")
    return value


def normalize_resident(name: str | None, id_number: str | None, phone: str | None, *, name_required: bool,
                       today: date) -> tuple[str, str, str]:
    """The resident's name, ID-card number and phone, each checked as above; every wrong one is told at once
    (ResidentDataErrors, in the form's order), not one per submission."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    checks = (("resident_name", lambda: normalize_name(name, required=name_required)),
              ("id_number", lambda: normalize_id_number(id_number, today=today)),
              ("phone", lambda: normalize_phone(phone)))
    for field, check in checks:
        try:
            values[field] = check()
        except ResidentDataError as exc:
            errors[exc.field or field] = str(exc)
    if errors:
        raise ResidentDataErrors(errors)
    return values["resident_name"], values["id_number"], values["phone"]


class ResidentDataErrors(ResidentDataError):
    """Several fields of the resident's data are wrong: `errors` maps each field to its message, first one first."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = dict(errors)
