"""Reading submitted forms: every field as typed (to re-render on error), numbers parsed without a 500."""

from __future__ import annotations

from litestar import Request


def parse_day(raw: str | None):
    """A date field's value (YYYY-MM-DD) as a date, or None when empty or not a date."""
    from datetime import date
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def optional_int(raw: str | None) -> int | None:
    """A number from a query or a field; empty (a plain form's 全部 option sends "") or not a number means none,
    so a filter left at 全部 shows everything instead of answering 400."""
    text = (raw or "").strip()[:18]
    try:
        return int(text) if text else None
    except ValueError:
        return None


class FormData:
    def __init__(self, data):
        self._data = data

    @classmethod
    async def read(cls, request: Request) -> "FormData":
        return cls(await request.form())

    def text(self, key: str, default: str = "", limit: int = 5000) -> str:
        value = self._data.get(key, default)
        return str(value)[:limit] if value is not None else default

    def int(self, key: str) -> int | None:
        try:
            return int(str(self._data.get(key, "")).strip())
        except (TypeError, ValueError):
            return None

    def texts(self, key: str, limit: int = 500) -> list[str]:
        """Every value of a repeated field, in order (material rows, checkboxes)."""
        return [str(v)[:limit] for v in self._data.getall(key, [])]

    def ints(self, key: str) -> list[int]:
        values = []
        for raw in self.texts(key):
            try:
                values.append(int(str(raw).strip()))
            except ValueError:
                continue
        return values

    def file(self, key: str):
        """An uploaded file (a multipart form's UploadFile), or None when none was chosen."""
        value = self._data.get(key)
        return value if hasattr(value, "read") and getattr(value, "filename", "") else None

    def flag(self, key: str) -> bool:
        return str(self._data.get(key, "")).lower() in {"1", "on", "true", "yes"}

    def items(self) -> list[tuple[str, object]]:
        """Every (name, value) pair in the order sent, repeated fields included."""
        return list(self._data.multi_items())

    def as_dict(self) -> dict:
        return {k: self._data.get(k) for k in self._data.keys()}
