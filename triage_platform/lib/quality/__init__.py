"""Guards: the pure logic behind the platform's asset checks (no Dagster imports).

Every check returns a `CheckOutcome(passed, severity, description, metadata)`, which maps onto a Dagster
`AssetCheckResult`:

- `contracts`: schema contracts of the medallion tables (`check_schema`, `check_contract`, `CONTRACTS`);
- `expectations`: Great Expectations suites (`run_suite` and the per-table builders) and the row-count
  anomaly against the trailing week (`row_count_anomaly`); GX is imported lazily;
- `slo`: latency percentiles per hop and freshness (`latency_outcome`, `hop_latencies`, `SloTargets`,
  `freshness_outcome`);
- `drift`: population stability index and vocabulary shift (`psi`, `vocabulary_shift`, `drift_outcome`);
- `recall`: per-category recall floors and the categories whose alerts are paused.
"""

from triage_platform.lib.quality.contracts import (
    CONTRACTS,
    CheckOutcome,
    Contract,
    check_contract,
    check_schema,
)

__all__ = ["CONTRACTS", "CheckOutcome", "Contract", "check_contract", "check_schema"]
