"""Reading what a web form posts: bounded, CSRF-checked, as plain fields.

Every POST route of the pages reads its body through ``read`` (one place for the three checks):
the body is at most ``KNOOPPUNT_MAX_FORM_BYTES`` and arrives in time (413 / 408 otherwise,
``service.bodies``), it is
``application/x-www-form-urlencoded`` (415 otherwise; the forms send nothing else) with at most
``MAX_FIELDS`` fields, and it carries a valid ``csrftoken`` (``service.csrf``; 403 otherwise).
Refusals are ``FormRefused`` and answered with a Dutch page of the same status (``pages.error``).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from . import bodies, csrf

MAX_FIELDS = 400
FORM_TYPE = "application/x-www-form-urlencoded"


class FormRefused(Exception):
    def __init__(self, status: int, title: tuple[str, str], detail: tuple[str, str], headers: dict | None = None) -> None:
        super().__init__(detail[1])
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}


async def read(request: Request) -> dict[str, list[str]]:
    """The posted fields (name -> values in order), after the size, type and CSRF checks."""
    limit = request.app.state.settings.max_form_bytes
    declared = request.headers.get("content-length", "")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM_TYPE and (kind or declared not in ("", "0")):  # an empty post is an empty form
        raise FormRefused(415, ("Onbekend formaat", "Unsupported media type"),
                          ("Dit adres leest alleen formulieren.", "This address only reads web forms."))
    try:
        body = await bodies.read_body(request, limit, what="the form")
    except bodies.BodyError as exc:
        raise FormRefused(exc.status, ("Formulier niet ontvangen", exc.title), (
            f"Een formulier is ten hoogste {limit} bytes en komt binnen enkele seconden aan.", exc.detail)) from None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_FIELDS, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise FormRefused(400, ("Onleesbaar formulier", "Unreadable form"),
                          ("Het formulier kon niet worden gelezen.", "The form could not be read.")) from None
    fields: dict[str, list[str]] = {}
    for k, v in pairs:
        fields.setdefault(k, []).append(v)
    try:
        csrf.verify(request, (fields.pop(csrf.FIELD, None) or [None])[0])
    except csrf.CsrfRefused as exc:
        raise FormRefused(403, ("Formulier geweigerd", "Form refused"), (
            "Dit formulier is verlopen of kwam niet van deze website. Laad de pagina opnieuw en probeer het nog eens.",
            f"This form has expired or did not come from this site ({exc}). Reload the page and try again.")) from None
    return fields


def one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]
