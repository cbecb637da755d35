"""Authentication: password storage, failed-login throttling, cookies, CSRF, the CSP, API tokens,
and Django's deployment checks against production-like settings."""

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import forceb.config.settings as production
from forceb.core import actions
from forceb.core.models import ApiToken, AuditEntry, LoginFailure

from .routes import walk

LOGIN = "/login/"
ME = "/api/core/users/me/"


def _production_settings(**env) -> dict:
    """Settings as a deployment computes them from its environment, in a fresh interpreter."""
    code = ("import json, forceb.config.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
            "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
            "'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'PASSWORD_HASHERS')}))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FORCEB_HTTPS")}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                            check=True, cwd=settings.BASE_DIR)
    return json.loads(result.stdout)


# --- passwords -----------------------------------------------------------------------------------


def test_production_stores_passwords_with_argon2():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        encoded = make_password("a-Long-test-passw0rd")
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("a-Long-test-passw0rd", encoded)
        assert not check_password("another-passw0rd", encoded)


def test_production_refuses_short_and_common_passwords():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in production.AUTH_PASSWORD_VALIDATORS]
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= set(names)


# --- sign-in ------------------------------------------------------------------------------------

THROTTLED = ["forceb.core.backends.ThrottledModelBackend"]


def test_production_signs_in_through_the_throttled_backend():
    assert production.AUTHENTICATION_BACKENDS == THROTTLED


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_sign_in_works_and_is_audited(sector):
    client = Client()
    client.get(LOGIN)
    before = client.cookies.get("sessionid")
    response = _login(client, "bank-admin", sector.password)
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)  # no session fixation
    assert AuditEntry.objects.filter(action="login", actor=sector.bank_admin).exists()


@override_settings(AUTHENTICATION_BACKENDS=THROTTLED)
def test_failed_logins_lock_the_account_even_for_the_right_password(sector):
    client = Client()
    for _ in range(settings.FORCEB_LOGIN_MAX_FAILURES):
        assert _login(client, "bank-admin", "wrong-password-123").status_code == 200
    response = _login(client, "bank-admin", sector.password)
    assert response.status_code == 200, "signed in although the account is locked"
    assert "_auth_user_id" not in client.session
    failures = AuditEntry.objects.filter(action="login-failed", object_repr="bank-admin")
    assert failures.count() == settings.FORCEB_LOGIN_MAX_FAILURES + 1
    assert not AuditEntry.objects.filter(action="login", actor=sector.bank_admin).exists()
    # Other accounts are not locked by one account's failures.
    assert _login(Client(), "bank-analyst", sector.password).status_code == 302


@override_settings(AUTHENTICATION_BACKENDS=THROTTLED)
def test_the_lock_lifts_after_the_window(sector):
    for _ in range(settings.FORCEB_LOGIN_MAX_FAILURES):
        _login(Client(), "bank-admin", "wrong-password-123")
    later = timezone.now() + timedelta(seconds=settings.FORCEB_LOGIN_WINDOW_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert _login(Client(), "bank-admin", sector.password).status_code == 302


@override_settings(AUTHENTICATION_BACKENDS=THROTTLED)
def test_one_address_guessing_many_accounts_is_locked(sector):
    for i in range(settings.FORCEB_LOGIN_MAX_FAILURES * 4):
        LoginFailure.objects.create(username=f"guess-{i}", remote_addr="127.0.0.1")
    assert _login(Client(), "bank-admin", sector.password).status_code == 200
    assert _login(Client(REMOTE_ADDR="10.0.0.9"), "bank-admin", sector.password).status_code == 302


def test_sign_in_does_not_redirect_off_site(sector):
    response = _login(Client(), "bank-admin", sector.password, next="https://evil.example/")
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


# --- cookies and CSRF -------------------------------------------------------------------------------


def test_cookies_are_secure_unless_the_operator_says_plain_http():
    default = _production_settings()
    assert default["SESSION_COOKIE_SECURE"] and default["CSRF_COOKIE_SECURE"]
    assert default["SECURE_HSTS_SECONDS"] >= 31536000
    plain = _production_settings(FORCEB_HTTPS="0")
    assert not plain["SESSION_COOKIE_SECURE"]
    for values in (default, plain):
        assert values["SESSION_COOKIE_HTTPONLY"]
        assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_session_cookie_carries_its_flags(sector):
    client = Client()
    client.get(LOGIN)
    assert client.cookies["csrftoken"]["secure"] and client.cookies["csrftoken"]["samesite"] == "Lax"
    _login(client, "bank-admin", sector.password)
    cookie = client.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_csrf_is_enforced_on_sign_in_and_forms(sector):
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "bank-admin", sector.password).status_code == 403
    page = client.get(LOGIN)
    token = page.context["csrf_token"]
    assert _login(client, "bank-admin", sector.password, csrfmiddlewaretoken=str(token)).status_code == 302
    # Signed in by session: a form without the token is refused, and so is an API write.
    assert client.post(reverse("web:logout")).status_code == 403
    response = client.post("/api/inventory/services/", {"name": "Forged"}, content_type="application/json")
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


# --- the Content-Security-Policy ---------------------------------------------------------------------


