"""One meaning of a yes/no environment variable (TRIAGE_HTTPS_ONLY, TRIAGE_SLACK_LINKED_USERS_ONLY,
AZURE_USE_AZURE_CLI, AZURE_USE_MANAGED_IDENTITY)."""

from __future__ import annotations

import pytest

from triage_platform.lib.env import is_true


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "On", " true "])
def test_yes_values(value: str) -> None:
    assert is_true(value)


@pytest.mark.parametrize("value", [None, "", "0", "false", "no", "off", "enabled", "2"])
def test_everything_else_is_no(value: str | None) -> None:
    assert not is_true(value)
