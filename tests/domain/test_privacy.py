"""Masks of personal data."""

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


def test_valid_id_number_is_normalized():
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_id_number("") == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [("1101051949123100", "18 位"), ("110105194912310021", "校验位"), ("110105194913310023", "出生日期"),
     ("11010519491231002A", "18 位")],
)
def test_bad_id_numbers_are_refused_in_chinese(raw, message):
    with pytest.raises(ResidentDataError, match=message):
        normalize_id_number(raw)


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
