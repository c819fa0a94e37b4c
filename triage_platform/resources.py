"""Resources: the seams a deployment swaps (storage root, annotator). Chosen in `deployment.py` only."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import dagster as dg
import pandas as pd

from triage_platform.lib.annotate.routing import route_annotation
from triage_platform.lib.annotate.rules import RulesAnnotator
from triage_platform.lib.annotate.schema import Annotation
from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform.lib.ingest.registry import LandingRegistry
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.transform.annotations import Annotator


@cache
def _cached_taxonomy(path: str | None) -> Taxonomy:
    return load_taxonomy(path)


class TriageStorage(dg.ConfigurableResource):
    """The platform's home folder: landing zone, file registry, quarantine and model store."""

    home: str
    partition_start: str

    @property
    def paths(self) -> TriagePaths:
        return TriagePaths(Path(self.home))

    def registry(self) -> LandingRegistry:
        return LandingRegistry(self.paths, date.fromisoformat(self.partition_start))


class AnnotatorResource(dg.ConfigurableResource):
    """Turns redacted reviews into structured annotations under one taxonomy, and routes them."""

    taxonomy_path: str | None = None

    @property
    def taxonomy(self) -> Taxonomy:
        return _cached_taxonomy(self.taxonomy_path)

    def annotator(self) -> Annotator:
        return RulesAnnotator(self.taxonomy)

    def route(self, row: pd.Series) -> str:
        """The routing decision for one gold row (alert, human_review, labeling_backlog, none)."""
        issue_types = list(row["issue_types"]) if row["issue_types"] is not None else []
        annotation = Annotation(
            id=row["review_key"],
            issue_types=issue_types,
            primary_issue=row["primary_issue"],
            sentiment=row["sentiment"],
            severity=row["severity"],
            language=row["language"] or "und",
            confidence=float(row["confidence"]),
            category_confidence={},
            owner=row["owner"],
            rationale=row["rationale"] or "",
            needs_human=bool(row["needs_human"]),
            stage=row["stage"],
            model_version=row["model_version"],
            prompt_version=row["prompt_version"],
            taxonomy_version=row["taxonomy_version"],
        )
        return route_annotation(annotation, self.taxonomy)
