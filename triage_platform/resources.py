"""Resources: the seams a deployment swaps (storage root, annotator, alert sinks). Chosen in `deployment.py`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_slack import SlackResource
from slack_sdk import WebClient

from triage_platform.lib.alerts.delivery import DeliveryReport, deliver_pending
from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.alerts.sinks import Sink, sinks_from_env
from triage_platform.lib.annotate.cascade import CascadeAnnotator
from triage_platform.lib.annotate.factory import build_annotator
from triage_platform.lib.annotate.pausing import read_paused_categories
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.annotate.routing import DEFAULT_REVIEW_THRESHOLD, route_annotation
from triage_platform.lib.annotate.schema import Annotation
from triage_platform.lib.annotate.taxonomy import Taxonomy, load_taxonomy
from triage_platform.lib.ingest.registry import LandingRegistry
from triage_platform.lib.paths import TriagePaths
from triage_platform.lib.transform.annotations import Annotator, LiveVersions


@cache
def _cached_taxonomy(path: str | None) -> Taxonomy:
    return load_taxonomy(path)


class TriageStorage(dg.ConfigurableResource):
    """The platform's places: the home folder (landing zone, model store, local state) and the lake every
    Delta table lives in (`lake_uri`: TRIAGE_LAKE_URI, None for TRIAGE_HOME/lake; its storage options come
    from the environment, never from this configuration)."""

    home: str
    partition_start: str
    lake_uri: str | None = None

    @property
    def paths(self) -> TriagePaths:
        return TriagePaths(Path(self.home), lake_uri=self.lake_uri)

    def registry(self) -> LandingRegistry:
        return LandingRegistry(self.paths, date.fromisoformat(self.partition_start))


_QUIET_SLACK_LOGGER = logging.getLogger("triage_platform.slack_sdk")
_QUIET_SLACK_LOGGER.setLevel(logging.WARNING)


class TriageSlackResource(SlackResource):
    """dagster-slack's Slack resource, with the API base URL (proxies, tests) and timeout it lacks; its
    client never retries on its own (the outbox decides retries, so a retry never posts twice)."""

    base_url: str = "https://slack.com/api/"
    timeout: float = 10.0

    def get_client(self) -> WebClient:
        return WebClient(
            self.token,
            base_url=self.base_url,
            timeout=int(self.timeout),
            retry_handlers=[],
            logger=_QUIET_SLACK_LOGGER,
        )


def _slack_client(token: str, base_url: str, timeout: float) -> WebClient:
    return TriageSlackResource(token=token, base_url=base_url, timeout=timeout).get_client()


class AlertingResource(dg.ConfigurableResource):
    """Where alerts go: the `gold/alerts` outbox (always) and the sinks the environment configures
    (Slack bot or webhook, Teams, else the log). Delivery is the same code for the sensor and `triage run`."""

    home: str
    dagster_url: str = "http://127.0.0.1:3000"
    taxonomy_path: str | None = None
    lake_uri: str | None = None
    """TRIAGE_LAKE_URI (None: TRIAGE_HOME/lake), as in `TriageStorage`."""

    def outbox(self) -> AlertOutbox:
        return AlertOutbox(TriagePaths(Path(self.home), lake_uri=self.lake_uri).table("gold", "alerts"))

    def sinks(self) -> list[Sink]:
        return sinks_from_env(
            taxonomy=_cached_taxonomy(self.taxonomy_path), slack_client_factory=_slack_client
        )

    def deliver(self, now: datetime | None = None, max_batches: int = 20) -> DeliveryReport:
        """Deliver what is due, batch after batch while batches make progress (bounded)."""
        outbox = self.outbox()
        total = DeliveryReport()
        if not outbox.exists():
            return total
        sinks = self.sinks()
        for _ in range(max_batches):
            report = deliver_pending(outbox, sinks, now or datetime.now(UTC))
            for name in ("delivered", "retried", "failed", "skipped", "digests"):
                getattr(total, name).extend(getattr(report, name))
            if not report.delivered or report.retried or report.skipped:
                break
        return total


@cache
def _cached_annotator(
    taxonomy_path: str | None,
    home: str,
    use_llm: bool,
    model_version: str | None,
    llm_share: float | None = None,
) -> CascadeAnnotator:
    return build_annotator(_cached_taxonomy(taxonomy_path), Path(home), use_llm=use_llm, llm_share=llm_share)


class AnnotatorResource(dg.ConfigurableResource):
    """Turns redacted reviews into structured annotations under one taxonomy (rules → local model →
    optional LLM), and routes them; categories whose measured recall fell below their floor are paused
    (their items go to human review instead of automatic alerts) until a passing model restores them."""

    home: str
    taxonomy_path: str | None = None
    use_llm: bool = True

    @property
    def taxonomy(self) -> Taxonomy:
        return _cached_taxonomy(self.taxonomy_path)

    def annotator(self) -> Annotator:
        store = ModelStore(Path(self.home) / "models")
        return _cached_annotator(self.taxonomy_path, self.home, self.use_llm, store.current_version())

    def reprocess_annotator(self) -> Annotator:
        """The live cascade, sending every item it is given to the LLM stage when one is configured (the
        nightly reprocess gives it only low-confidence and outdated rows)."""
        store = ModelStore(Path(self.home) / "models")
        return _cached_annotator(self.taxonomy_path, self.home, self.use_llm, store.current_version(), 1.0)

    def live_versions(self) -> LiveVersions:
        """Model, rules, prompt and taxonomy versions of the annotator in force."""
        cascade = _cached_annotator(
            self.taxonomy_path,
            self.home,
            self.use_llm,
            ModelStore(Path(self.home) / "models").current_version(),
        )
        llm = cascade.llm
        return LiveVersions(
            model_version=cascade.model.version if cascade.model is not None else None,
            rules_version=cascade.rules.version,
            prompt_version=getattr(llm, "prompt_version", None) if llm is not None else None,
            taxonomy_version=cascade.taxonomy.fingerprint,
        )

    def review_threshold(self, primary_issue: str) -> float:
        """Confidence below which an annotation of `primary_issue` goes to the labeling backlog."""
        taxonomy = self.taxonomy
        if taxonomy.has(primary_issue):
            return taxonomy.category(primary_issue).review_threshold
        return DEFAULT_REVIEW_THRESHOLD

    def paused_categories(self) -> frozenset[str]:
        return read_paused_categories(Path(self.home) / "models")

    def router(self) -> Callable[[pd.Series], str]:
        """The routing decision for gold rows (alert, human_review, labeling_backlog, none)."""
        taxonomy, paused = self.taxonomy, self.paused_categories()

        def route(row: pd.Series) -> str:
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
            return route_annotation(annotation, taxonomy, paused_categories=paused)

        return route
