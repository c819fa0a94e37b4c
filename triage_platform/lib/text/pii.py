"""PII redaction: everything downstream of silver (annotation, the LLM, alerts, dashboards) reads the
redacted text, so emails, phone numbers, card numbers, order numbers, street addresses and links are
replaced with typed tokens before a review leaves silver.

Precision matters as much as recall: ratings, years, prices, dates, sizes and SKUs are what triage is
about and must survive redaction untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

EMAIL_TOKEN = "[EMAIL]"
URL_TOKEN = "[URL]"
CARD_TOKEN = "[CARD]"
ORDER_TOKEN = "[ORDER]"
PHONE_TOKEN = "[PHONE]"
ADDRESS_TOKEN = "[ADDRESS]"
PII_KINDS: tuple[str, ...] = ("address", "card", "email", "order", "phone", "url")
"""Every kind `redact_pii` reports in `Redaction.kinds` (the values of silver's `pii_types`)."""


@dataclass(frozen=True)
class Redaction:
    """A text with its PII replaced by tokens, and which kinds of PII were found (sorted, unique)."""

    text: str
    kinds: tuple[str, ...]


# --------------------------------------------------------------------------------------------- email, url

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_URL_RE = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'\[\]{}]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)»\"'"

# ------------------------------------------------------------------------------------------------- cards

_CARD_RE = re.compile(
    r"(?<![\w-])(?:"
    r"\d{4}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{4}(?:(?P=sep)\d{1,3})?"  # groups of four (16-19)
    r"|\d{4}[ -]\d{6}[ -]\d{4,5}"  # American Express / Diners: 4-6-5, 4-6-4
    r"|\d{13,19}"  # unformatted
    r")(?![\w-])"
)
_FOUR_BY_FOUR_RE = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

# ------------------------------------------------------------------------------------------------ orders

_ORDER_KEYWORD = (
    r"(?:orders?|order-?id|pedidos?|encomenda|compra|bestellung|bestellnummer|bestellnr\.?|auftrag|"
    r"auftragsnummer|commande|ordine|bestelling|bestelnummer)"
)
_ORDER_CONNECTOR = (
    r"(?:\s*(?:#|:|-|n[º°o]\.?|n\.|(?:number|num|no|nr|id|nummer|n[uú]mero|n[uú]m|ref|reference|code|"
    r"c[oó]digo|is|was|é|es|ist|est)\b\.?))*\s*"
)
_ORDER_KEYWORD_RE = re.compile(
    rf"(?P<prefix>(?:(?<![\w-]){_ORDER_KEYWORD}\b|订单号?|注文番号?){_ORDER_CONNECTOR})"
    r"(?P<id>#?[A-Za-z0-9](?:[A-Za-z0-9]|[-/](?=[A-Za-z0-9]))*)",
    re.IGNORECASE,
)
_ORDER_STANDALONE_RES = (
    re.compile(r"(?<![\w-])(?:ORD|ORDER|PO|SO|PED|CMD|BST)[-_#]?\d[\dA-Z]*(?:-[\dA-Z]+)*(?![\w-])"),
    re.compile(r"(?<![\w-])\d{3}-\d{7}-\d{7}(?![\w-])"),  # marketplace style 112-3345566-7788990
    re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])"),  # Olist-style 32-hex ids
    re.compile(r"(?<!\w)#\d{5,}(?!\w)"),  # a bare "#123456" reference
    re.compile(r"(?<!\d)\d{16,}(?!\d)"),  # long numeric references (tracking, invoice) not valid cards
)

# ------------------------------------------------------------------------------------------------ phones

