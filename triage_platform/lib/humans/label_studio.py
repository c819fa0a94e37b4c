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

from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.humans.actions import SENTIMENTS, SEVERITIES, annotation_fields
from triage_platform.lib.humans.interchange import (
    REVIEW_DATA,
    ImportResult,
    collect_labels,
    iso,
    label_row,
    labeled_reviews,
    missing_to_none,
    pending_items,
)

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


def export_tasks(labels: pd.DataFrame, pending: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Tasks for every labeled review (each label row one annotation, oldest first, with the prediction
    that was shown: its `before`) and for every pending item of `pending` (queue/backlog rows: the
    prediction only)."""
    tasks: list[dict[str, Any]] = []
    annotation_id = 0
    for review in labeled_reviews(labels):
        annotations = []
        for row in review.rows:
            annotation_id += 1
            annotations.append(
                {
                    "id": annotation_id,
                    "completed_by": {"email": row["annotator"]},
                    "created_at": iso(row["labeled_at"]),
                    "updated_at": iso(row["labeled_at"]),
                    "was_cancelled": False,
                    "result": _result(annotation_fields(row)),
                    "triage_meta": {
                        "label_id": row["label_id"],
                        "before_json": missing_to_none(row["before_json"]),
                        "after_json": missing_to_none(row["after_json"]),
                        "taxonomy_version": missing_to_none(row["taxonomy_version"]),
                    },
                }
            )
        task: dict[str, Any] = {
            "id": len(tasks) + 1,
            "data": {"review_key": review.review_key, **review.data},
            "annotations": annotations,
            "predictions": [],
        }
        if review.before:
            task["predictions"] = [{"model_version": "before-label", "result": _result(review.before)}]
        tasks.append(task)
    for item in pending_items(labels, pending):
        tasks.append(
            {
                "id": len(tasks) + 1,
                "data": {"review_key": item["review_key"], **{name: item[name] for name in REVIEW_DATA}},
                "predictions": [
                    {
                        "model_version": item["model_version"] or "unknown",
                        "score": item["confidence"],
                        "result": _result(annotation_fields(item)),
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


def read_tasks(tasks: Any, taxonomy: Taxonomy) -> ImportResult:
    """Label rows (the `gold/labels` columns) of every non-cancelled annotation of `tasks`; an invalid
    annotation (or a task without `data.review_key`) is refused with its reason and the rest goes on."""
    if not isinstance(tasks, list):
        raise LabelStudioError("a Label Studio export is a JSON list of tasks")

    def task_rows(task: Any, result: ImportResult, number: int) -> None:
        data = task.get("data") if isinstance(task, Mapping) else None
        if not isinstance(data, Mapping) or not data.get("review_key"):
            raise ValueError("needs data.review_key")
        review_key = str(data["review_key"])
        predictions = task.get("predictions") or []
        predicted = _values(_choices(predictions[0].get("result")), None) if predictions else None
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                continue
            result.add(
                number,
                review_key,
                lambda annotation=annotation: label_row(
                    review_key,
                    data,
                    _values(_choices(annotation.get("result")), predicted),
                    taxonomy,
                    annotator=_annotator(annotation.get("completed_by")),
                    labeled_at=annotation.get("created_at") or annotation.get("updated_at"),
                    predicted=predicted,
                    meta=annotation.get("triage_meta"),
                ),
            )

    return collect_labels(tasks, task_rows)


def import_tasks(tasks: Any, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Label rows of every non-cancelled annotation of `tasks`, all or nothing: the first refused
    annotation raises `LabelStudioError` (`read_tasks` imports the rest instead)."""
    result = read_tasks(tasks, taxonomy)
    if result.refused:
        first = result.refused[0]
        raise LabelStudioError(f"task #{first.item} ({first.review_key or '?'}): {first.reason}")
    return result.rows


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
