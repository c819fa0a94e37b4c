"""Pure text processing for reviews (no Dagster): normalization, PII redaction, language detection and
deduplication. Silver calls these; they are unit-tested on their own."""

from triage_platform.lib.text.dedup import DedupItem, find_duplicate_groups
from triage_platform.lib.text.language import SUPPORTED_LANGUAGES, detect_language, detect_languages
from triage_platform.lib.text.normalize import (
    BOILERPLATE_PATTERNS,
    content_fingerprint,
    normalize_text,
    standardize_sku,
)
from triage_platform.lib.text.pii import Redaction, contains_pii, redact_pii

__all__ = [
    "BOILERPLATE_PATTERNS",
    "SUPPORTED_LANGUAGES",
    "DedupItem",
    "Redaction",
    "contains_pii",
    "content_fingerprint",
    "detect_language",
    "detect_languages",
    "find_duplicate_groups",
    "normalize_text",
    "redact_pii",
    "standardize_sku",
]
