-- Unresolved high-severity items: high or critical reviews that still wait for someone. A review is
-- resolved when its status says so (no action needed, resolved, dismissed) or an alert that counted it
-- reached fix_deployed, customer_contacted or closed.
with alert_evidence as (
    select
        exploded.review_key,
        max(case when a.lifecycle_status in ('fix_deployed', 'customer_contacted', 'closed') then 1 else 0 end)
            as alert_resolved,
        max(a.alert_id) as alert_id,
        max(a.lifecycle_status) as alert_lifecycle_status
    from {{ source('gold', 'alerts') }} as a {{ explode_array('a.evidence_keys', 'review_key') }}
    where a.kind in ('review', 'spike')
    group by 1
)

select
    r.day,
    r.review_key,
    r.source,
    r.primary_issue,
    r.severity,
    r.product_family,
    r.sku,
    r.region,
    r.owner,
    r.route,
    r.status,
    e.alert_id,
    e.alert_lifecycle_status,
    r.text_redacted,
    r.first_annotated_at
from {{ ref('stg_reviews') }} as r
left join alert_evidence as e on e.review_key = r.review_key
where r.is_high_severity
    and r.status not in ('no_action', 'resolved', 'dismissed', 'closed')
    and coalesce(e.alert_resolved, 0) = 0
