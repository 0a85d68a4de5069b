"""Sign-in for curators in the browser: one module owns it (as Datasette's ``actor_auth_cookie``).

Editors and admins sign in at ``/inloggen`` with their token (the 256-bit secret of ``knooppunt
token create``; it *is* the password, so no second secret is kept). A good token with scope
``editor`` or ``admin`` gets a session cookie ``kp_session``:

- its value is the token's *name* and a fingerprint of the stored token (``TokenFile.fingerprint``),
  signed with a timestamp by itsdangerous (``service.signing``): never the token itself;
- ``HttpOnly``, ``SameSite=Strict``, ``Secure`` when the page was served over https, ``Max-Age``
  ``KNOOPPUNT_SESSION_MAX_AGE`` (8 hours): the signature's age is checked as well, so an old cookie
  kept by a browser does not outlive it;
- on every request the token is looked up again: revoking it (``knooppunt token revoke``), or
  replacing it under the same name, ends its sessions at once.

Sign-out (``POST /uitloggen``) removes the cookie. Both forms carry a CSRF token (``service.csrf``),
and sign-in attempts are rate-limited per client (``KNOOPPUNT_SIGNIN_RATE``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, SignatureExpired
from knooppunt.graph.tokens import Token

from . import csrf, i18n, ratelimit, signing, webforms

router = APIRouter(include_in_schema=False)
COOKIE = "kp_session"
PURPOSE = "session"
SCOPES = ("editor", "admin")


def curator(request: Request) -> Token | None:
    """The signed-in editor or admin of this request, or ``None``."""
    if hasattr(request.state, "curator"):
        return request.state.curator
    found = None
    raw = request.cookies.get(COOKIE)
    if raw and len(raw) < 1000:
        try:
            data = signing.timed(request, PURPOSE).loads(raw, max_age=request.app.state.settings.session_max_age)
        except (BadSignature, SignatureExpired):
            data = None
        if isinstance(data, dict):
            from .writes import _tokens

            tokens = _tokens(request)
            name = str(data.get("n", ""))
            token = tokens.get(name)
            if token is not None and token.scope in SCOPES and tokens.fingerprint(name) == data.get("f"):
                found = token
    request.state.curator = found
    return found


def local_path(value: str, default: str = "/redactie") -> str:
    """``value`` if it is a path on this site (no scheme, no host, no ``//``), else ``default``."""
    parts = urlsplit(value or "")
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc or "\\" in value:
        return default
    return value


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import urlencode

    return RedirectResponse("/inloggen?" + urlencode({"next": target}), status_code=303)


@router.get("/inloggen")
def sign_in_form(request: Request) -> Response:
    from .pages import render

    return render(request, "signin.html", next=local_path(request.query_params.get("next", "")), error="")


@router.post("/inloggen")
async def sign_in(request: Request) -> Response:
    from .pages import render
    from .writes import _tokens

    fields = await webforms.read(request)
    target = local_path(webforms.one(fields, "next"))
    lang = i18n.lang_of(request)
    try:
        ratelimit.check(request, "signin")
    except ratelimit.RateLimited as exc:
        return render(request, "signin.html", status=429, headers={"Retry-After": str(exc.retry_after)},
                      next=target, error=i18n.t("signin_rate", lang, n=exc.retry_after))
    secret = webforms.one(fields, "token").strip()
    token = _tokens(request).check(secret) if 0 < len(secret) < 200 else None
    if token is None or token.scope not in SCOPES or token.name == "cli":
        return render(request, "signin.html", status=401, next=target, error=i18n.t("signin_wrong", lang))
    value = signing.timed(request, PURPOSE).dumps({"n": token.name, "f": _tokens(request).fingerprint(token.name)})
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, value, max_age=request.app.state.settings.session_max_age, httponly=True,
                        samesite="strict", secure=signing.secure(request), path="/")
    return response


@router.post("/uitloggen")
async def sign_out(request: Request) -> Response:
    await webforms.read(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=signing.secure(request))
    return csrf.attach(request, response)
