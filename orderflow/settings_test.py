"""Settings for the test suite: the real settings, a throwaway secret and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from orderflow.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No collectstatic in tests: pages must not need the manifest that production's storage reads.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Pooled connections outlive a test and keep the test database open at teardown; tests connect plainly.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
# Background jobs run at once, inside the test, so that a test sees their outcome.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
