"""Pure rules of the center: plain values in, plain values out; no web, no database, no clock."""


class DomainError(Exception):
    """A rule was broken; the message is Chinese and safe to show to the person who acted.

    `field` names the form field the message is about (e.g. "id_number"), so the form can mark that field and put
    the cursor there; None when the message is about the whole form. `errors` maps every wrong field to its message
    when several are wrong at once (the form marks them all; `field` and the message are the first).
    """

    def __init__(self, *args: object, field: str | None = None, errors: dict[str, str] | None = None) -> None:
        if errors and not args:
            args = (next(iter(errors.values())),)
        super().__init__(*args)
        self.field = field if field is not None or not errors else next(iter(errors))
        self.errors = dict(errors or {})


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class AccessDenied(DomainError):
    """The asker may not see or change this object (another center's data, another owner's case)."""
