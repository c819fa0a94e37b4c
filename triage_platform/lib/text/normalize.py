"""Text normalization: turn a review as received (mojibake, HTML, app boilerplate) into the clean text
every later stage reads, plus the SKU standardization and the content fingerprint used for dedup."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

import ftfy
from bs4 import BeautifulSoup

# Boilerplate that channels and devices append to reviews. It carries no customer signal and would make
# copies of the same review look different, so it is removed. Regexes, matched case-insensitively.
BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"\bsent from my (?:iphone|ipad|android(?: phone)?|samsung(?: galaxy)?(?: smartphone)?|galaxy|"
    r"mobile(?: device)?|phone|smartphone|blackberry)\b",
    r"\benviado do meu (?:iphone|ipad|android|celular|smartphone|samsung)\b",
    r"\benviado desde mi (?:iphone|ipad|android|celular|m[oó]vil|smartphone|samsung)\b",
    r"\bvon meinem (?:iphone|ipad|android|smartphone|handy) gesendet\b",
    r"\benvoy[ée] de mon (?:iphone|ipad|android|smartphone|mobile)\b",
    r"\[\s*this review was collected as part of a promotion\.?\s*\]",
    r"\[\s*(?:esta|essa) avalia[cç][aã]o foi coletada como parte de uma promo[cç][aã]o\.?\s*\]",
    r"^\s*(?:originally\s+)?posted (?:on|to|at) (?:our|the) (?:web\s?)?(?:site|store|shop|app)\s*[:\-–—]",
    # "Read more" links scraped with the text: only at the very end, optionally after an ellipsis.
    r"(?:\.\.\.|…)?\s*\b(?:read more|see more|show more|ler mais|leia mais|ver m[aá]s|leer m[aá]s|"
    r"mehr lesen|weiterlesen|lire la suite|voir plus)\b\s*(?:\.\.\.|…|»|›|>)?\s*$",
)

_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE)
_WHITESPACE_RE = re.compile(r"\s+")
# Zero-width and BOM characters that survive ftfy; the zero-width joiner is kept (emoji sequences need it).
_INVISIBLE_RE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "section", "article", "header", "footer", "table")  # fmt: skip
_FINGERPRINT_DROP_RE = re.compile(r"[\W_]+")
_SKU_RE = re.compile(r"^(?:sku)?\s*[-_#:.\s]*\s*(\d+)$", re.IGNORECASE)


def _strip_html(text: str) -> str:
    """Remove markup, keeping the visible text; line and paragraph breaks become spaces."""
    # The trailing space keeps html.parser from dropping a bare "&T" at the very end ("AT&T" -> "ATT").
    soup = BeautifulSoup(text + " ", "html.parser")
    for tag in soup.find_all(["script", "style"]):
        tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with(" ")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before(" ")
        tag.insert_after(" ")
    # html.parser already decodes entities; a second pass catches double-escaped ones ("&amp;eacute;").
    return html.unescape(soup.get_text())


def normalize_text(raw: str | None) -> str:
    """The review text as the customer meant it: encoding fixed, markup and channel boilerplate removed,
    Unicode NFC (emoji kept), whitespace collapsed. Missing text becomes ""."""
    if raw is None:
        return ""
    if not isinstance(raw, str):  # a pandas NaN or a stray number from a loose source
        return "" if raw != raw else str(raw)
    if not raw:
        return ""
    text = ftfy.fix_text(raw, unescape_html=False)
    if ("<" in text and ">" in text) or "&" in text:
        text = _strip_html(text)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    # Two passes: removing one phrase can expose an end-anchored one ("... Read more Sent from my iPhone").
    for _ in range(2):
        text = _WHITESPACE_RE.sub(" ", _BOILERPLATE_RE.sub(" ", text)).strip()
    return text


def standardize_sku(raw: str | None) -> str | None:
    """The catalogue form of a product code: "sku 1042", "SKU_1042", "Sku#1042", "1042" -> "SKU-1042".

    Codes that are not a plain number keep their value, upper-cased; empty values mean "no SKU" (None)."""
    if raw is None:
        return None
    value = str(raw).strip()
    if not value:
        return None
    match = _SKU_RE.match(value)
    if match:
        return f"SKU-{match.group(1)}"
    return value.upper()


def _fingerprint_basis(text: str) -> str:
    """The letters and digits of the text, case-folded: what stays equal across trivially different copies."""
    return _FINGERPRINT_DROP_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def content_fingerprint(text: str) -> str:
    """A hash that two copies of the same review share even when punctuation, emoji, case or spacing
    differ (a review mirrored from one channel to another). sha256 hex."""
    return hashlib.sha256(_fingerprint_basis(text).encode("utf-8")).hexdigest()
