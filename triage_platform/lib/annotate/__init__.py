"""Annotation: turn a piece of customer feedback into owned, routed triage.

- `taxonomy`: which issue categories exist, who owns them, severities and thresholds (configuration).
- `schema`: the input and output contract of every annotator stage (`AnnotationInput`, `Annotation`).
- `rules`: the first, deterministic stage of the cascade (phrase patterns in `taxonomy/rules.yaml`).
- `routing`: alert, human review, labeling backlog or nothing, from confidence and severity.

Plain Python: no Dagster imports, so every piece is unit-tested directly.
"""

from triage_platform.lib.annotate.routing import (
    ALERT_SEVERITIES,
    ROUTES,
    Route,
    route_annotation,
    route_annotations,
)
from triage_platform.lib.annotate.rules import DEFAULT_RULES_PATH, RuleHit, RulesAnnotator, fold, load_rules
from triage_platform.lib.annotate.schema import (
    NO_ISSUE,
    Annotation,
    AnnotationInput,
    Sentiment,
    SeverityLevel,
    Stage,
    annotation_json_schema,
    validate_against_taxonomy,
)
from triage_platform.lib.annotate.taxonomy import (
    SEVERITY_LEVELS,
    SEVERITY_RANK,
    Category,
    Taxonomy,
    TaxonomyError,
    default_taxonomy_path,
    load_taxonomy,
    parse_taxonomy,
    taxonomy_fingerprint,
)

__all__ = [
    "ALERT_SEVERITIES",
    "DEFAULT_RULES_PATH",
    "NO_ISSUE",
    "ROUTES",
    "SEVERITY_LEVELS",
    "SEVERITY_RANK",
    "Annotation",
    "AnnotationInput",
    "Category",
    "Route",
    "RuleHit",
    "RulesAnnotator",
    "Sentiment",
    "SeverityLevel",
    "Stage",
    "Taxonomy",
    "TaxonomyError",
    "annotation_json_schema",
    "default_taxonomy_path",
    "fold",
    "load_rules",
    "load_taxonomy",
    "parse_taxonomy",
    "route_annotation",
    "route_annotations",
    "taxonomy_fingerprint",
    "validate_against_taxonomy",
]
