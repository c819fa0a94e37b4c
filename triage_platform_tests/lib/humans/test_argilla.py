"""Argilla interchange: export → import round-trips `gold/labels` without loss, answers given in Argilla
come back as labels, invalid ones are refused with their reason while the rest goes on (through the CLI)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from triage_platform.cli import main
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform.lib.humans.actions import Actor, HumanActions
from triage_platform.lib.humans.argilla import (
    ArgillaError,
    argilla_user_id,
    dataset_settings,
    read_records,
)
from triage_platform.lib.humans.tables import AuditLog, LabelStore
from triage_platform.lib.paths import TriagePaths
from triage_platform_tests.humans_lake import (
    LABELS_START,
    canonical_labels,
    write_labeled_lake,
    write_tiny_lake,
)

OLGA = "9a3e6a52-2f8c-4d55-8f0e-3c1b2a4d5e6f"


def _labeled_lake(triage_home: Path) -> HumanActions:
    actions = write_labeled_lake(TriagePaths(triage_home))
    actions.label(  # leo again on r-q2: Argilla shows his latest answer, the earlier one travels along
        "r-q2",
        Actor("leo"),
        {"issue_types": ["shipping_delay"], "severity": "critical"},
        now=LABELS_START + timedelta(seconds=4),
    )
    return actions


def _export(tmp_path: Path) -> tuple[list[dict], dict]:
    out = tmp_path / "records.json"
    args = ["labels", "export", "--format", "argilla", "--out", str(out), "--argilla-user", f"ana={OLGA}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    settings = json.loads((tmp_path / "records.settings.json").read_text())  # written next to the records
    return json.loads(out.read_text()), settings


def _import(path: Path, *extra: str) -> tuple[int, str, str]:
    args = ["labels", "import", "--format", "argilla", str(path), "--by", "ci", *extra]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def test_export_then_import_round_trips_labels_without_loss(triage_home: Path, tmp_path: Path) -> None:
    actions = _labeled_lake(triage_home)
    before = actions.labels.all()
    assert len(before) == 5

    records, settings = _export(tmp_path)
    by_key = {r["id"]: r for r in records}
    q2 = by_key["r-q2"]
    assert q2["metadata"]["review_key"] == "r-q2" and q2["status"] == "completed"
    assert q2["fields"]["text"] == "Delivery took three weeks, nobody answered"
    # one answer per user and question (Argilla's rule): leo's latest and ana's label
    severity = {a["user_id"]: a["value"] for a in q2["responses"]["severity"]}
    assert severity == {argilla_user_id("leo"): "critical", OLGA: "high"}  # ana's Argilla id given
    assert {a["status"] for a in q2["responses"]["issue_types"]} == {"submitted"}
    assert q2["suggestions"]["primary_issue"] == {
        "value": "shipping_delay",
        "score": None,
        "agent": "before-label",
    }
    assert "issue_types" not in by_key["r-b1"]["responses"]  # no issue: the optional question left blank
    pending = by_key["r-q4"]
    assert pending["responses"] == {} and pending["status"] == "pending"
    assert pending["suggestions"]["issue_types"]["value"] == ["wrong_item"]
    assert pending["suggestions"]["severity"]["score"] == pytest.approx(0.51)
    assert pending["suggestions"]["severity"]["agent"] == pending["metadata"]["model_version"]

    questions = {q["name"]: q for q in settings["questions"]}
    assert questions["issue_types"]["settings"]["type"] == "multi_label_selection"
    assert [o["value"] for o in questions["issue_types"]["settings"]["options"]] == list(
        load_taxonomy(None).ids
    )
    assert {questions[n]["settings"]["type"] for n in ("primary_issue", "severity", "sentiment")} == {
        "label_selection"
    }
    assert {f["name"] for f in settings["fields"]} == {"text", "title"}
    assert "review_key" in {m["name"] for m in settings["metadata"]} and settings["allow_extra_metadata"]

    # into the same lake: nothing new
    code, out, err = _import(tmp_path / "records.json")
    assert code == 0, err
    assert "0 new labels, 5 already known, 0 refused" in out
    assert len(actions.labels.all()) == 5

    # into an empty lake: the same rows, bit for bit
    result = read_records(records, load_taxonomy(None))
    assert result.refused == []
    fresh = LabelStore(tmp_path / "other" / "labels")
    fresh.append(result.rows)
    assert canonical_labels(fresh.all()) == canonical_labels(before)


def test_a_record_labeled_in_argilla_is_imported_once(triage_home: Path, tmp_path: Path) -> None:
    paths = TriagePaths(triage_home)
    write_tiny_lake(paths, with_alerts=False, with_users=False)
    reviewer = "0b7c2d7e-1111-4222-8333-944455556666"
    record = {  # as `dataset.records.to_json` writes it: no platform metadata, answers without status
        "id": "r-q3",
        "fields": {"text": "The size chart is wrong, runs two sizes small"},
        "metadata": {},
        "suggestions": {
            "issue_types": {"value": ["sizing_fit"], "score": 0.55, "agent": "m1"},
            "severity": {"value": "low", "score": 0.55, "agent": "m1"},
            "sentiment": {"value": "negative", "score": 0.55, "agent": "m1"},
        },
        "responses": {
            "issue_types": [
                {"value": ["sizing_fit", "product_defect"], "user_id": reviewer},
                {"value": ["wrong_item"], "user_id": "draft-user", "status": "draft"},
                {"value": ["sizing_fit"], "user_id": OLGA, "status": "submitted"},
            ],
            "primary_issue": [{"value": "product_defect", "user_id": reviewer}],
        },
        "vectors": {},
        "status": "completed",
        "_server_id": "6f1d0c3a-0000-4000-8000-000000000001",
    }
    path = tmp_path / "from-argilla.json"
    path.write_text(json.dumps([record]))

    code, out, err = _import(path, "--argilla-user", f"olga={OLGA}")
    assert code == 0, err
    assert "2 new labels" in out  # the draft answer is not a label
    labels = LabelStore(paths.table("gold", "labels")).all().set_index("annotator", drop=False)
    assert sorted(labels["annotator"]) == sorted([f"argilla:{reviewer}", "olga"])  # a known Argilla user
    row = labels.loc[f"argilla:{reviewer}"]
    assert row["review_key"] == "r-q3" and row["annotator"] == f"argilla:{reviewer}"
    assert list(row["issue_types"]) == ["sizing_fit", "product_defect"]
    assert row["primary_issue"] == "product_defect"
    assert row["severity"] == "low" and row["sentiment"] == "negative"  # unanswered: the suggestion
    assert json.loads(row["before_json"])["issue_types"] == ["sizing_fit"]
    audit = AuditLog(paths.table("gold", "audit_log")).all()
    assert set(audit["via"]) == {"argilla"} and set(audit["action"]) == {"label.import"}

    code, out, _ = _import(path, "--argilla-user", f"olga={OLGA}")  # the same file again adds nothing
    assert code == 0 and "0 new labels, 2 already known" in out


def test_an_invalid_answer_is_refused_with_its_reason_and_the_rest_goes_on(
    triage_home: Path, tmp_path: Path
) -> None:
    paths = TriagePaths(triage_home)
    write_tiny_lake(paths, with_alerts=False, with_users=False)
    good = {
        "id": "r-q1",
        "fields": {"text": "Box arrived crushed"},
        "responses": {
            "issue_types": [{"value": ["packaging_damage"], "user_id": "u-1", "status": "submitted"}],
            "severity": [{"value": "high", "user_id": "u-1", "status": "submitted"}],
        },
    }
    unknown_category = {
        "id": "r-q2",
        "fields": {"text": "Delivery took three weeks"},
        "responses": {"issue_types": [{"value": ["teleportation"], "user_id": "u-1", "status": "submitted"}]},
    }
    bad_severity = {
        "id": "r-q4",
        "fields": {"text": "Veio o produto errado"},
        "responses": {
            "issue_types": [{"value": ["wrong_item"], "user_id": "u-2"}],
            "severity": [{"value": "apocalyptic", "user_id": "u-2"}],
        },
    }
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([unknown_category, good, bad_severity, {"fields": {}}]))

    code, out, err = _import(path)
    assert code == 1
    assert "1 new labels" in out and "3 refused" in out
    assert "item #1 (r-q2): unknown categories ['teleportation']" in err
    assert "item #3 (r-q4): unknown severity 'apocalyptic'" in err
    assert "item #4 (no review key): needs metadata.review_key or an id" in err
    labels = LabelStore(paths.table("gold", "labels")).all()
    assert list(labels["review_key"]) == ["r-q1"] and list(labels["severity"]) == ["high"]
    with pytest.raises(ArgillaError, match="JSON list"):
        read_records({"records": []}, load_taxonomy(None))


def test_settings_list_every_category_severity_and_sentiment() -> None:
    taxonomy = load_taxonomy(None)
    questions = {q["name"]: q for q in dataset_settings(taxonomy)["questions"]}
    primary = [o["value"] for o in questions["primary_issue"]["settings"]["options"]]
    assert primary == ["none", *taxonomy.ids]
    assert questions["issue_types"]["required"] is False  # a review may report no issue
    assert [o["value"] for o in questions["severity"]["settings"]["options"]][-1] == "critical"
    assert pd.Series([q["title"] for q in questions.values()]).notna().all()
