"""Annotation throughput: reviews per second of the rules stage, the local model and the local cascade.

Texts come from the demo generator (`generate_demo`: on-site and app-store reviews of every language,
with PII, emoji, HTML and mojibake noise) written to a temporary folder; languages are detected first, as
the silver layer does, outside the timing. Each annotator runs single-process over the whole set, then
on `--workers` processes (default 2, the size of the platform's machines) over equal chunks, started
before the clock and warmed up, so the number is the steady-state rate of the annotation step.

The models are the seed model of the default taxonomy and a model of the default training configuration
(with the cue-window blocks the seed model leaves out), both trained here in a temporary TRIAGE_HOME; the
verdict is on the slower cascade.

    python -m benchmarks [--reviews 20000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

TARGET_CASCADE_PER_SECOND = 2_000

_STATE: dict[str, Any] = {}


def load_reviews(count: int, seed: int = 11) -> list[Any]:
    """`count` demo reviews as `AnnotationInput`s (language detected as silver does)."""
    from triage_platform.lib.annotate import AnnotationInput
    from triage_platform.lib.demo import generate_demo
    from triage_platform.lib.text.language import detect_languages

    per_day = max(200, count // 6)
    days = 1
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        while len(rows) < count:
            days += 1
            generate_demo(Path(folder), days=days, per_day=per_day, seed=seed)
            rows = _read_rows(Path(folder))
    rows = rows[:count]
    languages = detect_languages([r["text"] for r in rows])
    return [
        AnnotationInput(
            id=str(i),
            text=r["text"],
            title=r.get("title"),
            rating=r.get("rating"),
            source=r["source"],
            language=language if language != "und" else None,
        )
        for i, (r, (language, _confidence)) in enumerate(zip(rows, languages, strict=True))
    ]


def _read_rows(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for source, text_key, rating_key in (
        ("onsite_review", "text", "rating"),
        ("app_store", "content", "score"),
    ):
        for file in sorted((folder / source).glob("*.jsonl")):
            for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # the generator plants malformed lines on purpose
                text = record.get(text_key) if isinstance(record, dict) else None
                if not isinstance(text, str) or not text.strip():
                    continue
                rating = record.get(rating_key)
                rows.append(
                    {
                        "text": text,
                        "title": record.get("title") if isinstance(record.get("title"), str) else None,
                        "rating": float(rating)
                        if isinstance(rating, int | float) and 1 <= rating <= 5
                        else None,
                        "source": source,
                    }
                )
    return rows


def _annotators(home: str) -> dict[str, Callable[[Sequence[Any]], Any]]:
    """Built once per process: rules, model (+ its own rules pass) and cascade over the default taxonomy."""
    if "annotators" not in _STATE:
        os.environ["TRIAGE_HOME"] = home
        from triage_platform.lib.annotate import RulesAnnotator, load_taxonomy
        from triage_platform.lib.annotate.cascade import CascadeAnnotator
        from triage_platform.lib.annotate.model import ModelConfig, TriageModel
        from triage_platform.lib.annotate.seed import seed_examples, seed_model

        taxonomy = load_taxonomy()
        rules = RulesAnnotator(taxonomy)
        model = seed_model(taxonomy, rules=rules)
        cascade = CascadeAnnotator(taxonomy, model, rules=rules)
        # a model of the default training config (cue-window blocks on, unlike the seed model's), trained
        # here on seed examples: what `triage train` produces costs the same per review
        trained_dir = Path(home) / "bench-trained-model"
        if (trained_dir / "manifest.json").is_file():
            trained = TriageModel.load(trained_dir, taxonomy, rules=rules)
        else:
            examples = seed_examples(taxonomy, per_language=200)
            trained = TriageModel.train(examples, taxonomy, ModelConfig(cv_folds=2), rules=rules)
            trained.save(trained_dir)
        trained_cascade = CascadeAnnotator(taxonomy, trained, rules=rules)
        _STATE["annotators"] = {
            "rules": rules.annotate,
            "model (incl. its rules features)": model.predict,
            "cascade (rules + seed model)": cascade.annotate,
            "cascade (rules + trained-config model)": trained_cascade.annotate,
        }
    return _STATE["annotators"]


def _run_chunk(home: str, name: str, items: Sequence[Any]) -> tuple[int, float]:
    annotate = _annotators(home)[name]
    start = time.perf_counter()
    out = annotate(items)
    return len(out), time.perf_counter() - start


def _warm(home: str, items: Sequence[Any]) -> int:
    for annotate in _annotators(home).values():
        annotate(items)
    return os.getpid()


def measure(
    items: Sequence[Any], workers: int, home: str, batch: int = 1_000
) -> list[tuple[str, float, float]]:
    """(annotator, reviews/s on 1 process, reviews/s on `workers` processes) for each annotator."""
    names = list(_annotators(home))
    _warm(home, items[:200])
    results: list[tuple[str, float, float]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_warm, [home] * workers, [items[:200]] * workers))
        for name in names:
            start = time.perf_counter()
            for offset in range(0, len(items), batch):
                _run_chunk(home, name, items[offset : offset + batch])
            single = len(items) / (time.perf_counter() - start)
            chunks = [items[offset : offset + batch] for offset in range(0, len(items), batch)]
            start = time.perf_counter()
            done = sum(n for n, _ in pool.map(_run_chunk, [home] * len(chunks), [name] * len(chunks), chunks))
            parallel = done / (time.perf_counter() - start)
            results.append((name, single, parallel))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
        start = time.perf_counter()
        items = load_reviews(args.reviews)
        prepared = time.perf_counter() - start
        start = time.perf_counter()
        _annotators(home)
        built = time.perf_counter() - start
        results = measure(items, args.workers, home)

    chars = sum(len(i.text) for i in items) / len(items)
    print(
        f"annotation throughput: {len(items):,} demo reviews (mean {chars:.0f} chars), cores {os.cpu_count()}"
    )
    print(f"  data generated in {prepared:.1f} s; models built/loaded in {built:.1f} s")
    print(f"  {'annotator':36s} {'1 process':>12s} {f'{args.workers} processes':>14s}")
    for name, single, parallel in results:
        print(f"  {name:36s} {single:10,.0f}/s {parallel:12,.0f}/s")
    cascade = min(parallel for name, _single, parallel in results if name.startswith("cascade"))
    verdict = "meets" if cascade >= TARGET_CASCADE_PER_SECOND else "MISSES"
    print(
        f"  local cascade on {args.workers} processes: {cascade:,.0f}/s, {verdict} the {TARGET_CASCADE_PER_SECOND:,}/s target"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
