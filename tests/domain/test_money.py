"""Yuan typed by people become exact fen."""

import pytest

from center.domain.money import MoneyError, parse_yuan, yuan


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
