"""LLM cost of the cascade vs a naive one-call-per-review prompt, side by side.

Both run the real LLM stage code (prompt building, batching, few-shot selection, validation) through the
real `openai` client against a chat-completions server on 127.0.0.1 whose "model" answers every review
the same way (keyword rules), so the answers are of equal quality by construction and what differs is
only how the platform calls the model:

- cascade: rules and the local model first; only uncertain items (at most TRIAGE_LLM_SHARE, 20%) go to
  the LLM, eight reviews per request;
- naive: every review, one request each.

Tokens are the server's count (about one token per 4 characters of the request and answer). Run with
`python -m benchmarks.llm_efficiency [--reviews 400]`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.annotate_throughput import load_reviews


def measure(items: list, *, naive: bool, home: Path) -> dict[str, float]:
    from triage_platform.lib.annotate.factory import build_annotator
    from triage_platform.lib.annotate.taxonomy import load_taxonomy
    from triage_platform_tests.fakes.openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        env = {
            "OPENAI_BASE_URL": server.openai_base_url,
            "OPENAI_API_KEY": server.api_key,
            "TRIAGE_LLM_MODEL": "bench-naive" if naive else "bench-cascade",  # separate answer caches
            "TRIAGE_LLM_BATCH_SIZE": "1" if naive else "8",
            "TRIAGE_LLM_BUDGET_USD": "100",
        }
        annotator = build_annotator(load_taxonomy(), home, env=env)
        if naive:
            answered = annotator.llm.annotate(items)  # every review, one request each, no cascade
            sent = len(answered)
        else:
            annotator.annotate(items)
            sent = annotator.stats["llm_sent"]
        usage = annotator.llm.usage
        n = len(items)
        return {
            "llm_calls_per_review": usage.calls / n,
            "input_tokens_per_review": usage.input_tokens / n,
            "output_tokens_per_review": usage.output_tokens / n,
            "cost_usd_per_1k_reviews": usage.cost_usd / n * 1000,
            "share_sent_to_llm": sent / n,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=400)
    args = parser.parse_args(argv)
    items = load_reviews(args.reviews)
    with tempfile.TemporaryDirectory() as home:
        cascade = measure(items, naive=False, home=Path(home))
        naive = measure(items, naive=True, home=Path(home))
    print(f"LLM cost per review over {len(items)} demo reviews (equal-quality answers)")
    print(f"{'metric':<28}{'cascade':>12}{'naive':>12}")
    for key in cascade:
        print(f"{key:<28}{cascade[key]:>12.3f}{naive[key]:>12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
