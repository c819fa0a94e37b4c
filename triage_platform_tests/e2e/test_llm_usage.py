"""LLM spend lands in `ml/llm_usage`: silver/annotations runs with the LLM stage against the fake
chat-completions server (real `openai` client over HTTP), and each run's row carries exactly the calls,
retries, tokens and cost the server's responses reported, for the daily build and the nightly reprocess."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from triage_platform_tests.conftest import review, write_jsonl
from triage_platform_tests.e2e.platform import Platform
from triage_platform_tests.fakes.openai_server import FakeOpenAIServer, ServerError, Success

PRICE_IN, PRICE_OUT = 0.01, 0.03
"""USD per 1k tokens configured for the run."""

USAGES = [(500 + 37 * i, 40 + 11 * i) for i in range(60)]
"""(prompt_tokens, completion_tokens) the server reports, one pair per successful response, in order."""

UNSURE = [
    "love it but the lid leaks",
    "great but the cap leaks",
    "the lid leaks",
    "love it but the seal leaks",
    "the jar lid leaks",
]
"""Reviews the seed model is unsure about (confidence < 0.5): the cascade sends them to the LLM."""


def test_each_annotation_run_records_the_tokens_and_cost_the_server_reported(
    triage_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = "2026-03-02"
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        monkeypatch.setenv("TRIAGE_LLM_MODEL", "fake-model")
        monkeypatch.setenv("TRIAGE_LLM_SHARE", "1")
        monkeypatch.setenv("TRIAGE_LLM_BATCH_SIZE", "2")
        monkeypatch.setenv("TRIAGE_LLM_PRICE_INPUT_PER_1K", str(PRICE_IN))
        monkeypatch.setenv("TRIAGE_LLM_PRICE_OUTPUT_PER_1K", str(PRICE_OUT))
        server.script([ServerError(), *(Success(usage=usage) for usage in USAGES)])
        platform = Platform.start()
        write_jsonl(
            platform.landing / "social" / "posts.jsonl",
            [
                review(f"u{index}", day, text, rating=2)
                for index, text in enumerate([*UNSURE, "arrived late, again"])
            ],
        )
        platform.tick()
        daily_requests = [r for r in server.requests if r.accepted]
        assert len(daily_requests) == 4  # the 500, then 5 unsure reviews in batches of 2

        usage = platform.table("ml", "llm_usage")
        assert len(usage) == 1
        row = usage.iloc[0]
        answered = len(daily_requests) - 1  # the first request got the 500
        prompt = sum(p for p, _ in USAGES[:answered])
        completion = sum(c for _, c in USAGES[:answered])
        assert (row["mode"], row["model"], str(row["day"])) == ("daily", "fake-model", day)
        assert (row["calls"], row["retries"]) == (len(daily_requests), 1)
        assert (row["input_tokens"], row["output_tokens"]) == (prompt, completion)
        assert row["cost_usd"] == pytest.approx(prompt / 1000 * PRICE_IN + completion / 1000 * PRICE_OUT)
        assert (row["reviews_annotated"], row["llm_items_sent"]) == (6, len(UNSURE))
        assert row["run_id"] == platform.runs[-1]
        event = platform.instance.get_latest_materialization_event(dg.AssetKey(["silver", "annotations"]))
        metadata = event.asset_materialization.metadata
        assert metadata["llm_cost_usd"].value == pytest.approx(row["cost_usd"])
        assert metadata["llm_input_tokens"].value == prompt
        assert platform.instance.get_latest_materialization_event(dg.AssetKey(["ml", "llm_usage"]))

        # The nightly reprocess appends its own row: only what that run spent (the cache answers repeats).
        job = platform.defs.resolve_job_def("nightly_reprocess")
        result = job.execute_in_process(partition_key=day, instance=platform.instance)
        assert result.success
        night_requests = [r for r in server.requests if r.accepted][len(daily_requests) :]
        usage = platform.table("ml", "llm_usage").sort_values("recorded_at").reset_index(drop=True)
        assert list(usage["mode"]) == ["daily", "reprocess"]
        night = usage.iloc[1]
        used = USAGES[answered : answered + len(night_requests)]
        assert night["run_id"] == result.run_id
        assert (night["calls"], night["retries"]) == (len(night_requests), 0)
        assert night["input_tokens"] == sum(p for p, _ in used)
        assert night["output_tokens"] == sum(c for _, c in used)
        assert night["cost_usd"] == pytest.approx(
            sum(p for p, _ in used) / 1000 * PRICE_IN + sum(c for _, c in used) / 1000 * PRICE_OUT
        )
