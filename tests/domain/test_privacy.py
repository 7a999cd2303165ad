"""Masks of personal data."""

from datetime import date

import pytest

from center.domain.privacy import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("110101195001011234", "110***********1234"), ("11010119500101123X", "110***********123X"), ("", ""), (None, "")],
)
def test_mask_id_number(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [("13812345678", "138****5678"), ("0543-4321001", "054*****1001"), ("", "")])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧***"), ("李", "李")])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


from center.domain.privacy import ResidentDataError, normalize_id_number, normalize_name, normalize_phone  # noqa: E402


TODAY = date(2026, 12, 9)


def test_valid_id_number_is_normalized():
    assert normalize_id_number(" 11010519491231002x ", today=TODAY) == "11010519491231002X"
    assert normalize_id_number("", today=TODAY) == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [("1101051949123100", "18 位"), ("110105194912310021", "校验位"), ("110105194913310023", "出生日期"),
     ("11010519491231002A", "18 位")],
)
def test_bad_id_numbers_are_refused_in_chinese(raw, message):
    with pytest.raises(ResidentDataError, match=message):
        normalize_id_number(raw, today=TODAY)


@pytest.mark.parametrize(("raw", "valid"), [
    ("370302205001011230", False),  # born 1 Jan 2050: a valid checksum, a date that has not come
    ("370302202612101231", False),  # born tomorrow
    ("37030220261209123X", True),  # born today: a newborn's number
    ("11010519491231002X", True),
])
def test_a_birth_date_after_today_is_not_a_birth_date(raw, valid):
    """The date check takes today as a parameter (rules never read the clock)."""
    if valid:
        assert normalize_id_number(raw, today=TODAY) == raw
    else:
        with pytest.raises(ResidentDataError, match="^身份证号中的出生日期无效$") as refused:
            normalize_id_number(raw, today=TODAY)
        assert refused.value.field == "id_number"


def test_phones():
    assert normalize_phone("138 1234 5678") == "13812345678"
    assert normalize_phone("0543-4321001") == "0543-4321001"
    for bad in ("1381234567", "abc", "12345"):
        with pytest.raises(ResidentDataError):
            normalize_phone(bad)


def test_names():
    assert normalize_name("  张  三 ", required=True) == "张 三"
    with pytest.raises(ResidentDataError):
        normalize_name("", required=True)
    with pytest.raises(ResidentDataError):
        normalize_name("长" * 41, required=False)


def resident(**overrides):
    from center.domain.privacy import normalize_resident

    values = dict(name="张桂英", id_number="11010519491231002X", phone="13812345678", name_required=True, today=TODAY)
    values.update(overrides)
    return normalize_resident(values.pop("name"), values.pop("id_number"), values.pop("phone"), **values)


def test_the_resident_data_passes_as_typed_when_right():
    assert resident(phone="138 1234 5678") == ("张桂英", "11010519491231002X", "13812345678")


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"name": ""}, {"resident_name": "请填写居民姓名"}),
    ({"name": "", "id_number": "370302205001011230", "phone": "138x"},
     {"resident_name": "请填写居民姓名", "id_number": "身份证号中的出生日期无效",
      "phone": "电话号码只能包含数字、空格和连字符（-）"}),
    ({"id_number": "12345", "phone": "999"},
     {"id_number": "身份证号须为 18 位（最后一位可为 X）", "phone": "请填写 11 位手机号或带区号的固定电话"}),
])
def test_every_wrong_field_is_told_at_once_in_the_forms_order(overrides, errors):
    from center.domain.privacy import ResidentDataErrors

    with pytest.raises(ResidentDataErrors) as refused:
        resident(**overrides)
    assert refused.value.errors == errors and list(refused.value.errors) == list(errors)
    assert refused.value.field == next(iter(errors)) and str(refused.value) == next(iter(errors.values()))
