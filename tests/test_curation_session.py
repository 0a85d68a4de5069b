"""Sign-in for curators and CSRF on every form, through the real app: the cookie's flags, expiry,
revocation, sign-out, refused forms, and the limiters."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from knooppunt.graph.tokens import TokenFile
from knooppunt.service import ratelimit
from writes_support import make_writer

BASE = "https://w3id.org/knooppunt"


@pytest.fixture
def w(store_factory, tmp_path):
    return make_writer(store_factory("memory"), tmp_path)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, token: str, next_path: str = "/redactie"):
    page = client.get("/inloggen")
    return client.post("/inloggen", data={"csrftoken": csrf_of(page.text), "token": token, "next": next_path},
                       follow_redirects=False)


def test_sign_in_gives_a_strict_httponly_cookie_and_the_queue(w):
    assert w.client.get("/redactie", follow_redirects=False).headers["location"] == "/inloggen?next=%2Fredactie"
    r = sign_in(w.client, w.editor)
    assert r.status_code == 303 and r.headers["location"] == "/redactie"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("kp_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # served over plain http here
    assert w.editor not in cookie  # the token itself never goes into the cookie
    page = w.client.get("/redactie")
    assert page.status_code == 200 and "Ingelogd als redacteur" in page.text


def test_over_https_the_cookies_are_secure(w):
    client = TestClient(w.app, base_url="https://testserver")
    page = client.get("/inloggen")
    assert "kp_csrf=" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
    r = client.post("/inloggen", data={"csrftoken": csrf_of(page.text), "token": w.editor}, follow_redirects=False)
    assert r.headers["set-cookie"].startswith("kp_session=") and "Secure" in r.headers["set-cookie"]


def test_a_wrong_token_or_a_next_elsewhere_gets_nothing(w):
    r = sign_in(w.client, "kp_wrong")
    assert r.status_code == 401 and "kp_session" not in r.headers.get("set-cookie", "")
    assert "niet geldig" in r.text
    r = sign_in(w.client, w.editor, next_path="https://evil.example/")
    assert r.headers["location"] == "/redactie"
    r = sign_in(w.client, w.editor, next_path="//evil.example/")
    assert r.headers["location"] == "/redactie"


def test_revoking_the_token_ends_its_sessions(w):
    sign_in(w.client, w.editor)
    assert w.client.get("/redactie", follow_redirects=False).status_code == 200
    tokens = TokenFile(w.app.state.settings.resolved_token_file())
    tokens.revoke("redacteur")
    assert w.client.get("/redactie", follow_redirects=False).status_code == 303
    tokens.create("redacteur", "editor")  # the same name with a new token: the old session stays ended
    assert w.client.get("/redactie", follow_redirects=False).status_code == 303


def test_sessions_expire(store_factory, tmp_path):
    w = make_writer(store_factory("memory"), tmp_path, session_max_age=1)
    sign_in(w.client, w.editor)
    assert w.client.get("/redactie", follow_redirects=False).status_code == 200
    time.sleep(2.2)
    w.client.cookies.set("kp_session", w.client.cookies.get("kp_session"))  # a browser that keeps it
    assert w.client.get("/redactie", follow_redirects=False).status_code == 303


def test_a_session_signed_with_another_key_is_refused(store_factory, tmp_path):
    w = make_writer(store_factory("memory"), tmp_path, session_secret="one")
    sign_in(w.client, w.editor)
    other = make_writer(w.store, tmp_path / "other", session_secret="two")
    other.client.cookies.set("kp_session", w.client.cookies.get("kp_session"))
    assert other.client.get("/redactie", follow_redirects=False).status_code == 303
    rotated = make_writer(w.store, tmp_path / "rotated", session_secret="two,one")
    TokenFile(rotated.app.state.settings.resolved_token_file()).path.write_bytes(
        TokenFile(w.app.state.settings.resolved_token_file()).path.read_bytes())
    rotated.client.cookies.set("kp_session", w.client.cookies.get("kp_session"))
    assert rotated.client.get("/redactie", follow_redirects=False).status_code == 200  # the old key still verifies


def test_sign_out_removes_the_session(w):
    sign_in(w.client, w.editor)
    page = w.client.get("/redactie")
    assert w.client.post("/uitloggen", data={}).status_code == 403  # without the CSRF token
    r = w.client.post("/uitloggen", data={"csrftoken": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and 'kp_session=""' in r.headers["set-cookie"]
    assert w.client.get("/redactie", follow_redirects=False).status_code == 303


FORMS = [
    ("/voorstellen/initiatief", {"label": "Een voorstel zonder token"}),
    ("/inloggen", {"token": "x"}),
    ("/uitloggen", {}),
    ("/redactie/bewerk", {"iri": f"{BASE}/id/organisatie/umcg", "label": "Anders"}),
    ("/redactie/voorstel/20250101T000000000000-abcdef", {"action": "approve"}),
]


@pytest.mark.parametrize("path,data", FORMS)
def test_every_form_post_without_a_valid_csrf_token_is_refused(w, path, data):
    sign_in(w.client, w.editor)
    good = csrf_of(w.client.get("/voorstellen/project").text)
    before = w.store.count()
    r = w.client.post(path, data=data, follow_redirects=False)
    assert r.status_code == 403 and "Formulier geweigerd" in r.text
    r = w.client.post(path, data={**data, "csrftoken": good + "x"}, follow_redirects=False)
    assert r.status_code == 403
    stranger = TestClient(w.app)  # another browser: a good token, but for someone else's cookie
    stranger.get("/voorstellen/project")
    r = stranger.post(path, data={**data, "csrftoken": good}, follow_redirects=False)
    assert r.status_code == 403
    r = w.client.post(path, data={**data, "csrftoken": good}, headers={"Sec-Fetch-Site": "cross-site"},
                      follow_redirects=False)
    assert r.status_code == 403
    assert w.store.count() == before


def test_forms_are_bounded(store_factory, tmp_path):
    w = make_writer(store_factory("memory"), tmp_path, max_form_bytes=2000)
    good = csrf_of(w.client.get("/voorstellen/project").text)
    r = w.client.post("/voorstellen/project", data={"csrftoken": good, "description": "x" * 5000})
    assert r.status_code == 413
    r = w.client.post("/voorstellen/project", content=b'{"label": "x"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 415


def test_the_proposal_form_counts_every_submission(store_factory, tmp_path):
    w = make_writer(store_factory("memory"), tmp_path, proposal_rate="2/minute")
    good = csrf_of(w.client.get("/voorstellen/project").text)
    for _ in range(2):  # refused submissions count too
        assert w.client.post("/voorstellen/project", data={"csrftoken": good, "label": "<b>x</b>"}).status_code == 422
    r = w.client.post("/voorstellen/project", data={"csrftoken": good, "label": "Een goed project"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Probeer het over" in r.text


def test_editor_pages_refuse_posts_without_a_session(w):
    good = csrf_of(w.client.get("/voorstellen/project").text)
    r = w.client.post("/redactie/bewerk", data={"csrftoken": good, "iri": f"{BASE}/id/organisatie/umcg", "label": "X"})
    assert r.status_code == 403 and "Niet ingelogd" in r.text


def test_sign_in_attempts_are_rate_limited(store_factory, tmp_path):
    w = make_writer(store_factory("memory"), tmp_path, signin_rate="3/minute")
    for _ in range(3):
        assert sign_in(w.client, "kp_wrong").status_code == 401
    r = sign_in(w.client, w.editor)  # even the right token waits: the window is full
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_the_limiter_counts_per_client_and_window():
    limit = ratelimit.Limit("t", "2/second;3/minute")
    limit.hit("a")
    limit.hit("a")
    with pytest.raises(ratelimit.RateLimited) as exc:
        limit.hit("a")
    assert 1 <= exc.value.retry_after <= 1
    limit.hit("b")  # another client has its own window
    time.sleep(1.1)
    limit.hit("a")  # the second's window has passed, the minute's has one left
    with pytest.raises(ratelimit.RateLimited) as exc:
        limit.hit("a")
    assert exc.value.retry_after > 1  # now the minute's window is full
