"""Shared fixtures: the default taxonomy and one rules annotator (compiling the rules takes ~0.4 s)."""

from __future__ import annotations

import pytest

from triage_platform.lib.annotate import RulesAnnotator, Taxonomy, load_taxonomy


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="session")
def rules(taxonomy: Taxonomy) -> RulesAnnotator:
    return RulesAnnotator(taxonomy)
