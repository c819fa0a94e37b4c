-- One row per annotation run (daily or nightly reprocess) with the LLM spend the stage recorded.
select
    cast(day as date) as day,
    run_id,
    mode,
    reviews_annotated,
    llm_items_sent,
    calls,
    retries,
    input_tokens,
    output_tokens,
    cast(cost_usd as double) as cost_usd,
    model,
    recorded_at
from {{ source('ml', 'llm_usage') }}
