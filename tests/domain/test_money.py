"""Yuan typed by people become exact fen."""

import pytest

from center.domain.money import MoneyError, parse_yuan, yuan, yuan_plain


@pytest.mark.parametrize(("text", "fen"), [("15", 1500), ("15.5", 1550), ("15.50", 1550), ("￥0.01", 1), ("1,000", 100000),
                                           (" 12元 ", 1200)])
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-1", "0", "1000.01", "NaN", "Infinity", "1e3"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_yuan_display():
    assert yuan(1550) == "15.50" and yuan(5) == "0.05" and yuan(-1500) == "-15.00" and yuan(0) == "0.00"


@pytest.mark.parametrize(("fen", "shown", "typed"), [
    (1234500, "12,345.00", "12345.00"),      # large amounts are read with thousands separators
    (100000, "1,000.00", "1000.00"),
    (99999, "999.99", "999.99"),
    (-123456789, "-1,234,567.89", "-1234567.89"),
])
def test_amounts_read_with_separators_and_fields_hold_plain_digits(fen, shown, typed):
    assert yuan(fen) == shown
    assert yuan_plain(fen) == typed


@pytest.mark.parametrize("fen", [1, 1500, 20000, 100000])
def test_a_field_prefilled_with_yuan_plain_reads_back_as_the_same_fen(fen):
    assert parse_yuan(yuan_plain(fen)) == fen