_PHONE_RE = re.compile(
    r"(?<![\w+#@/])(?<!\w[-.])"
    r"(?:\+\s?\d{1,3}[ .-]?)?"  # country code
    r"(?:\(\d{1,5}\)[ .-]?)?"  # area code in parentheses
    r"\d+(?:[ .-]\d+)*"
    r"(?!\w)"
)
_MIN_PHONE_DIGITS = 8
_MAX_PHONE_DIGITS = 15  # the E.164 maximum
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_DMY_DATE_RE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{2}|\d{4})$")
_COMPACT_DATE_RE = re.compile(r"^(?:19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_POSTAL_CODE_RE = re.compile(r"^\d{5}-\d{3}$")  # Brazilian CEP: part of an address, never a phone
_GROUPED_NUMBER_RE = re.compile(r"^\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?$")  # 12.345.678 or 1,234,567.89
_CURRENCY_BEFORE_RE = re.compile(r"(?:[$€£¥₹]|\b(?:usd|brl|eur|gbp|r\$))\s*$", re.IGNORECASE)
_CURRENCY_AFTER_RE = re.compile(
    r"^\s*(?:[$€£¥₹]|(?:usd|brl|eur|gbp|reais|real|euros?|dollars?|d[oó]lares)\b)", re.IGNORECASE
)

# --------------------------------------------------------------------------------------------- addresses

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# A proper-noun word: an upper-case letter followed by a lower-case one ("Elm", "São", "Paulista").
_CAPWORD = rf"[{_UPPER}][{_LOWER}'’][\w'’.-]*|[{_UPPER}]\.?(?=\s)"
# Words that follow a number in ordinary sentences ("5 blocks down the street", "2 hours drive").
_NOT_A_STREET_NAME = (
    r"the|a|an|my|your|our|their|his|her|its|this|that|these|those|to|on|in|at|of|for|from|by|with|via|and|or|"
    r"but|down|up|into|onto|per|than|then|more|other|different|same|whole|new|old|days?|hours?|hrs?|"
    r"weeks?|months?|years?|minutes?|mins?|seconds?|times?|stars?|items?|pairs?|pieces?|units?|pcs|packs?|"
    r"sizes?|blocks?|miles?|km|kms|meters?|people|friends|kids|boxes?|box|orders?|bottles?|tries|calls?|"
    r"emails?|gb|tb|mb|usb|hdd|ssd|flash|hard|external|thumb|lane|way|full|half|one|two|three|four|five"
)
_NAME_WORD = rf"(?!(?i:{_NOT_A_STREET_NAME})\b)(?:[^\W\d_][\w'’.-]*|\d+(?:st|nd|rd|th))"
_STRONG_SUFFIX = (
    r"(?i:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|highway|hwy|parkway|pkwy|alley|route)"
)
_WEAK_SUFFIX = r"(?:Drive|Dr|Way|Place|Pl|Court|Ct|Circle|Cir|Square|Sq|Terrace|Ter|Trail|Trl|Plaza)"
_EN_UNIT = r"(?:\.?\s*,?\s*(?i:apt|apartment|suite|ste|unit|fl|floor|#)\.?\s*#?\s*[A-Za-z0-9]{1,5}(?!\w))?"
_US_TAIL = rf"(?:\.?\s*,\s*(?:{_CAPWORD})(?:\s+(?:{_CAPWORD}))?\s*,?\s*[A-Z]{{2}}\s+\d{{5}}(?!\d))?"
_POSTAL_TAIL = (
    rf"(?:\s*[,-]?\s*(?i:cep:?\s*)?\d{{5}}(?:-\d{{3}})?(?!\d)(?:\s+(?:{_CAPWORD})(?:\s+(?:{_CAPWORD}))?)?)?"
)
# A house number that is really a quantity ("Via Amazon 3 days", "Rua Augusta 2 estrelas").
_NOT_A_HOUSE_NUMBER = (
    r"(?!\s*(?i:days?|dias?|días|tage?n?|jours?|giorni|hours?|horas?|stunden|heures?|weeks?|semanas?|wochen|"
    r"semaines?|months?|meses|monate?n?|mois|stars?|estrelas?|estrellas?|sterne?n?|étoiles?|stelle|x|%|"
    r"pcs|pieces?|items?|units?|unidades?|vezes|veces|times?|reais|euros?|dollars?)\b)"
)
_HOUSE_NUMBER_END = r"(?![\w,./]\d)(?!\w)" + _NOT_A_HOUSE_NUMBER  # not "10/10", "3,5", "12.5"
_CONNECTOR = (
    r"(?i:de la|de los|de las|de l'|d'|l'|de|da|das|do|dos|del|la|las|los|el|di|della|delle|degli|e|y)"
)
_PREFIX_TYPE = (
    r"(?i:rua|r\.|avenida|av\.?|avda\.?|travessa|tv\.|alameda|al\.|estrada|rodovia|pra[çc]a|largo|calle|c/|"
    r"paseo|plaza|carrera|camino|carretera|ronda|via|viale|piazza|corso|vicolo)"
)
_PT_ES_COMPLEMENT = (
    r"(?:\s*[,-]?\s*(?i:apto?\.?|apartamento|apt\.?|casa|bloco|bl\.?|sala|conj(?:unto)?\.?|andar|piso|puerta|"
    r"pta\.?|dpto\.?|depto\.?|departamento|esc(?:alera)?\.?|int(?:erno)?\.?)\s*\d{1,4}[A-Za-z]?(?!\w)"
    r"|\s*,?\s*\d{1,2}\s?[º°ª]\s?[A-Za-z]?(?!\w))*"
)
_GERMAN_SUFFIX = (
    r"(?:straße|strasse|str\.|gasse|allee|platz|weg|damm|ufer|chaussee|straat|laan|gracht|plein|steeg|kade)"
)
_FRENCH_TYPE = (
    r"(?i:rue|avenue|av\.|boulevard|bd|bld|place|pl\.|all[ée]e|impasse|chemin|quai|cours|route|square|"
    r"passage)"
)
_FRENCH_ARTICLE = r"(?i:de la |de l'|du |des |de |d'|l'|la |le |les )"

_ADDRESS_RES = (
    # English: "42 Elm Street", "1200 Oak Ave", "77 Sunset Blvd Apt 4", "350 5th Ave".
    re.compile(
        rf"(?<![\w.,-])\d{{1,6}}[A-Za-z]?\s+(?:{_NAME_WORD})(?:\s+(?:{_NAME_WORD})){{0,2}}\s+{_STRONG_SUFFIX}"
        rf"(?![\w'’-]){_EN_UNIT}{_US_TAIL}"
    ),
    # English with an ambiguous suffix (Drive, Way, Place...): only with capitalised names.
    re.compile(
        rf"(?<![\w.,-])\d{{1,6}}[A-Za-z]?\s+(?:{_CAPWORD})(?:\s+(?:{_CAPWORD})){{0,2}}\s+{_WEAK_SUFFIX}"
        rf"(?![\w'’-]){_EN_UNIT}{_US_TAIL}"
    ),
    # Street type first (pt, es, it): "Rua das Flores, 123", "Av. Paulista 1578", "Calle Mayor 12".
    re.compile(
        rf"(?<![\w-]){_PREFIX_TYPE}\s+(?:{_CONNECTOR}\s+)*(?:{_CAPWORD})"
        rf"(?:\s+(?:{_CONNECTOR}\s+)*(?:{_CAPWORD})){{0,4}}"
        rf"\s*,?\s*(?:(?i:n[º°o.]|nº|n[uú]mero)\s*)?\d{{1,5}}[A-Za-z]?{_HOUSE_NUMBER_END}"
        rf"{_PT_ES_COMPLEMENT}{_POSTAL_TAIL}"
    ),
    # Street type first, typed in lower case: only with the comma before the number ("rua augusta, 1500").
    re.compile(
        rf"(?<![\w-])(?i:rua|avenida|av\.|avda\.|calle|travessa|alameda)\s+(?:[^\W\d_][\w'’-]*\s+){{0,3}}"
        rf"[^\W\d_][\w'’-]*,\s*\d{{1,5}}[A-Za-z]?{_HOUSE_NUMBER_END}{_PT_ES_COMPLEMENT}"
    ),
    # German and Dutch compounds: "Hauptstraße 5", "Bahnhofstr. 12a", "Kalverstraat 92".
    re.compile(
        rf"(?<![\w-])(?i:[^\W\d_][\w-]+?{_GERMAN_SUFFIX})\s*\d{{1,4}}\s?[a-zA-Z]?{_HOUSE_NUMBER_END}"
        rf"{_POSTAL_TAIL}"
    ),
    # German two-word form: "Berliner Straße 10".
    re.compile(
        rf"(?<![\w-])[{_UPPER}][\w-]+\s+(?:Straße|Strasse|Str\.|Allee|Platz|Weg|Gasse|Damm|Ufer)\s*"
        rf"\d{{1,4}}\s?[a-z]?{_HOUSE_NUMBER_END}{_POSTAL_TAIL}"
    ),
    # French: "12 rue de Rivoli", "3 bis, avenue Foch".
    re.compile(
        rf"(?<![\w.,-])\d{{1,5}}(?:\s?(?i:bis|ter))?,?\s+{_FRENCH_TYPE}\s+{_FRENCH_ARTICLE}?(?:{_CAPWORD})"
        rf"(?:\s+{_FRENCH_ARTICLE}?(?:{_CAPWORD})){{0,3}}{_POSTAL_TAIL}"
    ),
)

_HAS_DIGIT_RE = re.compile(r"\d")
_LINK_HINT_RE = re.compile(r"www\.|https?:", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- validation


def _luhn_ok(digits: str) -> bool:
    """The card-number checksum: true for real card numbers, false for most random digit runs."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    """A 13-19 digit number passing the Luhn check, or 16 digits written in four groups of four."""
    digits = re.sub(r"\D", "", candidate)
    if not 13 <= len(digits) <= 19:
        return False
    if _luhn_ok(digits):
        return True
    if _FOUR_BY_FOUR_RE.fullmatch(candidate):
        groups = re.split(r"[ -]", candidate)
        return not all(_YEAR_RE.fullmatch(group) for group in groups)  # "2019 2020 2021 2022"
    return False


def _is_date(candidate: str) -> bool:
    """A calendar date written with separators ("2026-11-01", "01.11.2026") or compactly ("20261101")."""
    iso = _ISO_DATE_RE.fullmatch(candidate)
    if iso:
        return 1 <= int(iso.group(2)) <= 12 and 1 <= int(iso.group(3)) <= 31
    dmy = _DMY_DATE_RE.match(candidate)
    if dmy:
        first, second = int(dmy.group(1)), int(dmy.group(2))
        day_month = 1 <= first <= 31 and 1 <= second <= 12
        month_day = 1 <= first <= 12 and 1 <= second <= 31
        return day_month or month_day
    return bool(_COMPACT_DATE_RE.match(candidate))


def _is_phone(text: str, start: int, end: int) -> bool:
    """Whether a digit run is a phone number (8-15 digits), not a date, price, year list or size list."""
    candidate = text[start:end]
    digits = re.sub(r"\D", "", candidate)
    if not _MIN_PHONE_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS:
        return False
    if _CURRENCY_BEFORE_RE.search(text[max(0, start - 6) : start]) or _CURRENCY_AFTER_RE.match(text[end:]):
        return False
    if candidate.startswith("+") or "(" in candidate:
        return True
    if _is_date(candidate) or _ISO_DATE_RE.search(candidate):
        return False
    if _POSTAL_CODE_RE.match(candidate) or _GROUPED_NUMBER_RE.match(candidate):
        return False
    groups = re.split(r"[ .-]", candidate)
    if len(groups) >= 2 and all(_YEAR_RE.fullmatch(group) for group in groups):
        return False  # "2019 2020 2021"
    if all(len(group) <= 2 for group in groups):
        # Only the French national format ("06 12 34 56 78") is a phone made of pairs; "36 38 40 42" is sizes.
        return len(groups) >= 4 and len(groups[0]) == 2 and groups[0].startswith("0")
    return True


# ------------------------------------------------------------------------------------------------ stages


def _redact_emails(text: str, found: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        found.add("email")
        return EMAIL_TOKEN

    return _EMAIL_RE.sub(replace, text)


def _redact_urls(text: str, found: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(_URL_TRAILING)
        if len(stripped) <= len("www.") or "." not in stripped.split("//", 1)[-1]:
            return url
        found.add("url")
        return URL_TOKEN + url[len(stripped) :]

    return _URL_RE.sub(replace, text)


def _redact_cards(text: str, found: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        candidate = match.group(0)
        if _is_card(candidate):
            found.add("card")
            return CARD_TOKEN
        # "4111 1111 1111 1111 2 times": the grouped card followed by an unrelated small number.
        head = candidate[:19]
        if len(candidate) > 19 and _is_card(head):
            found.add("card")
            return CARD_TOKEN + candidate[19:]
        return candidate

    return _CARD_RE.sub(replace, text)


def _redact_orders(text: str, found: set[str]) -> str:
    def replace_keyword(match: re.Match[str]) -> str:
        order_id = match.group("id")
        digits = sum(char.isdigit() for char in order_id)
        hashed = order_id.startswith("#") or "#" in match.group("prefix")
        if digits < 4 or (digits < 5 and not hashed) or _is_date(order_id.lstrip("#")):
            return match.group(0)
        found.add("order")
        return match.group("prefix") + ORDER_TOKEN

    def replace_standalone(match: re.Match[str]) -> str:
        if sum(char.isdigit() for char in match.group(0)) < 5:
            return match.group(0)
        found.add("order")
        return ORDER_TOKEN

    text = _ORDER_KEYWORD_RE.sub(replace_keyword, text)
    for pattern in _ORDER_STANDALONE_RES:
        text = pattern.sub(replace_standalone, text)
    return text


def _split_phones(text: str, start: int, end: int, found: set[str]) -> str:
    """Redact a run of space-separated numbers too long for one phone ("415 555 0134 415 555 0199"): from
    the left, the shortest part of 10+ digits that is a phone (else the longest of 8-9 digits) is replaced,
    then the rest is examined the same way."""
    spaces = [start + match.start() for match in re.finditer(" ", text[start:end])] + [end]
    out: list[str] = []
    position, next_space = start, 0
    while position < end:
        # A phone spans at most 15 digits, so at most 15 space-separated groups.
        cuts = spaces[next_space : next_space + _MAX_PHONE_DIGITS]
        phones = [offset for offset, cut in enumerate(cuts) if _is_phone(text, position, cut)]
        if phones:
            long_enough = [
                offset for offset in phones if len(re.sub(r"\D", "", text[position : cuts[offset]])) >= 10
            ]
            chosen = long_enough[0] if long_enough else phones[-1]
            found.add("phone")
            out.append(PHONE_TOKEN)
        else:
            chosen = 0
            out.append(text[position : cuts[0]])
        cut = cuts[chosen]
        if cut < end:
            out.append(" ")
        position, next_space = cut + 1, next_space + chosen + 1
    return "".join(out)


def _redact_phones(text: str, found: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if _is_phone(text, match.start(), match.end()):
            found.add("phone")
            return PHONE_TOKEN
        if " " in match.group(0) and len(re.sub(r"\D", "", match.group(0))) > _MAX_PHONE_DIGITS:
            return _split_phones(text, match.start(), match.end(), found)
        return match.group(0)

    return _PHONE_RE.sub(replace, text)


def _redact_addresses(text: str, found: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        found.add("address")
        return ADDRESS_TOKEN

    for pattern in _ADDRESS_RES:
        text = pattern.sub(replace, text)
    return text


# Emails first (they hold digits and dots that look like other kinds), then links, then the digit-based
# kinds from the most specific (cards, order numbers) to the most generic (phones), then addresses.
_STAGES: tuple[Callable[[str, set[str]], str], ...] = (
    _redact_emails,
    _redact_urls,
    _redact_cards,
    _redact_orders,
    _redact_phones,
    _redact_addresses,
)


def redact_pii(text: str) -> Redaction:
    """Replace personal data with typed tokens ([EMAIL], [URL], [CARD], [ORDER], [PHONE], [ADDRESS]) so a
    review can be shown to annotators, models and dashboards; `kinds` says what was removed."""
    if not text:
        return Redaction(text=text or "", kinds=())
    if "@" not in text and not _HAS_DIGIT_RE.search(text) and not _LINK_HINT_RE.search(text):
        return Redaction(text=text, kinds=())  # every kind needs an "@", a digit or a link
    found: set[str] = set()
    for stage in _STAGES:
        text = stage(text, found)
    return Redaction(text=text, kinds=tuple(sorted(found)))


def contains_pii(text: str) -> bool:
    """Whether the text holds any personal data that redaction would remove."""
    return bool(redact_pii(text).kinds)
