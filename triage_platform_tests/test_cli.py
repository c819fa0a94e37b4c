"""The `triage` command as a user runs it: a real subprocess on a temporary TRIAGE_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from triage_platform.lib.annotate.labels import load_labels
from triage_platform.lib.annotate.seed import seed_examples
from triage_platform.lib.annotate.taxonomy import load_taxonomy

TRIAGE = str(Path(sys.executable).parent / "triage")


def triage(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRIAGE_HOME": str(home)}
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "TRIAGE_LLM_MODEL", "AZURE_OPENAI_ENDPOINT"):
        env.pop(name, None)
    result = subprocess.run([TRIAGE, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Labeled examples the test writes itself (the seed generator's), in the dev.jsonl format."""
    path = tmp_path_factory.mktemp("labels") / "labels.jsonl"
    rows = [example.model_dump(mode="json") for example in seed_examples(load_taxonomy())[:600]]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert len(load_labels(path)) == 600
    return path


def test_annotate_works_offline_in_an_empty_home_and_redacts_first(tmp_path: Path) -> None:
    reviews = tmp_path / "in.jsonl"
    reviews.write_text(
        json.dumps(
            {"id": "a", "text": "The charger got so hot it melted. Call me on +1 (415) 555-0134", "rating": 1}
        )
        + "\n"
        + json.dumps({"id": "b", "text": "Produto chegou quebrado e a loja não responde."})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    triage(tmp_path / "home", "annotate", "--in", str(reviews), "--out", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["primary_issue"] == "safety_hazard" and rows[0]["severity"] == "critical"
    assert rows[1]["language"] == "pt" and "packaging_damage" in rows[1]["issue_types"]
    assert all(
        {"sentiment", "confidence", "needs_human", "stage", "taxonomy_version"} <= r.keys() for r in rows
    )
    assert "555-0134" not in out.read_text()


def test_train_evaluate_and_the_model_registry(tmp_path: Path, labels: Path) -> None:
    home = tmp_path / "home"
    first, second = home / "models" / "m1", home / "models" / "m2"
    triage(home, "train", "--labels", str(labels), "--out", str(first))
    report = json.loads(
        triage(home, "evaluate", "--labels", str(labels), "--model", str(first), "--json").stdout
    )
    assert report["macro_f1"] > 0.5 and set(report["categories"]) == set(load_taxonomy().ids)
    assert triage(home, "model", "rollback", check=False).returncode != 0  # nothing to roll back to yet
    triage(home, "train", "--labels", str(labels), "--out", str(second))
    v1 = json.loads((first / "manifest.json").read_text())["model_version"]
    v2 = json.loads((second / "manifest.json").read_text())["model_version"]
    (first).rename(home / "models" / v1)
    (second).rename(home / "models" / v2)
    triage(home, "model", "promote", v1)
    triage(home, "model", "promote", v2)
    assert f"* {v2}" in triage(home, "model", "list").stdout
    assert v1 in triage(home, "model", "rollback").stdout
    assert f"* {v1}" in triage(home, "model", "list").stdout
