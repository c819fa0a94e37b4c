-- One row per alert of the outbox, with the times of its first human steps. Follow-up messages ("now 25
-- reviews") are rows of the outbox too, but not alerts of their own: their lifecycle is the alert's.
select
    alert_id,
    kind,
    category,
    product_family,
    sku,
    coalesce(region, 'unknown') as region,
    owner,
    priority,
    review_count,
    lifecycle_status,
    delivery_status,
    window_start,
    cast(created_at as date) as created_day,
    created_at,
    delivered_at,
    acknowledged_at,
    investigating_at,
    fix_deployed_at,
    customer_contacted_at,
    closed_at,
    -- Acknowledgement time: from when the owner was told (delivery; creation when never delivered, e.g. an
    -- alert held for the digest and acknowledged in the UI) to the first acknowledgement.
    case when acknowledged_at is not null then
        greatest({{ seconds_between('coalesce(delivered_at, created_at)', 'acknowledged_at') }}, 0) / 60.0
    end as minutes_to_acknowledge,
    priority in ('high', 'critical') as is_high_priority
from {{ source('gold', 'alerts') }}
where kind in ('review', 'spike') and followup_of is null
