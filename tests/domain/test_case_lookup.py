"""Finding a case at the counter: what was typed is read as a case code, a phone tail, a phone or a name."""

import pytest

from center.domain.cases import CaseLookup, LookupKind, case_lookup
from center.domain.privacy import phone_tail


@pytest.mark.parametrize(("typed", "expected"), [
    # the 6-character code on the slip, in any case, with stray spaces
    ("K7M2QX", CaseLookup(LookupKind.code, "K7M2QX")),
    ("k7m2qx", CaseLookup(LookupKind.code, "K7M2QX")),
    (" K7M 2QX ", CaseLookup(LookupKind.code, "K7M2QX")),
    # the last 4 digits of the phone a resident reads out, or the whole mobile number
    ("5678", CaseLookup(LookupKind.phone_tail, "5678")),
    ("138 1234 5678", CaseLookup(LookupKind.phone, "13812345678")),
    ("138-1234-5678", CaseLookup(LookupKind.phone, "13812345678")),
    # a full name in Chinese characters (欧阳 names and 少数民族 names with ·)
    ("张桂英", CaseLookup(LookupKind.name, "张桂英")),
    ("欧阳修", CaseLookup(LookupKind.name, "欧阳修")),
    ("阿依·买买提", CaseLookup(LookupKind.name, "阿依·买买提")),
])
def test_what_a_worker_types_is_read_as_a_way_to_find_a_case(typed, expected):
    assert case_lookup(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "  ",
    "K7M2Q",  # 5 characters: not a code
    "K7M2QXY",  # 7
    "K7M2Q0",  # 0 and O, 1 and I are never in a code
    "KIM2QX",
    "lnz", "laonian", "SB04",  # pinyin and item codes are for the catalog
    "567", "56789", "1381234567",  # neither a tail nor a mobile number
    "张",  # one character is a family name, not a name
    "社保卡办理指南社保卡办理指南社保卡办理指南",  # longer than any name
])
def test_anything_else_is_not_a_case_lookup(typed):
    assert case_lookup(typed) is None


@pytest.mark.parametrize(("phone", "tail"), [
    ("13812345678", "5678"), ("0543-4321001", "1001"), ("", ""), ("12", ""),
])
def test_the_phone_tail_is_its_last_four_digits(phone, tail):
    assert phone_tail(phone) == tail
