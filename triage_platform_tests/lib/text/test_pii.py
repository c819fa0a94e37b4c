"""PII redaction: every kind is found in several languages and formats, and the numbers triage depends on
(ratings, years, prices, dates, sizes, SKUs) survive untouched."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest

from triage_platform.lib.text.pii import Redaction, contains_pii, redact_pii


def assert_redacted(text: str, pii: str, token: str, kind: str) -> None:
    result = redact_pii(text)
    assert pii not in result.text, result.text
    assert token in result.text, result.text
    assert kind in result.kinds


@pytest.mark.parametrize(
    "email",
    [
        "john.doe@example.com",
        "john.doe+shop@example.co.uk",
        "maria_silva@uol.com.br",
        "jürgen.müller@web.de",
        "CLIENT.SERVICE@Boutique-Paris.FR",
        "a1@b2.io",
    ],
)
def test_emails(email: str) -> None:
    assert_redacted(f"Contact me at {email}, thanks", email, "[EMAIL]", "email")


@pytest.mark.parametrize(
    "phone",
    [
        "+1 (415) 555-0134",
        "415-555-0134",
        "(415) 555-0134",
        "415.555.0134",
        "4155550134",
        "(11) 98765-4321",
        "+55 11 98765 4321",
        "+55 (21) 99876-5432",
        "11987654321",
        "+49 30 12345678",
        "+49 151 23456789",
        "030 12345678",
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "+44 20 7946 0958",
        "+34 612 345 678",
        "+39 347 123 4567",
        "98765-4321",
    ],
)
def test_phones(phone: str) -> None:
    assert_redacted(f"Call me on {phone} after lunch", phone, "[PHONE]", "phone")
    assert_redacted(f"tel:{phone}", phone, "[PHONE]", "phone")


@pytest.mark.parametrize(
    ("sentence", "phone"),
    [
        ("Meu WhatsApp é (11) 98765-4321, me liguem", "(11) 98765-4321"),
        ("Rufen Sie mich unter +49 30 12345678 an", "+49 30 12345678"),
        ("Appelez-moi au 06 12 34 56 78 svp", "06 12 34 56 78"),
        ("Llámenme al +34 612 345 678 por favor", "+34 612 345 678"),
        ("My number: 415-555-0134.", "415-555-0134"),
    ],
)
def test_phones_in_other_languages(sentence: str, phone: str) -> None:
    assert_redacted(sentence, phone, "[PHONE]", "phone")


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5500 0000 0000 0004",
        "3782 822463 10005",
        "378282246310005",
        "6011000990139424",
        "1234 5678 9012 3456",  # not Luhn-valid, but written like a card
        "4000 0566 5566 5556",
    ],
)
def test_cards(card: str) -> None:
    assert_redacted(f"they charged my card {card} twice", card, "[CARD]", "card")
    assert_redacted(f"cobraram duas vezes no cartão {card}!", card, "[CARD]", "card")


def test_grouped_card_followed_by_a_small_number_keeps_the_number() -> None:
    result = redact_pii("charged 4111 1111 1111 1111 2 times")
    assert result.text == "charged [CARD] 2 times"


@pytest.mark.parametrize(
    ("sentence", "order_id"),
    [
        ("my order #123456 never arrived", "123456"),
        ("Order 7788123 was late", "7788123"),
        ("order no. 5566778 is missing", "5566778"),
        ("meu pedido 98765432 chegou quebrado", "98765432"),
        ("número do pedido: 123456789", "123456789"),
        ("pedido nº 4455667", "4455667"),
        ("mi pedido 20231234 no llegó", "20231234"),
        ("Bestellung 1234567 fehlt noch", "1234567"),
        ("Bestellnummer 55512345", "55512345"),
        ("ma commande n° 12345678 est perdue", "12345678"),
        ("ordine n. 1234567 in ritardo", "1234567"),
        ("ref ORD-2026-118822 please", "ORD-2026-118822"),
        ("order number: 112-3345566-7788990", "112-3345566-7788990"),
        ("marketplace order 112-3345566-7788990 was wrong", "112-3345566-7788990"),
        ("pedido e481f51cbdc54678b7cc49136f2d6af7 veio errado", "e481f51cbdc54678b7cc49136f2d6af7"),
        ("id 53cdb2fc8bc7dce0b6741e2150273451 sem entrega", "53cdb2fc8bc7dce0b6741e2150273451"),
        ("see ticket #8812345", "#8812345"),
        ("tracking 9400111899223100001234 shows nothing", "9400111899223100001234"),
    ],
)
def test_orders(sentence: str, order_id: str) -> None:
    assert_redacted(sentence, order_id, "[ORDER]", "order")


def test_order_keyword_is_kept_for_context() -> None:
    assert redact_pii("meu pedido 98765432 chegou quebrado").text == "meu pedido [ORDER] chegou quebrado"


@pytest.mark.parametrize(
    ("sentence", "address"),
    [
        ("please ship to 42 Elm Street tomorrow", "42 Elm Street"),
        ("I live at 1200 Oak Ave, the porch", "1200 Oak Ave"),
        ("left at 77 Sunset Blvd Apt 4 by mistake", "77 Sunset Blvd Apt 4"),
        ("my address is 350 5th Ave New York", "350 5th Ave"),
        ("sent to 12 Baker St. in London", "12 Baker St"),
        ("delivered to 16 Maple Drive instead", "16 Maple Drive"),
        ("deliver to 42 elm street", "42 elm street"),
        ("42 Elm Street, Springfield, IL 62704", "Springfield, IL 62704"),
        ("Moro na Rua das Flores, 123 - apto 45 e nada chegou", "Rua das Flores, 123"),
        ("entregaram na Av. Paulista 1578, São Paulo", "Av. Paulista 1578"),
        ("entregar na Avenida Brasil, 1500, apto 32", "Avenida Brasil, 1500"),
        ("moro na rua augusta, 1500 apto 3", "rua augusta, 1500"),
        ("Vivo en Calle Mayor 12, 3º B, Madrid", "Calle Mayor 12"),
        ("Meine Adresse ist Hauptstraße 5, 10115 Berlin", "Hauptstraße 5"),
        ("Lieferung an Bahnhofstr. 12a", "Bahnhofstr. 12a"),
        ("Lieferung an Berliner Straße 10", "Berliner Straße 10"),
        ("livré au 12 rue de Rivoli, Paris", "12 rue de Rivoli"),
        ("consegnato in Via Roma 10, Milano", "Via Roma 10"),
        ("bezorgd op Kalverstraat 92 Amsterdam", "Kalverstraat 92"),
    ],
)
def test_addresses(sentence: str, address: str) -> None:
    assert_redacted(sentence, address, "[ADDRESS]", "address")


@pytest.mark.parametrize(
    ("sentence", "url"),
    [
        ("see https://shop.example.com/orders/12345678?x=1.", "https://shop.example.com/orders/12345678?x=1"),
        ("foto em www.example.com.br/p/1 ok", "www.example.com.br/p/1"),
    ],
)
def test_urls(sentence: str, url: str) -> None:
    assert_redacted(sentence, url, "[URL]", "url")


@pytest.mark.parametrize(
    "text",
    [
        "I give it 5/5 stars",
        "rated 4 out of 5, 10/10 would buy",
        "1 star",
        "bought it in 2026, better than the 2025 model",
        "2019 2020 2021 2022",
        "only $49.99!",
        "paid $1,299.99 for two",
        "paid 1,299.99 USD",
        "por R$ 129,90 vale a pena",
        "R$ 1.299,00 no cartão",
        "€ 12.345.678 in sales",
        "delivered 2026-11-01, late",
        "my order arrived 2026-11-01",
        "arrived on 01.11.2026",
        "chegou em 01/11/2026",
        "20261101",
        "size 8 fits well",
        "sizes 36 38 40 42 44 available",
        "shoe size 10.5 US",
        "tamanho 40",
        "Größe 42",
        "SKU-1042 is great",
        "SKU 1042 and SKU_2044",
        "took 3 days",
        "5 blocks down the street",
        "a 2 hour drive",
        "a 2 way street",
        "shipped via UPS 2 days late",
        "via Amazon 3 days",
        "la calle estaba cerrada 3 días",
        "a rua é linda, 10/10",
        "order 2 more",
        "ordered 3 pairs",
        "order 1500 units",
        "I ordered 12345 times lol",
        "pedido chegou em 2 dias",
        "I bought 2 USB drive sticks",
        "came in 2nd place",
        "Model X200 v2.1",
        "iPhone 15 Pro Max 256GB",
        "battery 5000mAh",
        "12:30 pm",
        "between 9-5",
        "call 911",
        "bought 3 Dr Martens",
        "Marktplatz 10/10",
        "Great product, no personal data here!",
    ],
)
def test_numbers_that_matter_to_triage_are_not_redacted(text: str) -> None:
    result = redact_pii(text)
    assert result == Redaction(text=text, kinds=())
    assert not contains_pii(text)


def test_several_kinds_in_one_review() -> None:
    text = (
        "Order #123456: the jacket never came. Call +1 (415) 555-0134 or write jane@example.com. "
        "I paid $49.99 with 4111 1111 1111 1111 on 2026-11-01, address 42 Elm Street. 2/5 stars."
    )
    result = redact_pii(text)
    assert result.kinds == ("address", "card", "email", "order", "phone")
    assert result.text == (
        "Order #[ORDER]: the jacket never came. Call [PHONE] or write [EMAIL]. "
        "I paid $49.99 with [CARD] on 2026-11-01, address [ADDRESS]. 2/5 stars."
    )


def test_kinds_are_sorted_and_unique() -> None:
    result = redact_pii("a@b.com c@d.com 415-555-0134 415-555-0199")
    assert result == Redaction(text="[EMAIL] [EMAIL] [PHONE] [PHONE]", kinds=("email", "phone"))


def test_two_phones_separated_by_a_space_are_both_redacted() -> None:
    assert redact_pii("call 415 555 0134 415 555 0199 2 times").text == "call [PHONE] [PHONE] 2 times"


def test_long_lists_of_small_numbers_are_fast_and_kept() -> None:
    text = " ".join([str(size) for size in range(30, 50)] * 50)
    assert redact_pii(text).text == text


def test_empty_text() -> None:
    assert redact_pii("") == Redaction(text="", kinds=())
    assert not contains_pii("")


def test_redaction_is_frozen() -> None:
    result = redact_pii("a@b.com")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]


def test_redaction_is_idempotent() -> None:
    once = redact_pii("Call 415-555-0134, order #123456, 42 Elm Street").text
    assert redact_pii(once) == Redaction(text=once, kinds=())


# ---------------------------------------------------------------------------------------- property-style

_FIRST = ["john", "maria", "jürgen", "ana", "li", "chloé", "pedro", "sam"]
_DOMAINS = ["example.com", "uol.com.br", "web.de", "orange.fr", "mail.co.uk"]
_STREETS = ["Elm", "Oak", "Sunset", "Maple", "Harbor View", "Cedar"]
_EN_SUFFIX = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Blvd", "Lane"]
_NOMES = ["das Flores", "Augusta", "Paulista", "Brasil", "dos Andradas"]
_NOMBRES = ["Mayor", "de Alcalá", "Serrano"]
_GERMAN = ["Haupt", "Bahnhof", "Garten", "Linden"]
_FRENCH = ["de Rivoli", "Victor Hugo", "du Bac"]


def _digits(rng: random.Random, count: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))


def _luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char)
        if position % 2 == 0:  # these positions are doubled once the check digit is appended
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


def _phone(rng: random.Random) -> str:
    d = lambda n: _digits(rng, n)  # noqa: E731
    area, exchange, line = d(3), d(3), _digits(rng, 4, "0123456789")
    return rng.choice(
        [
            f"+1 ({area}) {exchange}-{line}",
            f"{area}-{exchange}-{line}",
            f"({area}) {exchange}-{line}",
            f"{area}.{exchange}.{line}",
            f"({d(2)}) 9{d(4)}-{d(4)}",
            f"+55 {d(2)} 9{d(4)} {d(4)}",
            f"+49 {d(2)} {d(8)}",
            f"+49 {d(3)} {d(8)}",
            f"0{rng.choice('67')} {d(2)} {d(2)} {d(2)} {d(2)}",
            f"+33 {rng.choice('67')} {d(2)} {d(2)} {d(2)} {d(2)}",
            f"+44 20 {d(4)} {d(4)}",
        ]
    )


def _card(rng: random.Random) -> str:
    number = _luhn_complete(rng, rng.choice(["4", "51", "55", "6011"]), 16)
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    amex = _luhn_complete(rng, rng.choice(["34", "37"]), 15)
    return rng.choice([number, " ".join(groups), "-".join(groups), f"{amex[:4]} {amex[4:10]} {amex[10:]}"])


def _order(rng: random.Random) -> str:
    return rng.choice(
        [
            f"order #{_digits(rng, 6)}",
            f"pedido {_digits(rng, 8)}",
            f"Bestellung {_digits(rng, 7)}",
            f"commande n° {_digits(rng, 8)}",
            f"ORD-2026-{_digits(rng, 6)}",
            f"order number: {_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}",
            "".join(rng.choice("0123456789abcdef") for _ in range(32)),
        ]
    )


def _address(rng: random.Random) -> str:
    number = str(rng.randint(1, 9999))
    return rng.choice(
        [
            f"{number} {rng.choice(_STREETS)} {rng.choice(_EN_SUFFIX)}",
            f"Rua {rng.choice(_NOMES)}, {number}",
            f"Av. {rng.choice(_NOMES)} {number}",
            f"Calle {rng.choice(_NOMBRES)} {number}",
            f"{rng.choice(_GERMAN)}straße {rng.randint(1, 200)}",
            f"{number} rue {rng.choice(_FRENCH)}",
        ]
    )


def _email(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)}.{rng.choice(_FIRST)}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"


_TEMPLATES = [
    "Please contact me at {pii} about the refund.",
    "Meu contato: {pii}, obrigado!",
    "Bitte {pii} verwenden, danke.",
    "Voici {pii} pour la livraison",
    "Mis datos son {pii} y nada más",
    "{pii}",
    "({pii})",
    "The jacket is fine but {pii}. Two stars.",
]


def test_generated_pii_never_survives_redaction() -> None:
    rng = random.Random(20261101)
    generators = {"phone": _phone, "card": _card, "order": _order, "address": _address, "email": _email}
    for _ in range(400):
        kind, generate = rng.choice(sorted(generators.items()))
        pii = generate(rng)
        text = rng.choice(_TEMPLATES).format(pii=pii)
        result = redact_pii(text)
        assert pii not in result.text, (kind, text, result.text)
        assert not re.search(r"\d{8,}", result.text), (kind, text, result.text)
        assert kind in result.kinds, (kind, text, result)


def test_generated_pii_is_redacted_when_several_appear_together() -> None:
    rng = random.Random(7)
    for _ in range(100):
        parts = [_email(rng), _phone(rng), _card(rng), _order(rng), _address(rng)]
        rng.shuffle(parts)
        text = "Hello, " + " and then ".join(parts) + ". Thanks!"
        result = redact_pii(text)
        for part in parts:
            assert part not in result.text, (part, text, result.text)
        assert not re.search(r"\d{8,}", result.text), (text, result.text)
