"""The code location's one entry point: every module under `defs/` registers its own definitions;
the deployment module adds the resources and executor of the environment we run in."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from triage_platform.deployment import deployment_definitions


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        deployment_definitions(),
    )
