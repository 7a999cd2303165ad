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
