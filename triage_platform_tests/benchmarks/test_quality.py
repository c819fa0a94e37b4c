"""`benchmarks.quality --llm`: the held-out measurement through the whole cascade, against a real
chat-completions server on 127.0.0.1 driven by the real `openai` client (labels the project writes itself)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.quality import cascade_held_out, trainer
from triage_platform.lib.annotate import RulesAnnotator, load_taxonomy
from triage_platform.lib.annotate.labels import stable_split
from triage_platform.lib.annotate.model import ModelConfig
from triage_platform.lib.annotate.seed import seed_examples
from triage_platform_tests.fakes.openai_server import FakeOpenAIServer


def test_cascade_held_out_sends_only_held_out_items_with_few_shot_from_training_and_caches(
    tmp_path: Path,
) -> None:
    taxonomy = load_taxonomy()
    examples = seed_examples(taxonomy)[::10]
    train = trainer(taxonomy, ModelConfig(), RulesAnnotator(taxonomy))
    fit, held = stable_split(examples)
    cache = tmp_path / "llm.sqlite"

    assert cascade_held_out(train, examples, taxonomy, env={}, cache=cache, llm_share=1.0) is None
    assert not cache.exists()  # nothing is created for a stage that is off

    with FakeOpenAIServer() as server:
        env = {
            "OPENAI_BASE_URL": server.openai_base_url,
            "OPENAI_API_KEY": server.api_key,
            "TRIAGE_LLM_MODEL": "quality-bench",
            "TRIAGE_LLM_BUDGET_USD": "100",
        }
        outcome = cascade_held_out(train, examples, taxonomy, env=env, cache=cache, llm_share=1.0)
        assert outcome is not None
        report, usage = outcome
        assert report.n == len(held)
        assert usage.calls >= 1 and usage.answered >= 1 and usage.failures == 0
        sent = [review["text"] for request in server.chat_requests for review in request.reviews]
        held_texts, fit_texts = {e.text for e in held}, {e.text for e in fit}
        assert sent and set(sent) <= held_texts  # only held-out items are annotated by the LLM
        prompts = " ".join(
            request.message("system") + request.message("user") for request in server.chat_requests
        )
        assert any(text in prompts for text in fit_texts - held_texts)  # few-shot examples from training

        calls = len(server.chat_requests)
        again = cascade_held_out(train, examples, taxonomy, env=env, cache=cache, llm_share=1.0)
        assert again is not None
        assert len(server.chat_requests) == calls  # a rerun is answered from the cache
        assert again[0].macro_f1 == report.macro_f1
