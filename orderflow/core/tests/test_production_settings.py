"""Production settings come from the environment: Secure cookies unless DEBUG, HTTPS and HSTS opt-in,
the proxy's header parsed strictly, a Content-Security-Policy on every page, and `make test` running
Django's deploy checks with the production variables."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from orderflow.core.env import env_header

ROOT = Path(__file__).resolve().parents[3]
SHOWN = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
]


def settings_with(**env: str) -> dict[str, object]:
    """The settings a fresh process reads from exactly this environment."""
    code = (
        "import json, orderflow.settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SHOWN!r}}}))"
    )
    base = {"PATH": os.environ.get("PATH", ""), "ORDERFLOW_VAR_DIR": "/tmp/orderflow-settings-test"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base | env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_cookies_are_secure_unless_debug_and_https_options_are_opt_in():
    production = settings_with(DEBUG="false", SECRET_KEY="k" * 60)
    assert production == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    assert settings_with(DEBUG="true")["SESSION_COOKIE_SECURE"] is False
    behind_proxy = settings_with(
        DEBUG="false",
        SECRET_KEY="k" * 60,
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
    )
    assert behind_proxy["SECURE_SSL_REDIRECT"] is True
    assert behind_proxy["SECURE_HSTS_SECONDS"] == 31536000
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize("raw", ["https", "X-Forwarded-Proto:", "X Forwarded: https"])
def test_a_malformed_proxy_header_is_refused(monkeypatch, raw):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", raw)
    with pytest.raises(ImproperlyConfigured):
        env_header("SECURE_PROXY_SSL_HEADER")


def test_every_page_carries_a_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_make_test_runs_the_deploy_check_with_production_settings():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test:.*\bdeploycheck\b", makefile, re.MULTILINE)
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.runtime", "deploycheck"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "check --deploy --fail-level WARNING" in makefile
