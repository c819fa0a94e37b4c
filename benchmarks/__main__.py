"""`python -m benchmarks`: run every benchmark (annotation throughput, then LLM cost per review)."""

from benchmarks import annotate_throughput, llm_efficiency

if __name__ == "__main__":
    status = annotate_throughput.main()
    print()
    raise SystemExit(status or llm_efficiency.main([]))