def test_every_page_carries_the_csp(sector):
    client = Client()
    client.force_login(sector.bank_admin)
    paths = [reverse(r.name) for r in walk() if not r.kwargs and r.name and r.allows("get")]
    paths += ["/no-such-page/", "/api/no-such-endpoint/"]
    missing = []
    for path in paths:
        for who in (client, Client()):
            policy = who.get(path).headers.get("Content-Security-Policy", "")
            directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())
            if directives.get("script-src") != "'self'" or "frame-ancestors" not in directives:
                missing.append(f"{path}: {policy!r}")
    assert not missing, "pages without the platform's CSP (script-src 'self' only):\n" + "\n".join(missing)


# --- API tokens ------------------------------------------------------------------------------------


def _api(raw=None, header=None):
    client = Client()
    if raw is not None or header is not None:
        client.defaults["HTTP_AUTHORIZATION"] = header or f"Token {raw}"
    return client


def test_a_token_is_shown_once_and_stored_only_as_a_digest(sector):
    _, raw = actions.create_token(sector.bank_admin)
    response = _api(raw).post("/api/core/tokens/", {"name": "ci", "days": 7}, content_type="application/json")
    assert response.status_code == 201
    new = response.json()
    secret = new["token"]
    assert secret.startswith("fb_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=new["id"])
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    for field in stored._meta.concrete_fields:
        assert secret not in str(field.value_from_object(stored)), f"the raw token is in {field.name}"
    assert not [e.seq for e in AuditEntry.objects.all() if secret in f"{e.before}{e.after}{e.object_repr}"]
    # Never shown again: not in the detail, not in the list.
    client = _api(secret)
    assert secret not in client.get(f"/api/core/tokens/{new['id']}/").content.decode()
    assert secret not in client.get("/api/core/tokens/").content.decode()
    assert "token" not in client.get(f"/api/core/tokens/{new['id']}/").json()
    # Its lifetime is the one asked for.
    assert timedelta(days=6) < stored.expires - timezone.now() <= timedelta(days=7)


def test_authorization_token_works_and_every_use_is_audited(sector):
    token, raw = actions.create_token(sector.bank_analyst)
    client = _api(raw)
    for _ in range(3):
        response = client.get(ME)
        assert response.status_code == 200
        assert response.json()["username"] == "bank-analyst"
    uses = AuditEntry.objects.filter(action="token-use", object_id=str(token.pk))
    assert uses.count() == 3
    assert {e.actor_id for e in uses} == {sector.bank_analyst.pk}
    assert uses.first().after["path"] == ME
    token.refresh_from_db()
    assert token.last_used is not None


@pytest.mark.parametrize("header", ["Token nope", "Token ", "Token a b", "Bearer {raw}", "token{raw}"])
def test_malformed_or_unknown_tokens_are_refused(sector, header):
    _, raw = actions.create_token(sector.bank_admin)
    response = _api(header=header.format(raw=raw)).get(ME)
    assert response.status_code == 401


def test_an_expired_token_is_refused(sector):
    _, raw = actions.create_token(sector.bank_admin, days=1)
    assert _api(raw).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1), tick=False):
        assert _api(raw).get(ME).status_code == 401


def test_a_revoked_token_is_refused_at_once(sector):
    token, raw = actions.create_token(sector.bank_analyst)
    assert _api(raw).get(ME).status_code == 200
    # Another organisation's admin cannot even see it; a colleague's admin can revoke it.
    insurer = sector.client(sector.insurer_admin)
    assert insurer.delete(f"/api/core/tokens/{token.pk}/").status_code == 404
    assert sector.client(sector.bank_admin).delete(f"/api/core/tokens/{token.pk}/").status_code == 204
    assert _api(raw).get(ME).status_code == 401
    assert AuditEntry.objects.filter(action="token-revoke", object_id=str(token.pk)).exists()


def test_a_deactivated_persons_tokens_are_refused(sector):
    _, raw = actions.create_token(sector.bank_analyst)
    sector.bank_analyst.is_active = False
    sector.bank_analyst.save()
    assert _api(raw).get(ME).status_code == 401
    assert _api(raw).get("/api/inventory/services/").status_code == 401


def test_the_api_refuses_anonymous_requests(db):
    response = _api().get("/api/inventory/services/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


# --- deployment checks --------------------------------------------------------------------------------

# What only the operator can decide, with the reason it is not forced in settings.
OPERATOR_DECISIONS = {
    "security.W005": "HSTS includeSubDomains binds every subdomain of the operator's domain",
    "security.W021": "HSTS preload is a commitment the operator makes to the browsers' list",
}


def test_deploy_check_has_no_security_warning_the_settings_could_fix(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("FORCEB_", "DJANGO_"))},
           "DJANGO_SETTINGS_MODULE": "forceb.config.settings", "FORCEB_DATA_DIR": str(tmp_path),
           "FORCEB_SECRET_KEY": "k" + hashlib.sha256(b"deploy-check").hexdigest() * 2,
           "FORCEB_ALLOWED_HOSTS": "forceb.example.org", "FORCEB_DEBUG": "0"}
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy"], env=env, capture_output=True,
                            text=True, cwd=settings.BASE_DIR)
    output = result.stdout + result.stderr
    found = [line for line in output.splitlines() if "(security." in line]
    unexpected = [line for line in found if not any(f"({code})" in line for code in OPERATOR_DECISIONS)]
    assert not unexpected, "\n".join(unexpected)


def test_a_role_must_fit_its_organisation(sector):
    """Nobody gets a role of another kind of organisation (a member admin inside the hub)."""
    for org, role in ((sector.hub, "member-admin"), (sector.bank, "platform-admin"), (sector.bank, "hub-analyst")):
        with pytest.raises(ValidationError):
            actions.create_user(username=f"x-{role}", organization=org, role=role)
