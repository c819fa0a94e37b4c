"""Label Studio interchange: export → import round-trips `gold/labels` without loss, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from triage_platform.cli import main
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.humans.label_studio import (
    LabelStudioError,
    export_tasks,
    import_tasks,
    labeling_config,
)
from triage_platform.lib.humans.tables import LabelStore
from triage_platform.lib.paths import TriagePaths
from triage_platform_tests.humans_lake import canonical_labels, write_labeled_lake, write_tiny_lake


def test_export_then_import_round_trips_labels_without_loss(triage_home: Path, tmp_path: Path) -> None:
    actions = write_labeled_lake(TriagePaths(triage_home))
    before = actions.labels.all()
    assert len(before) == 4

    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(
        main,
        [
            "labels",
            "export",
            "--format",
            "label-studio",
            "--out",
            str(out),
            "--config",
            str(tmp_path / "config.xml"),
        ],
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads(out.read_text())
    by_key = {t["data"]["review_key"]: t for t in tasks}
    assert len(by_key["r-q2"]["annotations"]) == 2  # both annotators' labels, oldest first
    assert by_key["r-q4"]["annotations"] == [] and by_key["r-q4"]["predictions"][0]["score"] == pytest.approx(
        0.51
    )
    choices = {r["from_name"]: r["value"]["choices"] for r in by_key["r-q2"]["annotations"][0]["result"]}
    assert choices == {
        "issue_types": ["shipping_delay", "customer_service"],
        "primary_issue": ["shipping_delay"],
        "severity": ["high"],
        "sentiment": ["negative"],
    }
    assert 'name="issue_types"' in (tmp_path / "config.xml").read_text()

    # into the same lake: nothing new
    result = CliRunner().invoke(
        main, ["labels", "import", "--format", "label-studio", str(out), "--by", "ci"]
    )
    assert result.exit_code == 0 and "0 new labels, 4 already known" in result.output
    assert len(actions.labels.all()) == 4

    # into an empty lake: the same rows, bit for bit
    rows = import_tasks(tasks, load_taxonomy(None))
    fresh = LabelStore(tmp_path / "other" / "labels")
    fresh.append(rows)
    assert canonical_labels(fresh.all()) == canonical_labels(before)


def test_annotations_made_in_label_studio_are_validated_and_imported(triage_home: Path) -> None:
    taxonomy = load_taxonomy(None)
    labels = LabelStore(triage_home / "none").all()
    pending = pd.DataFrame(
        [
            {
                "review_key": "k1",
                "text_redacted": "late parcel",
                "issue_types": ["shipping_delay"],
                "primary_issue": "shipping_delay",
                "severity": "medium",
                "sentiment": "negative",
                "confidence": 0.4,
                "model_version": "m1",
                "language": "en",
                "source": "web",
            }
        ]
    )
    tasks = export_tasks(labels, pending)
    tasks[0]["annotations"] = [
        {
            "completed_by": 3,
            "created_at": "2026-03-04T08:00:00",
            "result": [
                {
                    "from_name": "issue_types",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": ["wrong_item"]},
                },
                {
                    "from_name": "severity",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": ["high"]},
                },
            ],
        },
        {"completed_by": 4, "was_cancelled": True, "result": []},
    ]
    rows = import_tasks(tasks, taxonomy)
    assert len(rows) == 1
    row = rows[0]
    assert row["annotator"] == "label-studio:user-3" and row["issue_types"] == ["wrong_item"]
    assert row["labeled_at"].isoformat() == "2026-03-04T08:00:00+00:00"  # a naive Label Studio time is UTC
    assert (
        row["primary_issue"] == "wrong_item" and row["severity"] == "high" and row["sentiment"] == "negative"
    )
    assert json.loads(row["before_json"])["issue_types"] == ["shipping_delay"]
    assert import_tasks(tasks, taxonomy)[0]["label_id"] == row["label_id"]  # deterministic
    tasks[0]["annotations"][0]["result"][0]["value"]["choices"] = ["not_a_category"]
    with pytest.raises(LabelStudioError, match="unknown categories"):
        import_tasks(tasks, taxonomy)
    with pytest.raises(LabelStudioError, match="review_key"):
        import_tasks([{"data": {}}], taxonomy)
    assert '<Choices name="severity"' in labeling_config(taxonomy)


def test_an_invalid_annotation_is_refused_and_the_rest_of_the_file_is_imported(
    triage_home: Path, tmp_path: Path
) -> None:
    paths = TriagePaths(triage_home)
    write_tiny_lake(paths, with_alerts=False, with_users=False)

    def task(review_key: str, category: str) -> dict:
        choice = {"from_name": "issue_types", "to_name": "text", "type": "choices"}
        result = [{**choice, "value": {"choices": [category]}}]
        return {"data": {"review_key": review_key}, "annotations": [{"completed_by": 7, "result": result}]}

    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task("r-q1", "not_a_category"), task("r-q2", "shipping_delay")]))
    result = CliRunner().invoke(main, ["labels", "import", "--format", "label-studio", str(path)])
    assert result.exit_code == 1
    assert "1 new labels, 0 already known, 1 refused" in result.stdout
    assert "item #1 (r-q1): unknown categories ['not_a_category']" in result.stderr
    assert list(LabelStore(paths.table("gold", "labels")).all()["review_key"]) == ["r-q2"]
