-- Alert acknowledgement: one row per review or spike alert, with minutes from delivery (creation when it
-- was never delivered) to the owner's first acknowledgement; null while unacknowledged. `alert_day` is
-- the day of the reviews the alert is about, `created_day` the day the platform raised it.
select
    alert_id,
    cast(window_start as date) as alert_day,
    created_day,
    kind,
    category,
    product_family,
    region,
    owner,
    priority,
    is_high_priority,
    delivery_status,
    lifecycle_status,
    created_at,
    delivered_at,
    acknowledged_at,
    closed_at,
    minutes_to_acknowledge,
    acknowledged_at is not null as is_acknowledged
from {{ ref('stg_alerts') }}
