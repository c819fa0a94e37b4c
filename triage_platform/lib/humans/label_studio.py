"""Label Studio interchange: export review tasks (with the model's predictions and the human labels as
annotations) and import annotations back as `gold/labels` rows.

Task format (Label Studio JSON, one task per review):

```json
{"id": 1,
 "data": {"review_key": "...", "text": "...", "title": "...", "language": "en", "source": "app_store"},
 "predictions": [{"model_version": "...", "score": 0.62, "result": [<choices>...]}],
 "annotations": [{"id": 7, "completed_by": {"email": "ana"}, "created_at": "...", "result": [<choices>...],
                  "triage_meta": {"label_id": "...", "before_json": "...", "taxonomy_version": "..."}}]}
```

A `<choices>` result is `{"from_name": F, "to_name": "text", "type": "choices", "value": {"choices": [...]}}`
for F in `issue_types` (multiple), `primary_issue`, `severity`, `sentiment` (single). `labeling_config`
writes the matching Label Studio labeling interface (XML) from the taxonomy.

Round trip: every label row exported is one annotation; importing the file yields the same rows (same
deterministic `label_id`), so importing into the same lake adds nothing and importing into an empty one
rebuilds `gold/labels` exactly. Annotations made in Label Studio (no `triage_meta`) get their `before`
from the task's prediction and the taxonomy version in force.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.humans.actions import SENTIMENTS, SEVERITIES, annotation_fields, validate_label
from triage_platform.lib.humans.tables import as_utc, label_id_for, to_json

CHOICE_FIELDS = ("issue_types", "primary_issue", "severity", "sentiment")
TO_NAME = "text"


class LabelStudioError(ValueError):
    """A Label Studio file that cannot be imported (with the task and the reason)."""


def _result(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name in CHOICE_FIELDS:
        value = values[name]
        choices = list(value) if name == "issue_types" else [value]
        out.append(
            {
                "id": name,
                "from_name": name,
                "to_name": TO_NAME,
                "type": "choices",
                "value": {"choices": [str(c) for c in choices]},
            }
        )
    return out


def _iso(value: Any) -> str:
    return as_utc(value).isoformat()


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def export_tasks(labels: pd.DataFrame, pending: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Tasks for every labeled review (each label row one annotation, oldest first, with the prediction
    that was shown: its `before`) and for every pending item of `pending` (queue/backlog rows: the
    prediction only)."""
    tasks: list[dict[str, Any]] = []
    annotation_id = 0
    if not labels.empty:
        ordered = labels.sort_values(["review_key", "labeled_at", "label_id"])
        for review_key, group in ordered.groupby("review_key", sort=True):
            first = group.iloc[0]
            before = json.loads(first["before_json"]) if _none(first["before_json"]) else None
            annotations = []
            for row in group.to_dict("records"):
                annotation_id += 1
                annotations.append(
                    {
                        "id": annotation_id,
                        "completed_by": {"email": row["annotator"]},
                        "created_at": _iso(row["labeled_at"]),
                        "updated_at": _iso(row["labeled_at"]),
                        "was_cancelled": False,
                        "result": _result(annotation_fields(row)),
                        "triage_meta": {
                            "label_id": row["label_id"],
                            "before_json": _none(row["before_json"]),
                            "after_json": _none(row["after_json"]),
                            "taxonomy_version": _none(row["taxonomy_version"]),
                        },
                    }
                )
            task: dict[str, Any] = {
                "id": len(tasks) + 1,
                "data": {
                    "review_key": review_key,
                    "text": _none(first["text"]),
                    "title": _none(first["title"]),
                    "language": _none(first["language"]),
                    "source": _none(first["source"]),
                },
                "annotations": annotations,
                "predictions": [],
            }
            if before:
                task["predictions"] = [{"model_version": "before-label", "result": _result(before)}]
            tasks.append(task)
    labeled = set(labels["review_key"]) if not labels.empty else set()
    for row in pending.to_dict("records") if pending is not None and not pending.empty else []:
        if row["review_key"] in labeled:
            continue
        tasks.append(
            {
                "id": len(tasks) + 1,
                "data": {
                    "review_key": row["review_key"],
                    "text": _none(row.get("text_redacted")),
                    "title": _none(row.get("title_redacted")),
                    "language": _none(row.get("language")),
                    "source": _none(row.get("source")),
                },
                "predictions": [
                    {
                        "model_version": _none(row.get("model_version")) or "unknown",
                        "score": float(row["confidence"])
                        if _none(row.get("confidence")) is not None
                        else None,
                        "result": _result(annotation_fields(row)),
                    }
                ],
                "annotations": [],
            }
        )
    return tasks


