"""Argilla interchange: export reviews as Argilla records (the model's predictions as suggestions, the human
labels as responses) with the matching dataset settings, and import submitted responses back as
`gold/labels` rows.

Format: the JSON of the **Argilla 2.x Python SDK** (`argilla>=2.4`, checked against 2.8): a records file is
what `dataset.records.to_json(path)` writes and `rg.Record.from_dict` / `dataset.records.log(...)` read, a
list of

```json
{"id": "<review_key>", "status": "completed",
 "fields": {"text": "<redacted review>", "title": "..."},
 "metadata": {"review_key": "...", "language": "en", "source": "app_store", "model_version": "...",
              "confidence": 0.62, "triage_labels": "<JSON: the platform's label rows of this review>"},
 "suggestions": {"issue_types": {"value": ["shipping_delay"], "score": 0.62, "agent": "<model version>"},
                 "severity": {"value": "medium", "score": 0.62, "agent": "..."}, ...},
 "responses": {"issue_types": [{"value": ["shipping_delay"], "user_id": "<uuid>", "status": "submitted"}],
               ...},
 "vectors": {}}
```

and the settings file is what `rg.Settings.to_json(path)` writes and `rg.Settings.from_json(path)` reads
(fields `text`, `title`; questions `issue_types` (`multi_label_selection`, optional: no selection means
no issue), `primary_issue`, `severity`, `sentiment` (`label_selection`); metadata properties; extra
metadata allowed for `triage_labels`). No Argilla package is needed: this is a mapping of that JSON.

Users: Argilla answers carry a user UUID, not a name. Exported labels use `uuid5(ARGILLA_USER_NAMESPACE,
annotator)`, remembered with the name in `triage_labels`; a user unknown to the platform is imported as
`argilla:<user_id>`. Argilla keeps one answer per user and question, so `responses` show each annotator's
latest label; every earlier label travels in `triage_labels`.

Round trip: importing an exported file yields the same rows (`triage_labels` keeps `label_id`, time,
before/after and taxonomy version), so importing into the same lake adds nothing and importing into an
empty one rebuilds `gold/labels` exactly. A submitted answer that differs from what was exported (a label
made in Argilla) becomes a new label: its `before` is the record's suggestion, its time the import time,
its `label_id` derived from review, user and values (re-importing the file adds it once). Draft and
discarded answers are not labels; an answer without a status (the SDK's `to_json` writes none) counts as
submitted.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd

from triage_platform.lib.annotate.schema import NO_ISSUE
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.humans import interchange
from triage_platform.lib.humans.actions import SENTIMENTS, SEVERITIES, annotation_fields
from triage_platform.lib.humans.interchange import ImportResult
from triage_platform.lib.humans.tables import LABEL_FIELDS

ARGILLA_USER_NAMESPACE = uuid.UUID("5d0c6f55-3f47-4a5e-9d1b-7a1e2a9c0a11")
"""Namespace of the deterministic Argilla user ids of platform annotators."""
HISTORY_KEY = "triage_labels"
SINGLE_LABELS = ("primary_issue", "severity", "sentiment")
SUBMITTED = "submitted"


class ArgillaError(ValueError):
    """An Argilla records file that cannot be read at all."""


def argilla_user_id(annotator: str) -> str:
    """The Argilla user id under which a platform annotator's labels are exported."""
    return str(uuid.uuid5(ARGILLA_USER_NAMESPACE, annotator))


def _answers(values: Mapping[str, Any]) -> dict[str, Any]:
    """Question name → value (an empty issue list is no answer: the optional question left blank)."""
    answers: dict[str, Any] = {name: values[name] for name in SINGLE_LABELS}
    if values["issue_types"]:
        answers = {"issue_types": list(values["issue_types"]), **answers}
    return answers


def _suggestions(values: Mapping[str, Any], score: float | None, agent: str) -> dict[str, Any]:
    return {
        name: {"value": value, "score": score, "agent": agent} for name, value in _answers(values).items()
    }


def _record(review_key: str, data: Mapping[str, Any], metadata: Mapping[str, Any]) -> dict[str, Any]:
    fields = {name: data[name] for name in ("text", "title") if data.get(name) is not None}
    meta = {"review_key": review_key, **{k: v for k, v in metadata.items() if v is not None}}
    for name in ("language", "source"):
        if data.get(name) is not None:
            meta[name] = data[name]
    return {"id": review_key, "fields": fields, "metadata": meta, "vectors": {}}


