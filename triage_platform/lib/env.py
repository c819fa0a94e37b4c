"""Reading the environment: one meaning of a yes/no variable for every setting that has one."""

from __future__ import annotations

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def is_true(value: str | None) -> bool:
    """A yes/no environment value: `1`, `true`, `yes` or `on` (any case, spaces around ignored) is yes;
    anything else, or unset, is no."""
    return (value or "").strip().lower() in TRUE_VALUES
