"""CSRF protection for every form the pages post (the proposal forms, sign-in and sign-out, the
review and edit forms): the *signed double-submit cookie* pattern, as Datasette's asgi-csrf does it.

- The browser gets a random value in the ``kp_csrf`` cookie (HttpOnly, SameSite=Strict, Secure
  over https); each form carries ``csrftoken``, that value signed with the service's key
  (``service.signing``). A POST is accepted only if the field's signature is good *and* it signs
  the cookie's value: another site can make a browser send the cookie, but cannot read it or forge
  the field. Otherwise the answer is ``403``.
- A browser that says the request comes from another site (``Sec-Fetch-Site: cross-site``) is
  refused whatever it sends.

The JSON API needs none of this: it takes bearer tokens, which a browser never adds by itself.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature

from . import signing

COOKIE = "kp_csrf"
FIELD = "csrftoken"
PURPOSE = "csrf"


class CsrfRefused(Exception):
    """A form post without a valid CSRF token (the service answers 403)."""


def _value(request: Request) -> str:
    """This browser's CSRF value: its cookie, or a new one (set on the response by ``attach``)."""
    value = getattr(request.state, "csrf_value", None)
    if value is None:
        value = request.cookies.get(COOKIE, "")
        if not (16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()):
            value = secrets.token_urlsafe(24)
            request.state.csrf_new = True
        request.state.csrf_value = value
    return value


def token(request: Request) -> str:
    """The ``csrftoken`` a form of this page carries."""
    return signing.plain(request, PURPOSE).dumps(_value(request))


def attach(request: Request, response: Response) -> Response:
    """Set the cookie if this request made a new value (call on every page with a form)."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(COOKIE, request.state.csrf_value, httponly=True, samesite="strict",
                            secure=signing.secure(request), path="/")
    return response


def verify(request: Request, submitted: str | None) -> None:
    """Raise ``CsrfRefused`` unless ``submitted`` is a good token for this browser's cookie."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        raise CsrfRefused("the form was sent from another site")
    cookie = request.cookies.get(COOKIE, "")
    if not submitted or not cookie:
        raise CsrfRefused("the form has no CSRF token (or the browser sent no cookie)")
    try:
        signed = signing.plain(request, PURPOSE).loads(submitted)
    except BadSignature:
        raise CsrfRefused("the form's CSRF token is not valid") from None
    if not isinstance(signed, str) or not hmac.compare_digest(signed.encode(), cookie.encode()):
        raise CsrfRefused("the form's CSRF token belongs to another browser session")
