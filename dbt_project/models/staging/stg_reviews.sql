-- One row per review (gold), with the flags every ROI measure counts. Text is the redacted text only.
with first_annotation as (
    -- The first time the platform annotated (and so routed) the review. silver/annotations may keep
    -- several versions of a review's annotation; the first one is the first triage decision.
    select review_key, min(annotated_at) as first_annotated_at, count(*) as annotation_versions
    from {{ source('silver', 'annotations') }}
    group by 1
)

select
    r.day,
    r.review_key,
    r.source,
    r.rating,
    r.sku,
    r.product_family,
    coalesce(r.region, 'unknown') as region,
    r.language,
    r.text_redacted,
    r.issue_types,
    r.primary_issue,
    r.sentiment,
    r.severity,
    r.confidence,
    r.owner,
    r.stage,
    r.needs_human,
    r.route,
    r.status,
    coalesce(r.human_override, false) as human_override,
    r.file_landed_at,
    r.ingested_at,
    coalesce(a.first_annotated_at, r.annotated_at) as first_annotated_at,
    coalesce(a.annotation_versions, 1) as annotation_versions,
    -- Time to first triage: from the file landing (its modification time as discovered) to the first
    -- annotation, which is also when the route (alert / human review / backlog / none) was decided.
    greatest({{ seconds_between('r.file_landed_at', 'coalesce(a.first_annotated_at, r.annotated_at)') }}, 0) / 60.0
        as minutes_to_first_triage,
    r.sentiment in ('negative', 'mixed') as is_negative,
    r.severity in ('high', 'critical') as is_high_severity,
    r.source = 'support_ticket' as is_support_ticket,
    {{ array_contains('r.issue_types', "'refund_request'") }} as is_refund_request,
    -- Triaged with no person involved: the platform alerted the owner or decided nothing was needed.
    (r.route in ('alert', 'none') and not coalesce(r.human_override, false)) as is_auto_triaged,
    -- A high-severity item reached a person (owner alert or review queue) and no human overrode it.
    (r.severity in ('high', 'critical') and r.route in ('alert', 'human_review')
        and not coalesce(r.human_override, false)) as is_high_severity_correctly_routed,
    r.stage = 'llm' as is_llm_decided
from {{ source('gold', 'reviews') }} as r
left join first_annotation as a on a.review_key = r.review_key