def _choices(result: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in result or []:
        if item.get("type") != "choices" or item.get("from_name") not in CHOICE_FIELDS:
            continue
        out[item["from_name"]] = [str(c) for c in (item.get("value") or {}).get("choices") or []]
    return out


def _values(choices: Mapping[str, list[str]], fallback: Mapping[str, Any] | None) -> dict[str, Any]:
    fallback = fallback or {}
    values: dict[str, Any] = {"issue_types": choices.get("issue_types", fallback.get("issue_types", []))}
    for name in ("primary_issue", "severity", "sentiment"):
        picked = choices.get(name)
        values[name] = picked[0] if picked else fallback.get(name)
    return values


def _annotator(completed_by: Any) -> str:
    if isinstance(completed_by, Mapping):
        return str(
            completed_by.get("email")
            or completed_by.get("username")
            or f"label-studio:{completed_by.get('id')}"
        )
    if isinstance(completed_by, int):
        return f"label-studio:user-{completed_by}"
    return str(completed_by or "label-studio")


def import_tasks(tasks: Any, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Label rows (the `gold/labels` columns) of every non-cancelled annotation of `tasks`."""
    if not isinstance(tasks, list):
        raise LabelStudioError("a Label Studio export is a JSON list of tasks")
    rows: list[dict[str, Any]] = []
    for number, task in enumerate(tasks, start=1):
        data = task.get("data") if isinstance(task, Mapping) else None
        if not isinstance(data, Mapping) or not data.get("review_key"):
            raise LabelStudioError(f"task #{number}: needs data.review_key")
        predictions = task.get("predictions") or []
        predicted = _values(_choices(predictions[0].get("result")), None) if predictions else None
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                continue
            meta = annotation.get("triage_meta") or {}
            try:
                after = validate_label(_values(_choices(annotation.get("result")), predicted), taxonomy)
            except ValueError as error:
                raise LabelStudioError(f"task #{number} ({data['review_key']}): {error}") from error
            annotator = _annotator(annotation.get("completed_by"))
            stamp = annotation.get("created_at") or annotation.get("updated_at")
            labeled_at = as_utc(stamp) if stamp else as_utc(datetime.now(UTC))
            before_json = meta.get("before_json") or (to_json(predicted) if predicted else None)
            rows.append(
                {
                    "label_id": meta.get("label_id")
                    or label_id_for(data["review_key"], annotator, labeled_at, after),
                    "review_key": str(data["review_key"]),
                    "text": data.get("text"),
                    "title": data.get("title"),
                    "language": data.get("language"),
                    "source": data.get("source"),
                    **after,
                    "annotator": annotator,
                    "labeled_at": labeled_at.to_pydatetime(),
                    "taxonomy_version": meta.get("taxonomy_version") or taxonomy.fingerprint,
                    "before_json": before_json,
                    "after_json": meta.get("after_json") or to_json(after),
                }
            )
    return rows


def labeling_config(taxonomy: Taxonomy) -> str:
    """The Label Studio labeling interface for these tasks (paste into the project's settings)."""
    issues = "".join(f"<Choice value={quoteattr(c)}/>" for c in taxonomy.ids)
    primary = "".join(f"<Choice value={quoteattr(c)}/>" for c in ("none", *taxonomy.ids))
    severity = "".join(f"<Choice value={quoteattr(c)}/>" for c in SEVERITIES)
    sentiment = "".join(f"<Choice value={quoteattr(c)}/>" for c in SENTIMENTS)
    return (
        "<View>\n"
        '  <Header value="$title"/>\n  <Text name="text" value="$text"/>\n'
        f'  <Choices name="issue_types" toName="text" choice="multiple">{issues}</Choices>\n'
        f'  <Choices name="primary_issue" toName="text" choice="single">{primary}</Choices>\n'
        f'  <Choices name="severity" toName="text" choice="single">{severity}</Choices>\n'
        f'  <Choices name="sentiment" toName="text" choice="single">{sentiment}</Choices>\n'
        "</View>\n"
    )
