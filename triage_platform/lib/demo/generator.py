"""Realistic, deterministic demo feedback for the landing zone (plain Python: no Dagster, no corpora).

`generate_demo` writes one file per source per day into `out_dir/<source>/`, in the shapes of
`docs/data-contracts.md`, with the mess real feeds carry: five languages, PII inside texts, HTML,
emoji, mojibake, BOMs and CRLF in CSVs, redelivered files, duplicate lines, cross-posted social mirrors,
a late file, a small share of deliberately malformed rows, and one injected incident (a packaging-damage
spike for one SKU in one region on three consecutive days) that the platform should surface.

Layout (dates are the record's day):

    onsite_review/reviews_<day>.jsonl           generic format
    onsite_review/reviews_<day>_late.jsonl      ~20 reviews of the day 5 days before end_day, delivered late
    app_store/appstore_<day>.jsonl              store export shape
    app_store/appstore_<day>_retry1.jsonl       byte-identical redelivery (a few days)
    post_purchase_survey/survey_<day>.csv       survey shape (some with a BOM, some with CRLF)
    support_ticket/tickets_<day>.parquet        ticket shape, HTML bodies
    social/mentions_<day>.jsonl                 generic format, half mirror on-site reviews

The same seed and arguments always give byte-identical files. SKUs and regions come from the reference
dimensions in `triage_platform/reference/`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from triage_platform.lib.demo import phrases as P

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reference"

SOURCE_SHARES = {
    "onsite_review": 0.40,
    "app_store": 0.20,
    "post_purchase_survey": 0.20,
    "support_ticket": 0.12,
    "social": 0.08,
}

REGION_LANGUAGE_BY_COUNTRY = {
    "US": "en",
    "UK": "en",
    "GB": "en",
    "BR": "pt",
    "ES": "es",
    "DE": "de",
    "FR": "fr",
}
# Chosen so that about 60% of texts are English, 20% Portuguese and 20% Spanish, German or French.
REGION_WEIGHTS = {
    "US-CA": 17.0,
    "US-NY": 15.0,
    "US-TX": 13.0,
    "UK-LON": 12.0,
    "BR-SP": 12.0,
    "BR-RJ": 9.0,
    "ES-MD": 7.5,
    "DE-BE": 7.5,
    "FR-IDF": 7.0,
}
OTHER_REGION_WEIGHT = 3.0
ENGLISH_IN_OTHER_REGIONS = 0.08

CATEGORY_WEIGHTS = {
    "product_defect": 18.0,
    "not_as_described": 10.0,
    "sizing_fit": 14.0,
    "shipping_delay": 18.0,
    "packaging_damage": 7.0,
    "missing_parts": 5.0,
    "wrong_item": 5.0,
    "pricing_concern": 7.0,
    "ease_of_use": 8.0,
    "refund_request": 10.0,
    "customer_service": 8.0,
    "fraud_suspicion": 2.5,
    "safety_hazard": 1.5,
}
APP_CATEGORY_WEIGHTS = {
    "ease_of_use": 40.0,
    "shipping_delay": 15.0,
    "customer_service": 15.0,
    "refund_request": 12.0,
    "pricing_concern": 10.0,
    "fraud_suspicion": 4.0,
}
SECOND_CATEGORY_BOOST = {"refund_request": 3.0, "customer_service": 2.0, "shipping_delay": 1.5}
RATING_RANGE = {
    "product_defect": (1, 2),
    "not_as_described": (2, 3),
    "sizing_fit": (2, 3),
    "shipping_delay": (1, 3),
    "packaging_damage": (1, 2),
    "missing_parts": (1, 2),
    "wrong_item": (1, 2),
    "pricing_concern": (2, 3),
    "ease_of_use": (2, 3),
    "refund_request": (1, 2),
    "customer_service": (1, 2),
    "fraud_suspicion": (1, 1),
    "safety_hazard": (1, 1),
}
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 6, 5, 3, 2)
APP_VERSIONS = ("5.2.0", "5.2.1", "5.3.0", "5.3.2", "5.4.0", "5.4.1")

# Rates of the quirks (share of texts of a source).
PII_RATE = 0.08
EMOJI_RATE = 0.10
MOJIBAKE_RATE_NON_ASCII = 0.07  # of texts with non-ASCII characters: about 2% of all texts
ONSITE_HTML_RATE = 0.05
ONSITE_DUPLICATE_LINE_RATE = 0.02
RANDOM_MALFORMED_RATE = 0.004
LONG_TEXT_CHARS = 26_000
SPECIFIC_SLOTS = ("{product}", "{price}")

JSONL_BREAKS = (
    "truncated",
    "python_repr",
    "not_object",
    "missing_text",
    "empty_text",
    "blank_text",
    "bad_timestamp",
    "bad_rating",
)
CSV_BREAKS = ("empty_text", "blank_text", "bad_timestamp", "bad_score")
PARQUET_BREAKS = ("empty_text", "blank_text", "bad_timestamp")
BAD_TIMESTAMPS = ("yesterday", "31/11/2026 25:61", "N/A", "last tuesday", "2026-13-45T99:00:00Z")
BAD_RATINGS: tuple[Any, ...] = (0, 6, 9, -1, "five")
BAD_SCORES = ("11", "-3", "ten", "100")

# Malformed rows planted on purpose (one each, on a day chosen by the seed), on top of random ones.
PLANTED = (
    ("onsite_review", "truncated"),
    ("onsite_review", "python_repr"),
    ("onsite_review", "invalid_utf8"),
    ("onsite_review", "missing_text"),
    ("onsite_review", "empty_text"),
    ("onsite_review", "long_text"),
    ("onsite_review", "yesterday"),
    ("app_store", "blank_text"),
    ("post_purchase_survey", "score_42"),
    ("support_ticket", "empty_text"),
)


@dataclass(frozen=True)
class Incident:
    """The injected incident: extra complaints of one category for one SKU in one region."""

    category: str
    sku: str
    product_family: str
    region: str
    days: tuple[date, ...]
    extra_reviews_per_day: int


@dataclass
class DemoManifest:
    """What `generate_demo` wrote."""

    out_dir: Path
    days: list[date]
    files: list[Path]
    rows_written: int
    malformed_rows: int
    incident: Incident


@dataclass(frozen=True)
class _Sku:
    sku: str
    name: str
    family: str
    vendor: str
    price: int

    @property
    def group(self) -> str:
        return P.FAMILY_GROUP.get(self.family, "tech")


@dataclass
class _Review:
    ts: datetime
    lang: str
    region: str
    sku: _Sku
    text: str
    title: str | None
    rating: int
    sentiment: str
    cats: tuple[str, ...]
    customer_id: str
    order_id: str
    email: str
    name: tuple[str, str]


@dataclass
class _Row:
    """One row of a file: a record (dict) or raw bytes (JSONL), and whether it was broken on purpose."""

    data: Any
    malformed: bool = False


def load_skus() -> list[_Sku]:
    with (REFERENCE_DIR / "dim_sku.csv").open(newline="", encoding="utf-8") as handle:
        return [
            _Sku(
                sku=row["sku"],
                name=row["product_name"],
                family=row["product_family"],
                vendor=row["vendor"],
                price=round(float(row.get("unit_price") or 50)),
            )
            for row in csv.DictReader(handle)
        ]


def load_regions() -> list[str]:
    with (REFERENCE_DIR / "dim_region.csv").open(newline="", encoding="utf-8") as handle:
        return [row["region"] for row in csv.DictReader(handle)]


def region_language(region: str) -> str:
    return REGION_LANGUAGE_BY_COUNTRY.get(region.split("-")[0].upper(), "en")


def luhn_check_digit(payload: str) -> str:
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = "".join(c for c in number if c.isdigit())
    return len(digits) >= 12 and luhn_check_digit(digits[:-1]) == digits[-1]


def mojibake(text: str) -> str:
    """The classic UTF-8-read-as-Latin-1 quirk: 'é' becomes 'Ã©'."""
    return text.encode("utf-8").decode("latin-1")


def _iso_z(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Generator:
    def __init__(self, rng: random.Random, per_day: int, days: int) -> None:
        self.rng = rng
        self.skus = load_skus()
        if not self.skus:
            raise ValueError(f"no SKUs in {REFERENCE_DIR / 'dim_sku.csv'}")
        self.regions = load_regions()
        if not self.regions:
            raise ValueError(f"no regions in {REFERENCE_DIR / 'dim_region.csv'}")
        self.region_weights = [REGION_WEIGHTS.get(r, OTHER_REGION_WEIGHT) for r in self.regions]
        self.customer_pool = max(200, days * per_day // 2)
        self.ticket_seq = 480_000 + rng.randrange(10_000)
        self.social_seq = 1_860_000_000_000_000_000 + rng.randrange(10**15)
        self.rows_written = 0
        self.malformed_rows = 0

    # ------------------------------------------------------------------ small helpers

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def sku_as_typed(self, sku: str) -> str:
        """SKUs as people and older systems type them (silver standardizes them back to SKU-NNNN)."""
        if not self.chance(0.15):
            return sku
        number = sku.split("-", 1)[-1]
        return self.pick((f"sku {number}", f"SKU_{number}", f"sku-{number} ", f"Sku#{number}", number))

    def pick(self, seq: Any) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def timestamp(self, day: date) -> datetime:
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(hours=hour, seconds=self.rng.randrange(3600))

    def region(self) -> str:
        return self.rng.choices(self.regions, weights=self.region_weights)[0]

    def language(self, region: str) -> str:
        lang = region_language(region)
        if lang != "en" and self.chance(ENGLISH_IN_OTHER_REGIONS):
            return "en"
        return lang

    def money(self, region: str, amount: float) -> str:
        country = region.split("-")[0]
        if country == "US":
            return f"${round(amount)}"
        if country in ("UK", "GB"):
            return f"£{round(amount)}"
        if country == "BR":
            return f"R$ {round(amount * 5)}"
        if country in ("DE", "FR", "ES"):
            return f"{round(amount)} €"
        return f"${round(amount)}"

    def sizes(self, sku: _Sku, region: str) -> tuple[str, ...]:
        if sku.family == "footwear":
            return P.SHOE_SIZES_US if region.startswith("US") else P.SHOE_SIZES_EU
        return P.LETTER_SIZES

    def slots(self, lang: str, region: str, sku: _Sku) -> dict[str, Any]:
        rng = self.rng
        colour, colour2 = rng.sample(P.COLOURS[lang], 2)
        sizes = self.sizes(sku, region)
        index = rng.randrange(len(sizes))
        size2 = sizes[index + 1] if index + 1 < len(sizes) else sizes[index - 1]
        n = rng.randint(2, 5)
        group = sku.group if sku.group in P.PARTS[lang] else "tech"
        return {
            "product": sku.name,
            "vendor": sku.vendor,
            "colour": colour,
            "colour2": colour2,
            "size": sizes[index],
            "size2": size2,
            "n": n,
            "m": rng.randint(1, n - 1),
            "days": rng.randint(6, 28),
            "weeks": rng.randint(2, 6),
            "hours": rng.randint(1, 5),
            "pct": rng.choice((10, 15, 20, 25, 30, 40)),
            "price": self.money(region, sku.price * rng.choice((1.0, 1.0, 1.0, 0.85, 1.15, 2.0))),
            "part": self.pick(P.PARTS[lang][group]),
            "who": self.pick(P.WHO[lang]),
            "weekday": self.pick(P.WEEKDAYS[lang]),
        }

    # ------------------------------------------------------------------ people and PII

    def person(self, lang: str) -> tuple[str, str]:
        return self.pick(P.FIRST_NAMES[lang]), self.pick(P.LAST_NAMES[lang])

    def email(self, lang: str, name: tuple[str, str]) -> str:
        first, last = name
        domain = self.pick(P.EMAIL_DOMAINS[lang])
        style = self.rng.randrange(4)
        if style == 0:
            return f"{first}.{last}{self.rng.randint(1, 99)}@{domain}"
        if style == 1:
            return f"{first}{last[0]}@{domain}"
        if style == 2:
            return f"{first}_{last}@{domain}"
        return f"{first[0]}{last}{self.rng.randint(70, 99)}@{domain}"

    def phone(self, region: str) -> str:
        rng = self.rng
        country = region.split("-")[0]
        style = rng.randrange(2)
        if country == "US":
            area = {
                "US-CA": ("415", "213", "310"),
                "US-NY": ("212", "718", "917"),
                "US-TX": ("512", "214", "713"),
            }
            code = self.pick(area.get(region, ("202", "305")))
            if style == 0:
                return f"+1 ({code}) 555-{rng.randint(1000, 9999)}"
            return f"{code}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        if country == "BR":
            ddd = "21" if region == "BR-RJ" else "11"
            if style == 0:
                return f"+55 {ddd} 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            return f"({ddd}) 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        if country == "DE":
            if style == 0:
                return f"+49 30 {rng.randint(10_000_000, 99_999_999)}"
            return f"0151 {rng.randint(1_000_000, 9_999_999)}"
        if country == "FR":
            pairs = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
            return f"+33 6 {pairs}" if style == 0 else f"06 {pairs}"
        if country == "ES":
            return f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        if country in ("UK", "GB"):
            return (
                f"+44 20 7946 {rng.randint(1000, 9999)}"
                if style == 0
                else f"07700 900{rng.randint(100, 999)}"
            )
        return f"+1 (202) 555-{rng.randint(1000, 9999)}"

    def card(self) -> str:
        rng = self.rng
        prefix = "4" if self.chance(0.7) else f"5{rng.randint(1, 5)}"
        payload = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
        number = payload + luhn_check_digit(payload)
        style = rng.randrange(10)
        if style < 7:
            return " ".join(number[i : i + 4] for i in range(0, 16, 4))
        if style < 9:
            return "-".join(number[i : i + 4] for i in range(0, 16, 4))
        return number

    def address(self, lang: str) -> str:
        rng = self.rng
        street = self.pick(P.STREETS[lang])
        number = rng.randint(1, 480)
        if lang == "en":
            return f"{number} {street} {self.pick(P.STREET_SUFFIXES_EN)}"
        if lang == "pt":
            tail = f" - apto {rng.randint(11, 154)}" if self.chance(0.3) else ""
            return f"Rua {street}, {number}{tail}"
        if lang == "es":
            return f"Calle {street} {number}, {rng.randint(1, 8)}º"
        if lang == "de":
            return f"{street} {number}, {rng.randint(10115, 14199)} Berlin"
        return f"{number} rue {street}, 750{rng.randint(1, 20):02d} Paris"

    def pii_sentence(self, review: _Review) -> str:
        kind = self.rng.choices(("email", "phone", "order", "card", "address"), weights=(25, 25, 25, 10, 15))[
            0
        ]
        if kind == "email":
            value = review.email
        elif kind == "phone":
            value = self.phone(review.region)
        elif kind == "order":
            value = review.order_id
        elif kind == "card":
            value = self.card()
        else:
            value = self.address(review.lang)
        return self.pick(P.PII_SENTENCES[kind][review.lang]).format(pii=value)

    # ------------------------------------------------------------------ texts

    def templates(self, lang: str, category: str, group: str, alone: bool = True) -> tuple[str, ...]:
        """Templates of a category for a product group; `alone=False` drops the order-never-came ones."""
        bank = P.BANKS[lang].get(category, ())
        if isinstance(bank, dict):
            found = tuple(bank.get("any", ())) + tuple(bank.get(group, ()))
        else:
            found = tuple(bank)  # type: ignore[arg-type]
        if alone:
            return tuple(t.removeprefix("!") for t in found)
        return tuple(t for t in found if not t.startswith("!"))

    def categories(self, lang: str, group: str, app: bool) -> tuple[str, ...]:
        weights = APP_CATEGORY_WEIGHTS if app else CATEGORY_WEIGHTS
        names = [c for c in weights if self.templates(lang, c, group)]
        first = self.rng.choices(names, weights=[weights[c] for c in names])[0]
        if not self.chance(0.22):
            return (first,)
        others = [c for c in CATEGORY_WEIGHTS if c != first and self.templates(lang, c, group)]
        second_weights = [CATEGORY_WEIGHTS[c] * SECOND_CATEGORY_BOOST.get(c, 1.0) for c in others]
        return (first, self.rng.choices(others, weights=second_weights)[0])

    def compose(
        self,
        lang: str,
        group: str,
        slots: dict[str, Any],
        kind: str,
        cats: tuple[str, ...],
        app: bool = False,
    ) -> str:
        """Sentences from the banks for a review of `kind` (praise, neutral, issue, mixed)."""
        bank = P.BANKS[lang]
        parts: list[str] = []
        if self.chance(0.3):
            parts.append(self.pick(bank["openers"]))
        if kind == "praise":
            praise = bank["praise_app"] if app and self.chance(0.7) else bank["praise"]
            first = self.pick(praise)
            parts.append(first)
            if self.chance(0.4):
                second = self.pick(bank["praise"])
                if second != first:
                    parts.append(second)
            if self.chance(0.45):
                parts.append(self.pick(bank["closers_pos"]))
        elif kind == "neutral":
            parts.append(self.pick(bank["neutral"]))
            if self.chance(0.3):
                parts.append(self.pick(bank["closers_neu"]))
        else:
            if kind == "mixed":
                parts.append(self.pick(bank["praise"]))
                if self.chance(0.7):
                    parts.append(self.pick(bank["bridges"]))
            alone = kind == "issue" and set(cats[1:]) <= {"customer_service"}
            for category in cats:
                parts.append(self.pick(self.templates(lang, category, group, alone=alone)))
            if kind == "issue" and self.chance(0.35):
                parts.append(self.pick(bank["closers_neg"]))
            elif kind == "mixed" and self.chance(0.25):
                parts.append(self.pick(bank["closers_neu"]))
        if not any(slot in part for part in parts for slot in SPECIFIC_SLOTS):
            # every text carries some specifics (product, price, colour), so texts rarely repeat
            context = self.pick(bank["context"])
            if self.chance(0.5):
                parts.insert(0, context)
            else:
                parts.append(context)
        return " ".join(parts).format(**slots)

    def rating_for(self, kind: str, cats: tuple[str, ...]) -> int:
        rng = self.rng
        if kind == "praise":
            return rng.choice((5, 5, 5, 4))
        if kind == "neutral":
            return rng.choice((3, 3, 4))
        low = min(RATING_RANGE[c][0] for c in cats)
        high = min(RATING_RANGE[c][1] for c in cats)
        rating = rng.randint(low, high)
        if kind == "mixed":
            rating = min(4, rating + rng.randint(1, 2))
        return rating

    def decorate(self, review: _Review, *, pii_rate: float = PII_RATE, emoji_rate: float = EMOJI_RATE) -> str:
        """PII, mojibake and emoji on top of a composed text."""
        text = review.text
        if self.chance(pii_rate):
            sentence = self.pii_sentence(review)
            text = f"{sentence} {text}" if self.chance(0.2) else f"{text} {sentence}"
        if any(ord(c) > 127 for c in text) and self.chance(MOJIBAKE_RATE_NON_ASCII):
            sentences = text.split(". ")
            candidates = [i for i, s in enumerate(sentences) if any(ord(c) > 127 for c in s)]
            index = self.pick(candidates)
            sentences[index] = mojibake(sentences[index])
            text = ". ".join(sentences)
        if self.chance(0.04):
            text = text.lower()
        if self.chance(emoji_rate):
            mood = review.sentiment
            if mood == "mixed":
                mood = self.pick(("positive", "negative"))
            text = f"{text} {self.pick(P.EMOJI[mood])}"
        return text

    def onsite_html(self, text: str) -> str:
        style = self.rng.randrange(3)
        if style == 0 and ". " in text:
            return text.replace(". ", ".<br>", 1)
        if style == 1:
            head, sep, tail = text.partition(". ")
            return f"<b>{head}</b>{sep}{tail}" if sep else f"<b>{text}</b>"
        for word in (" and ", " e ", " y ", " und ", " et "):
            if word in text:
                return text.replace(word, " &amp; ", 1)
        return f"{text}<br><br>"

    def title_for(self, lang: str, sentiment: str) -> str:
        mood = {"mixed": "neutral"}.get(sentiment, sentiment)
        return self.pick(P.TITLES[lang][mood])

    def review(
        self,
        day: date,
        *,
        issue_share: float = 0.55,
        app: bool = False,
        sku: _Sku | None = None,
        region: str | None = None,
        lang: str | None = None,
    ) -> _Review:
        """One review in the abstract (no source shape yet)."""
        sku = sku or self.pick(self.skus)
        region = region or self.region()
        lang = lang or self.language(region)
        group = "app" if app else sku.group
        draw = self.rng.random()
        if draw < issue_share:
            kind = "mixed" if self.chance(0.25) else "issue"
            cats = self.categories(lang, group, app)
        else:
            kind = "praise" if draw < issue_share + (1 - issue_share) * 0.8 else "neutral"
            cats = ()
        slots = self.slots(lang, region, sku)
        text = self.compose(lang, group, slots, kind, cats, app=app)
        sentiment = {"praise": "positive", "neutral": "neutral", "issue": "negative", "mixed": "mixed"}[kind]
        return self._finish(day, lang, region, sku, text, self.rating_for(kind, cats), sentiment, cats)

    def _finish(
        self,
        day: date,
        lang: str,
        region: str,
        sku: _Sku,
        text: str,
        rating: int,
        sentiment: str,
        cats: tuple[str, ...],
    ) -> _Review:
        name = self.person(lang)
        review = _Review(
            ts=self.timestamp(day),
            lang=lang,
            region=region,
            sku=sku,
            text=text,
            title=self.title_for(lang, sentiment) if self.chance(0.4) else None,
            rating=rating,
            sentiment=sentiment,
            cats=cats,
            customer_id=f"CUST-{self.rng.randrange(self.customer_pool) + 100_000:06d}",
            order_id=str(self.rng.randrange(10_000_000, 99_999_999)),
            email="",
            name=name,
        )
        review.email = self.email(lang, name)
        return review

    def incident_review(self, day: date, incident: Incident, sku: _Sku) -> _Review:
        lang = "pt" if self.chance(0.8) else "en"
        item_names = P.INCIDENT_ITEM[lang]
        item = item_names[0] if "kettle" in sku.name.lower() else item_names[1]
        slots = self.slots(lang, incident.region, sku) | {"item": item}
        bank = P.BANKS[lang]
        parts: list[str] = []
        if self.chance(0.2):
            parts.append(self.pick(bank["openers"]))
        parts.append(self.pick(P.INCIDENT[lang]))
        cats: tuple[str, ...] = (incident.category,)
        if self.chance(0.35):
            extra = self.pick(("refund_request", "customer_service", "refund_request"))
            parts.append(self.pick(self.templates(lang, extra, sku.group)))
            cats = (incident.category, extra)
        if self.chance(0.35):
            parts.append(self.pick(bank["closers_neg"]))
        if self.chance(0.6) or not any(slot in part for part in parts for slot in SPECIFIC_SLOTS):
            context = self.pick(bank["context"])
            parts.insert(0 if self.chance(0.5) else len(parts), context)
        text = " ".join(parts).format(**slots)
        return self._finish(day, lang, incident.region, sku, text, self.pick((1, 1, 1, 2)), "negative", cats)

    # ------------------------------------------------------------------ source shapes

    def onsite_record(self, review: _Review, review_id: str, text: str) -> dict[str, Any]:
        record: dict[str, Any] = {
            "review_id": review_id,
            "source": "onsite_review",
            "submitted_at": _iso_z(review.ts),
        }
        if review.title:
            record["title"] = review.title
        record["text"] = text
        record["rating"] = review.rating
        record["sku"] = review.sku.sku
        if self.chance(0.85):
            record["product"] = review.sku.name
        record["region"] = review.region
        record["customer_id"] = review.customer_id
        record["order_id"] = review.order_id
        if self.chance(0.35):
            record["language"] = review.lang
        return record

    def app_record(self, review: _Review, version: str) -> dict[str, Any]:
        rng = self.rng
        first, last = review.name
        style = rng.randrange(10)
        if style < 4:
            user = f"{first.title()} {last[0].upper()}."
        elif style < 7:
            user = f"{first}{last}{rng.randint(1, 99)}"
        elif style < 9:
            user = f"{first.title()} {last.title()}"
        else:
            user = "A Google user"
        hexid = f"{rng.getrandbits(128):032x}"
        record: dict[str, Any] = {
            "reviewId": f"{hexid[:8]}-{hexid[8:12]}-{hexid[12:16]}-{hexid[16:20]}-{hexid[20:]}",
            "userName": user,
        }
        if review.title and self.chance(0.8):
            record["title"] = review.title
        record["content"] = self.decorate(review)
        record["score"] = review.rating
        record["at"] = _iso_z(review.ts)
        record["appVersion"] = version
        record["country"] = review.region
        if self.chance(0.6):
            record["lang"] = review.lang
        return record

    def survey_score(self, rating: int) -> int:
        # 1 + round(score * 4 / 10) gives the rating back
        return self.pick({1: (0, 1), 2: (2, 3), 3: (4, 5, 6), 4: (7, 8), 5: (9, 10)}[rating])

    def survey_row(self, review: _Review, text: str) -> dict[str, str]:
        rng = self.rng
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
        response = "R_" + "".join(alphabet[rng.randrange(len(alphabet))] for _ in range(15))
        submitted = review.ts.isoformat() if self.chance(0.8) else _iso_z(review.ts)
        return {
            "response_id": response,
            "order_id": review.order_id,
            "submitted": submitted,
            "score_0_10": str(self.survey_score(review.rating)),
            "comment": text,
            "region": review.region,
            "sku": self.sku_as_typed(review.sku.sku),
            "customer_email": review.email if self.chance(0.7) else "",
            "locale": self.pick(P.LOCALES[review.lang]) if self.chance(0.7) else "",
        }

    def ticket_row(self, review: _Review) -> dict[str, Any]:
        rng = self.rng
        self.ticket_seq += rng.randint(1, 40)
        lang = review.lang
        text = self.decorate(review, pii_rate=0.15, emoji_rate=0.02)
        first, last = review.name
        signature = f"{first.title()} {last.title()}"
        greeting = self.pick(P.TICKET_GREETINGS[lang])
        signoff = self.pick(P.TICKET_SIGNOFFS[lang])
        if self.chance(0.75):
            body_text = html.escape(text, quote=False)
            if self.chance(0.5):
                body_text = body_text.replace(". ", ".<br>", 1)
            order_line = f"<p><b>Order:</b> {review.order_id}</p>" if self.chance(0.4) else ""
            body = (
                f"<p>{html.escape(greeting)}</p><p>{body_text}</p>{order_line}"
                f"<p>{html.escape(signoff, quote=False)}<br>{signature}</p>"
            )
        else:
            body = f"{greeting}\n\n{text}\n\n{signoff}\n{signature}"
        cats = set(review.cats)
        if cats & {"safety_hazard", "fraud_suspicion"}:
            priority: str | None = "urgent"
        elif cats & {"product_defect", "refund_request", "missing_parts", "wrong_item", "packaging_damage"}:
            priority = self.pick(("high", "normal"))
        else:
            priority = self.pick(("normal", "normal", "low"))
        if self.chance(0.1):
            priority = None
        subject = self.pick(P.TICKET_SUBJECTS[lang]).format(order=review.order_id, product=review.sku.name)
        return {
            "ticket_id": f"TCK-{self.ticket_seq}",
            "created_at": _iso_z(review.ts),
            "subject": subject,
            "body": body,
            "customer_id": review.customer_id,
            "order_ref": review.order_id,
            "sku": self.sku_as_typed(review.sku.sku),
            "region": review.region,
            "priority": priority,
            "lang": lang if self.chance(0.85) else None,
        }

    def social_id(self) -> str:
        self.social_seq += self.rng.randint(10**9, 10**12)
        return f"sm-{self.social_seq}"

    def handle(self, lang: str) -> str:
        first, last = self.person(lang)
        separator = self.pick(("", "_", "."))
        return f"@{first}{separator}{last[: self.rng.randint(1, len(last))]}{self.rng.randint(1, 999)}"

    def social_record(self, ts: datetime, text: str, review: _Review) -> dict[str, Any]:
        record: dict[str, Any] = {
            "review_id": self.social_id(),
            "source": "social",
            "submitted_at": _iso_z(ts),
            "text": text,
            "sku": review.sku.sku,
        }
        if self.chance(0.5):
            record["product"] = review.sku.name
        record["region"] = review.region
        record["customer_id"] = self.handle(review.lang)
        if self.chance(0.2):
            record["language"] = review.lang
        return record

    # ------------------------------------------------------------------ malformed rows

    def long_text(self, lang: str) -> str:
        sku = self.pick(self.skus)
        region = self.pick(self.regions)
        pieces: list[str] = []
        size = 0
        while size < LONG_TEXT_CHARS:
            cats = self.categories(lang, sku.group, False)
            piece = self.compose(lang, sku.group, self.slots(lang, region, sku), "issue", cats)
            pieces.append(piece)
            size += len(piece) + 1
        return " ".join(pieces)

    def broken_json(self, record: dict[str, Any], kind: str, keys: dict[str, str], lang: str) -> bytes:
        """A JSONL line broken in the way `kind` names (the record itself is not modified)."""
        record = dict(record)
        text_key, ts_key, rating_key, id_key = keys["text"], keys["ts"], keys.get("rating"), keys["id"]
        if kind == "truncated":
            line = json.dumps(record, ensure_ascii=False)
            return line[: max(12, len(line) // 2)].encode("utf-8")
        if kind == "python_repr":
            return repr(record).encode("utf-8")
        if kind == "not_object":
            return json.dumps([record.get(id_key), record.get(text_key)], ensure_ascii=False).encode("utf-8")
        if kind == "invalid_utf8":
            # written by a client in Latin-1: 'ã' is the lone byte 0xE3, not valid UTF-8
            record[text_key] = f"{record.get(text_key, '')} Não recomendo, péssimo atendimento."
            data = json.dumps(record, ensure_ascii=False).encode("latin-1", errors="replace")
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return data
            return data[:-1] + b"\xff}"  # pragma: no cover - the text above always has non-ASCII
        if kind == "missing_text":
            record.pop(text_key, None)
        elif kind == "empty_text":
            record[text_key] = ""
        elif kind == "blank_text":
            record[text_key] = self.pick(("   ", " \n\t ", "\u00a0 "))
        elif kind == "long_text":
            record[text_key] = self.long_text(lang)
        elif kind == "yesterday":
            record[ts_key] = "yesterday"
        elif kind == "bad_timestamp":
            record[ts_key] = self.pick(BAD_TIMESTAMPS)
        elif kind == "bad_rating" and rating_key:
            record[rating_key] = self.pick(BAD_RATINGS)
        else:
            raise ValueError(f"unknown break {kind!r}")
        return json.dumps(record, ensure_ascii=False).encode("utf-8")

    def random_json_break(self, has_rating: bool) -> str:
        kinds = JSONL_BREAKS if has_rating else tuple(k for k in JSONL_BREAKS if k != "bad_rating")
        return self.pick(kinds)

    def json_rows(
        self,
        records: list[dict[str, Any]],
        keys: dict[str, str],
        planted: list[str],
        langs: list[str],
        protected: set[int] | None = None,
    ) -> list[_Row]:
        """Serialize records, breaking the planted ones and a small random share of the rest."""
        protected = protected or set()
        rows: list[_Row] = []
        planted_at = {}
        candidates = [i for i in range(len(records)) if i not in protected]
        for kind in planted:
            if candidates:
                planted_at[candidates.pop(self.rng.randrange(len(candidates)))] = kind
        for index, record in enumerate(records):
            kind = planted_at.get(index)
            if kind is None and index not in protected and self.chance(RANDOM_MALFORMED_RATE):
                kind = self.random_json_break("rating" in keys)
            if kind is None:
                rows.append(_Row(json.dumps(record, ensure_ascii=False).encode("utf-8")))
            else:
                rows.append(_Row(self.broken_json(record, kind, keys, langs[index]), malformed=True))
        return rows

    # ------------------------------------------------------------------ writers

    def write_jsonl(self, path: Path, rows: list[_Row]) -> bytes:
        data = b"".join(row.data + b"\n" for row in rows)
        self._write(path, data, rows)
        return data

    def _write(self, path: Path, data: bytes, rows: list[_Row]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.rows_written += len(rows)
        self.malformed_rows += sum(1 for row in rows if row.malformed)

    def write_csv(self, path: Path, rows: list[_Row], bom: bool, crlf: bool) -> None:
        buffer = io.StringIO()
        fields = [
            "response_id",
            "order_id",
            "submitted",
            "score_0_10",
            "comment",
            "region",
            "sku",
            "customer_email",
            "locale",
        ]
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n" if crlf else "\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row.data)
        data = buffer.getvalue().encode("utf-8")
        self._write(path, (b"\xef\xbb\xbf" if bom else b"") + data, rows)

    def write_parquet(self, path: Path, rows: list[_Row]) -> None:
        fields = [
            "ticket_id",
            "created_at",
            "subject",
            "body",
            "customer_id",
            "order_ref",
            "sku",
            "region",
            "priority",
            "lang",
        ]
        schema = pa.schema([pa.field(name, pa.string()) for name in fields])
        table = pa.table({name: [row.data[name] for row in rows] for name in fields}, schema=schema)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="snappy")
        self.rows_written += len(rows)
        self.malformed_rows += sum(1 for row in rows if row.malformed)


def _incident_sku(skus: list[_Sku]) -> _Sku:
    kitchen = [s for s in skus if s.family == "kitchen"]
    kettles = [s for s in kitchen if "kettle" in s.name.lower()]
    return (kettles or kitchen or skus)[0]


def _incident_region(regions: list[str]) -> str:
    if "BR-SP" in regions:
        return "BR-SP"
    brazil = [r for r in regions if r.startswith("BR")]
    return (brazil or regions)[0]


def generate_demo(
    out_dir: Path,
    days: int = 30,
    per_day: int = 500,
    end_day: date | None = None,
    seed: int = 7,
) -> DemoManifest:
    """Write `days` consecutive days (ending at `end_day`, default today UTC) of demo feedback.

    About `per_day` records a day across the five sources (on-site reviews 40%, app store 20%, survey
    20%, support tickets 12%, social 8%), plus the incident's extra reviews, duplicates, redeliveries and
    the late file. Deterministic for a given seed: the files are byte-identical across runs.
    Files already in `out_dir` are left alone (files of the same names are overwritten).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if per_day < 1:
        raise ValueError("per_day must be at least 1")
    out_dir = Path(out_dir)
    last_day = end_day or datetime.now(UTC).date()
    day_list = [last_day - timedelta(days=days - 1 - i) for i in range(days)]
    rng = random.Random(seed)
    gen = _Generator(rng, per_day, days)

    incident_sku = _incident_sku(gen.skus)
    incident_last = last_day - timedelta(days=3) if days >= 6 else day_list[min(days, 3) - 1]
    incident_first = max(day_list[0], incident_last - timedelta(days=2))
    incident = Incident(
        category="packaging_damage",
        sku=incident_sku.sku,
        product_family=incident_sku.family,
        region=_incident_region(gen.regions),
        days=tuple(
            incident_first + timedelta(days=i) for i in range((incident_last - incident_first).days + 1)
        ),
        extra_reviews_per_day=max(25, per_day // 10),
    )
    late_day = max(day_list[0], last_day - timedelta(days=5))
    retry_days = set(rng.sample(range(days), min(3, max(1, days // 3))))
    planted: dict[tuple[str, int], list[str]] = {}
    for source, kind in PLANTED:
        planted.setdefault((source, rng.randrange(days)), []).append(kind)

    files: list[Path] = []
    onsite_counts: dict[date, int] = {}
    generic_keys = {"id": "review_id", "text": "text", "ts": "submitted_at", "rating": "rating"}
    social_keys = {"id": "review_id", "text": "text", "ts": "submitted_at"}
    app_keys = {"id": "reviewId", "text": "content", "ts": "at", "rating": "score"}

    for index, day in enumerate(day_list):
        stamp = day.isoformat()
        counts = {
            source: max(1, round(per_day * share * rng.uniform(0.9, 1.1)))
            for source, share in SOURCE_SHARES.items()
        }
        incident_today = day in incident.days
        incident_onsite = round(incident.extra_reviews_per_day * 0.65) if incident_today else 0
        incident_survey = incident.extra_reviews_per_day - incident_onsite if incident_today else 0

        # --- on-site reviews (generic JSONL)
        reviews = [gen.review(day) for _ in range(counts["onsite_review"])]
        flagged = [False] * len(reviews)
        reviews += [gen.incident_review(day, incident, incident_sku) for _ in range(incident_onsite)]
        flagged += [True] * incident_onsite
        order = sorted(range(len(reviews)), key=lambda i: reviews[i].ts)
        reviews = [reviews[i] for i in order]
        protected = {position for position, i in enumerate(order) if flagged[i]}
        records = []
        for number, review in enumerate(reviews, start=1):
            text = gen.decorate(review)
            if gen.chance(ONSITE_HTML_RATE):
                text = gen.onsite_html(text)
            records.append(gen.onsite_record(review, f"OS-{day:%Y%m%d}-{number:05d}", text))
        onsite_counts[day] = len(records)
        rows = gen.json_rows(
            records,
            generic_keys,
            planted.get(("onsite_review", index), []),
            [r.lang for r in reviews],
            protected,
        )
        clean = [i for i, row in enumerate(rows) if not row.malformed]
        for position in reversed([i for i in clean if gen.chance(ONSITE_DUPLICATE_LINE_RATE)]):
            rows.insert(rng.randint(position + 1, len(rows)), _Row(rows[position].data))
        path = out_dir / "onsite_review" / f"reviews_{stamp}.jsonl"
        gen.write_jsonl(path, rows)
        files.append(path)
        mirror_pool = [(reviews[i], records[i]) for i in clean]

        # --- app store (store export JSONL) and its redelivery
        version_index = min(len(APP_VERSIONS) - 1, index * len(APP_VERSIONS) // days)
        versions = APP_VERSIONS[max(0, version_index - 1) : version_index + 1]
        app_reviews = []
        for _ in range(counts["app_store"]):
            app_mode = gen.chance(0.4)
            app_reviews.append(gen.review(day, app=app_mode, issue_share=0.5))
        app_reviews.sort(key=lambda r: r.ts)
        app_records = [gen.app_record(r, gen.pick(versions)) for r in app_reviews]
        rows = gen.json_rows(
            app_records, app_keys, planted.get(("app_store", index), []), [r.lang for r in app_reviews]
        )
        path = out_dir / "app_store" / f"appstore_{stamp}.jsonl"
        data = gen.write_jsonl(path, rows)
        files.append(path)
        if index in retry_days:
            retry = out_dir / "app_store" / f"appstore_{stamp}_retry1.jsonl"
            gen._write(retry, data, rows)
            files.append(retry)

        # --- post-purchase survey (CSV)
        survey_reviews = [gen.review(day, issue_share=0.5) for _ in range(counts["post_purchase_survey"])]
        survey_flags = [False] * len(survey_reviews)
        survey_reviews += [gen.incident_review(day, incident, incident_sku) for _ in range(incident_survey)]
        survey_flags += [True] * incident_survey
        survey_order = sorted(range(len(survey_reviews)), key=lambda i: survey_reviews[i].ts)
        survey_planted = list(planted.get(("post_purchase_survey", index), []))
        survey_rows: list[_Row] = []
        for i in survey_order:
            review = survey_reviews[i]
            row = gen.survey_row(review, gen.decorate(review))
            broken = False
            if not survey_flags[i]:
                if survey_planted and gen.chance(0.2):
                    survey_planted.pop()
                    row["score_0_10"] = "42"
                    broken = True
                elif gen.chance(RANDOM_MALFORMED_RATE):
                    kind = gen.pick(CSV_BREAKS)
                    if kind == "empty_text":
                        row["comment"] = ""
                    elif kind == "blank_text":
                        row["comment"] = "   "
                    elif kind == "bad_timestamp":
                        row["submitted"] = gen.pick(BAD_TIMESTAMPS)
                    else:
                        row["score_0_10"] = gen.pick(BAD_SCORES)
                    broken = True
            survey_rows.append(_Row(row, malformed=broken))
        if survey_planted:  # not placed yet: break the last non-incident row
            for row in reversed(survey_rows):
                if not row.malformed and row.data["sku"] != incident.sku:
                    row.data["score_0_10"] = "42"
                    row.malformed = True
                    break
        bom = index == 0 or gen.chance(0.3)
        crlf = index == min(1, days - 1) or gen.chance(0.3)
        path = out_dir / "post_purchase_survey" / f"survey_{stamp}.csv"
        gen.write_csv(path, survey_rows, bom=bom, crlf=crlf)
        files.append(path)

        # --- support tickets (Parquet)
        ticket_reviews = sorted(
            (gen.review(day, issue_share=0.9) for _ in range(counts["support_ticket"])), key=lambda r: r.ts
        )
        ticket_planted = list(planted.get(("support_ticket", index), []))
        ticket_rows: list[_Row] = []
        planted_ticket = gen.rng.randrange(len(ticket_reviews)) if ticket_planted else -1
        for number, review in enumerate(ticket_reviews):
            row = gen.ticket_row(review)
            broken = False
            if number == planted_ticket:
                row["body"] = ""
                broken = True
            elif gen.chance(RANDOM_MALFORMED_RATE):
                kind = gen.pick(PARQUET_BREAKS)
                if kind == "bad_timestamp":
                    row["created_at"] = gen.pick(BAD_TIMESTAMPS)
                else:
                    row["body"] = "" if kind == "empty_text" else "  \n  "
                broken = True
            ticket_rows.append(_Row(row, malformed=broken))
        path = out_dir / "support_ticket" / f"tickets_{stamp}.parquet"
        gen.write_parquet(path, ticket_rows)
        files.append(path)

        # --- social mentions (generic JSONL): half mirror today's on-site reviews
        n_social = counts["social"]
        n_mirrors = min(len(mirror_pool), n_social // 2 + (n_social % 2 if gen.chance(0.5) else 0))
        social: list[tuple[datetime, dict[str, Any], str]] = []
        for review, record in gen.rng.sample(mirror_pool, n_mirrors) if n_mirrors else []:
            if gen.chance(0.6):
                text = gen.pick(P.SOCIAL_MIRROR_PREFIX[review.lang]) + record["text"]
            else:
                mood = {"mixed": "negative"}.get(review.sentiment, review.sentiment)
                text = f"{record['text']} {gen.pick(P.EMOJI[mood])}"
            end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
            later = review.ts + timedelta(seconds=gen.rng.randint(300, 6 * 3600))
            ts = min(later, end)
            social.append((ts, gen.social_record(ts, text, review), review.lang))
        for _ in range(n_social - n_mirrors):
            review = gen.review(day, issue_share=0.5)
            text = gen.decorate(review, emoji_rate=0.3)
            if gen.chance(0.5):
                text = f"{gen.pick(P.SOCIAL_HANDLES)} {text}"
            if gen.chance(0.4):
                mood = {"mixed": "negative"}.get(review.sentiment, review.sentiment)
                text = f"{text} {gen.pick(P.SOCIAL_TAGS[mood])}"
            if gen.chance(0.2):
                text = text.lower()
            social.append((review.ts, gen.social_record(review.ts, text, review), review.lang))
        social.sort(key=lambda item: item[0])
        rows = gen.json_rows([s[1] for s in social], social_keys, [], [s[2] for s in social])
        path = out_dir / "social" / f"mentions_{stamp}.jsonl"
        gen.write_jsonl(path, rows)
        files.append(path)

    # --- the late delivery: reviews of late_day that arrive after that day's file
    late_reviews = sorted((gen.review(late_day) for _ in range(rng.randint(18, 22))), key=lambda r: r.ts)
    start = onsite_counts.get(late_day, 0) + 1
    late_records = [
        gen.onsite_record(review, f"OS-{late_day:%Y%m%d}-{start + i:05d}", gen.decorate(review))
        for i, review in enumerate(late_reviews)
    ]
    rows = [_Row(json.dumps(record, ensure_ascii=False).encode("utf-8")) for record in late_records]
    path = out_dir / "onsite_review" / f"reviews_{late_day.isoformat()}_late.jsonl"
    gen.write_jsonl(path, rows)
    files.append(path)

    return DemoManifest(
        out_dir=out_dir,
        days=day_list,
        files=sorted(files),
        rows_written=gen.rows_written,
        malformed_rows=gen.malformed_rows,
        incident=incident,
    )