def export_records(
    labels: pd.DataFrame, pending: pd.DataFrame | None = None, users: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Argilla records for every labeled review (responses: each annotator's latest label; all labels in
    `metadata.triage_labels`; suggestion: the prediction shown before the first label) and for every
    pending queue/backlog item (suggestions only: the model's prediction with its confidence). `users`
    maps annotator names to their Argilla user ids (others get `argilla_user_id(name)`)."""
    users = users or {}
    records: list[dict[str, Any]] = []
    for review in interchange.labeled_reviews(labels):
        history = [
            {
                "label_id": row["label_id"],
                "annotator": row["annotator"],
                "user_id": users.get(row["annotator"]) or argilla_user_id(row["annotator"]),
                "labeled_at": interchange.iso(row["labeled_at"]),
                **annotation_fields(row),
                "taxonomy_version": interchange.missing_to_none(row["taxonomy_version"]),
                "before_json": interchange.missing_to_none(row["before_json"]),
                "after_json": interchange.missing_to_none(row["after_json"]),
            }
            for row in review.rows
        ]
        latest = {entry["user_id"]: entry for entry in history}  # oldest first: the last one wins
        responses: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for user_id, entry in latest.items():
            for name, value in _answers(entry).items():
                responses[name].append({"value": value, "user_id": user_id, "status": SUBMITTED})
        record = _record(review.review_key, review.data, {HISTORY_KEY: json.dumps(history)})
        record["suggestions"] = _suggestions(review.before, None, "before-label") if review.before else {}
        record["responses"] = dict(responses)
        record["status"] = "completed"
        records.append(record)
    for item in interchange.pending_items(labels, pending):
        agent = item["model_version"] or "unknown"
        record = _record(item["review_key"], item, {"model_version": agent, "confidence": item["confidence"]})
        record["suggestions"] = _suggestions(annotation_fields(item), item["confidence"], agent)
        record["responses"] = {}
        record["status"] = "pending"
        records.append(record)
    return records


def _options(values: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    return [{"value": v, "text": v, "description": None} for v in values]


def _question(name: str, title: str, kind: str, options: list[str], required: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {"type": kind, "options": _options(options), "visible_options": None}
    if kind == "multi_label_selection":
        settings["options_order"] = "natural"
    return {"name": name, "title": title, "description": None, "required": required, "settings": settings}


def _terms(name: str, title: str, visible: bool) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "type": "terms",
        "visible_for_annotators": visible,
        "settings": {"type": "terms", "values": None, "visible_for_annotators": visible},
    }


def dataset_settings(taxonomy: Taxonomy) -> dict[str, Any]:
    """The Argilla dataset settings for these records (`rg.Settings.from_json(path)`, then
    `rg.Dataset(name=..., settings=settings).create()`)."""
    categories = list(taxonomy.ids)
    return {
        "guidelines": (
            "Pick every issue the review reports (none: leave issue types empty and choose primary issue "
            f"'{NO_ISSUE}'), its primary issue, severity and sentiment. Taxonomy {taxonomy.fingerprint}."
        ),
        "questions": [
            _question("issue_types", "Issue types", "multi_label_selection", categories, False),
            _question("primary_issue", "Primary issue", "label_selection", [NO_ISSUE, *categories], True),
            _question("severity", "Severity", "label_selection", list(SEVERITIES), True),
            _question("sentiment", "Sentiment", "label_selection", list(SENTIMENTS), True),
        ],
        "fields": [
            {
                "name": "text",
                "title": "Review (redacted)",
                "required": True,
                "description": None,
                "settings": {"type": "text", "use_markdown": False},
            },
            {
                "name": "title",
                "title": "Title (redacted)",
                "required": False,
                "description": None,
                "settings": {"type": "text", "use_markdown": False},
            },
        ],
        "vectors": [],
        "metadata": [
            _terms("review_key", "Review key", False),
            _terms("language", "Language", True),
            _terms("source", "Source", True),
            _terms("model_version", "Model version", False),
            {
                "name": "confidence",
                "title": "Model confidence",
                "type": "float",
                "visible_for_annotators": True,
                "settings": {"type": "float", "min": 0.0, "max": 1.0, "visible_for_annotators": True},
            },
        ],
        "allow_extra_metadata": True,
        "distribution": {"strategy": "overlap", "min_submitted": 1},
        "mapping": None,
    }


def _suggested(record: Mapping[str, Any]) -> dict[str, Any] | None:
    suggestions = record.get("suggestions") or {}
    if not isinstance(suggestions, Mapping) or not suggestions:
        return None
    values = {name: (suggestions.get(name) or {}).get("value") for name in LABEL_FIELDS}
    values["issue_types"] = list(values["issue_types"] or [])
    return values


def _submitted_answers(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """User id → question → value of the submitted (or status-less) answers of a record."""
    by_user: dict[str, dict[str, Any]] = defaultdict(dict)
    responses = record.get("responses") or {}
    if not isinstance(responses, Mapping):
        raise ValueError("responses must map question names to lists of answers")
    for question, answers in responses.items():
        for answer in answers or []:
            if (answer.get("status") or SUBMITTED) != SUBMITTED:
                continue
            by_user[str(answer.get("user_id"))][question] = answer.get("value")
    return by_user


def _answer_values(answers: Mapping[str, Any], predicted: Mapping[str, Any] | None) -> dict[str, Any]:
    """Label values of one user's answers: no `issue_types` answer means no issue; an unanswered single
    label falls back to the suggestion (then to the labeling guide's defaults)."""
    issues = answers.get("issue_types") or []
    if isinstance(issues, str):
        issues = [issues]
    values: dict[str, Any] = {"issue_types": [str(v) for v in issues]}
    for name in SINGLE_LABELS:
        values[name] = answers.get(name) or (predicted or {}).get(name)
    return values


def read_records(records: Any, taxonomy: Taxonomy, users: Mapping[str, str] | None = None) -> ImportResult:
    """`gold/labels` rows of the labels in Argilla `records`: every label the platform exported
    (`metadata.triage_labels`) and every submitted answer that differs from its user's exported label.
    An answer's annotator is the platform name exported with that user id, else the name `users` (name →
    Argilla user id) gives it, else `argilla:<user_id>`. An invalid label (a category outside the
    taxonomy, an unknown severity, ...) or a record without a review key is refused with its reason; the
    rest of the file goes on."""
    names = {str(user_id): name for name, user_id in (users or {}).items()}
    if not isinstance(records, list):
        raise ArgillaError("an Argilla records file is a JSON list of records (dataset.records.to_json)")

    def record_rows(record: Any, result: ImportResult, number: int) -> None:
        if not isinstance(record, Mapping):
            raise ValueError("a record is a JSON object")
        metadata = record.get("metadata") or {}
        review_key = str(metadata.get("review_key") or record.get("id") or "")
        if not review_key:
            raise ValueError("needs metadata.review_key or an id")
        fields = record.get("fields") or {}
        data = {
            "text": fields.get("text"),
            "title": fields.get("title"),
            "language": metadata.get("language"),
            "source": metadata.get("source"),
        }
        predicted = _suggested(record)
        history = json.loads(metadata[HISTORY_KEY]) if metadata.get(HISTORY_KEY) else []
        exported: dict[str, dict[str, Any]] = {}
        for entry in history:
            exported[entry["user_id"]] = entry
            result.add(
                number,
                review_key,
                lambda entry=entry: interchange.label_row(
                    review_key,
                    data,
                    entry,
                    taxonomy,
                    annotator=entry["annotator"],
                    labeled_at=entry["labeled_at"],
                    meta=entry,
                ),
            )
        for user_id, answers in _submitted_answers(record).items():
            values = _answer_values(answers, predicted)
            known = exported.get(user_id)
            if known is not None and all(_same(values[n], known.get(n)) for n in LABEL_FIELDS):
                continue
            annotator = known["annotator"] if known is not None else names.get(user_id, f"argilla:{user_id}")
            result.add(
                number,
                review_key,
                lambda values=values, annotator=annotator: interchange.label_row(
                    review_key,
                    data,
                    values,
                    taxonomy,
                    annotator=annotator,
                    labeled_at=None,
                    predicted=predicted,
                ),
            )

    return interchange.collect_labels(records, record_rows)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, list) or isinstance(right, list):
        return list(left or []) == list(right or [])
    return left == right
