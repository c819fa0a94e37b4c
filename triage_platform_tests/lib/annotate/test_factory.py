"""The cascade a deployment runs, assembled from TRIAGE_HOME and the environment: seed model out of the box,
the LLM stage on when an endpoint is configured (a real HTTP server on 127.0.0.1 speaking the
chat-completions protocol, driven by the real openai client), off with --no-llm, and every item still
annotated when the endpoint fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from triage_platform.lib.annotate.factory import FEW_SHOT_FILE, build_annotator
from triage_platform.lib.annotate.registry import ModelStore
from triage_platform.lib.annotate.schema import AnnotationInput
from triage_platform.lib.annotate.seed import seed_examples, seed_model_dir
from triage_platform.lib.annotate.taxonomy import load_taxonomy
from triage_platform_tests.fakes.openai_server import FakeOpenAIServer, ServerError

ITEMS = [
    AnnotationInput(id=f"r{i}", text=text, rating=rating)
    for i, (text, rating) in enumerate(
        [
            ("Hmm, not sure what to think about this one, it is a thing.", 3),
            ("meh", 2),
            ("It came and then it was not what I wanted, sort of.", 2),
            ("Perfect, exactly as pictured, arrived early!", 5),
            ("The charger got so hot it melted the outlet cover.", 1),
        ]
    )
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("triage_home")


def test_offline_default_uses_the_seed_model_and_no_llm(home: Path) -> None:
    annotator = build_annotator(load_taxonomy(), home, env={})
    assert annotator.llm is None and annotator.model.version.startswith("seed-")
    annotations = annotator.annotate(ITEMS)
    assert [a.id for a in annotations] == [i.id for i in ITEMS]
    assert annotations[4].primary_issue == "safety_hazard" and annotations[4].severity == "critical"


def test_llm_stage_takes_the_uncertain_share_and_no_llm_turns_it_off(home: Path) -> None:
    with FakeOpenAIServer() as server:
        env = {
            "OPENAI_BASE_URL": server.openai_base_url,
            "OPENAI_API_KEY": server.api_key,
            "TRIAGE_LLM_MODEL": "m",
        }
        annotator = build_annotator(load_taxonomy(), home, env={**env, "TRIAGE_LLM_SHARE": "0.4"})
        annotations = annotator.annotate(ITEMS)
        assert server.requests, "the uncertain items went to the LLM"
        assert any(a.stage == "llm" for a in annotations)
        assert sum(a.stage == "llm" for a in annotations) <= 2  # 40% of 5
        before = len(server.requests)
        off = build_annotator(load_taxonomy(), home, env=env, use_llm=False)
        assert off.llm is None
        off.annotate(ITEMS)
        assert len(server.requests) == before


def test_when_the_endpoint_fails_every_item_still_gets_an_annotation(home: Path) -> None:
    with FakeOpenAIServer() as server:
        server.script([ServerError(500)] * 20)
        env = {
            "OPENAI_BASE_URL": server.openai_base_url,
            "OPENAI_API_KEY": server.api_key,
            "TRIAGE_LLM_MODEL": "another-model",  # not in the answer cache of the test above
            "TRIAGE_LLM_MAX_RETRIES": "1",
            "TRIAGE_LLM_SHARE": "0.4",
        }
        annotator = build_annotator(load_taxonomy(), home, env=env)
        annotator.llm.sleep = lambda seconds: None
        annotations = annotator.annotate(ITEMS)
        assert len(annotations) == len(ITEMS)
        assert not any(a.stage == "llm" for a in annotations)
        assert annotator.stats["llm_failed"] >= 1
        assert sum(a.needs_human for a in annotations) >= annotator.stats["llm_failed"]


def test_a_live_model_brings_its_few_shot_set_and_prompt_version(home: Path, tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    build_annotator(taxonomy, home, env={})  # builds and caches the seed model
    store_home = tmp_path / "home"
    version = "model-20260301030000-cafebabe"
    folder = store_home / "models" / version
    shutil.copytree(
        seed_model_dir(taxonomy, home / "models"), folder
    )  # the seed model, stored as a trained version
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(model_version=version, few_shot_version="fs-cafebabe")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    examples = [e.model_dump(mode="json") for e in seed_examples(taxonomy)[:40]]
    (folder / FEW_SHOT_FILE).write_text("".join(json.dumps(e) + "\n" for e in examples))
    ModelStore(store_home / "models").promote(version, taxonomy)
    with FakeOpenAIServer() as server:
        env = {
            "OPENAI_BASE_URL": server.openai_base_url,
            "OPENAI_API_KEY": server.api_key,
            "TRIAGE_LLM_MODEL": "m",
        }
        annotator = build_annotator(taxonomy, store_home, env=env, llm_share=1.0)
        assert annotator.model.version == version and annotator.llm_share == 1.0
        assert annotator.llm.prompt_version == "llm-batch-v1+fs-cafebabe"
        annotations = annotator.annotate(ITEMS)
        assert any(a.prompt_version == "llm-batch-v1+fs-cafebabe" for a in annotations if a.stage == "llm")
        # this home has no label files: examples in the prompt can only come from the model's stored set
        shown = [r.message("user") for r in server.requests if "<examples>" in r.message("user")]
        assert shown and any(e["text"][:30] in message for e in examples for message in shown)
