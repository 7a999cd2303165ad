"""Masking of residents' personal data: ID-card numbers, phones, names (shown masked unless revealed)."""

from __future__ import annotations


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
