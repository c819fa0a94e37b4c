"""`python -m benchmarks`: run every benchmark (today: annotation throughput)."""

from benchmarks.annotate_throughput import main

if __name__ == "__main__":
    raise SystemExit(main())
