"""Shared test set-up."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# fixture notebooks (one fails on purpose) are run by the runner's tests, not collected by nbval
collect_ignore_glob = ["fixtures/*"]

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def no_altair_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the code under test imports altair."""
    import builtins

    real_import = builtins.__import__

    def guarded(name, *args, **kwargs):
        if name == "altair" or name.startswith("altair."):
            raise AssertionError("altair imported by a command that draws nothing")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", guarded)
