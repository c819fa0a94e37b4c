"""Phrase banks of the demo generator: our own sentences, in English, Portuguese, Spanish, German, French.

Templates use `str.format` slots filled per review (see `generator._slots`): `{product}`, `{vendor}`,
`{colour}`, `{colour2}`, `{size}`, `{size2}`, `{n}`, `{m}` (< n), `{days}`, `{weeks}`, `{hours}`, `{pct}`,
`{price}`, `{part}`, `{who}`, `{weekday}`, `{item}` (incident only).

Category banks follow the 13 categories of the labeling guide. A bank is either a list (any product) or a
mapping of product group (`wear`, `tech`, `kitchen`, `toys`, `app`) to a list; the `any` entry of a
mapping applies to every group. A template starting with `!` says the order never came: it is only used
alone (not next to a complaint about using the product, nor inside a mixed review).
"""

from __future__ import annotations

LANGUAGES = ("en", "pt", "es", "de", "fr")

CATEGORIES = (
    "product_defect",
    "not_as_described",
    "sizing_fit",
    "shipping_delay",
    "packaging_damage",
    "missing_parts",
    "wrong_item",
    "pricing_concern",
    "ease_of_use",
    "refund_request",
    "customer_service",
    "fraud_suspicion",
    "safety_hazard",
)

FAMILY_GROUP = {
    "apparel_tops": "wear",
    "dresses": "wear",
    "footwear": "wear",
    "smart_speaker": "tech",
    "headphones": "tech",
    "phone_accessories": "tech",
    "kitchen": "kitchen",
    "toys": "toys",
}

LETTER_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES_EU = ("36", "37", "38", "39", "40", "41", "42", "43", "44", "45")
SHOE_SIZES_US = ("6", "7", "8", "9", "10", "11", "12")

EMOJI = {
    "positive": ("😍", "👍", "🥰", "⭐⭐⭐⭐⭐", "🙌", "😊", "❤️", "👌"),
    "negative": ("😡", "👎", "😤", "💔", "🤬", "😞", "📦💥", "🙄"),
    "neutral": ("🤷", "😐", "🙂", "🤔"),
}

COLOURS = {
    "en": ("blue", "black", "navy", "beige", "green", "red", "white", "grey", "pink", "olive"),
    "pt": ("azul", "preto", "bege", "verde", "vermelho", "branco", "cinza", "rosa", "marinho", "vinho"),
    "es": ("azul", "negro", "beige", "verde", "rojo", "blanco", "gris", "rosa", "marino", "granate"),
    "de": ("Blau", "Schwarz", "Beige", "Grün", "Rot", "Weiß", "Grau", "Rosa", "Marine", "Oliv"),
    "fr": ("bleu", "noir", "beige", "vert", "rouge", "blanc", "gris", "rose", "marine", "kaki"),
}

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "pt": ("segunda", "terça", "quarta", "quinta", "sexta"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"),
}

WHO = {
    "en": ("my mum", "my husband", "my sister", "my son", "my daughter", "my dad", "a friend", "my wife"),
    "pt": ("minha mãe", "meu marido", "minha irmã", "meu filho", "minha filha", "meu pai", "uma amiga"),
    "es": ("mi madre", "mi marido", "mi hermana", "mi hijo", "mi hija", "mi padre", "una amiga"),
    "de": ("meine Mutter", "meinen Mann", "meine Schwester", "meinen Sohn", "meine Tochter", "meinen Vater"),
    "fr": ("ma mère", "mon mari", "ma sœur", "mon fils", "ma fille", "mon père", "une amie"),
}

# Parts with their article, written for the positions the templates use them in.
PARTS = {
    "en": {
        "wear": ("the belt", "the spare buttons", "the matching strap"),
        "tech": ("the charging cable", "the power adapter", "the remote", "the ear tips"),
        "kitchen": ("the lid", "the base", "the filter", "the manual"),
        "toys": ("the battery cover", "one of the wheels", "the instruction sheet"),
    },
    "pt": {
        "wear": ("o cinto", "a alça", "os botões extras"),
        "tech": ("o cabo de carregamento", "o adaptador", "o controle", "as borrachinhas"),
        "kitchen": ("a tampa", "a base", "o filtro", "o manual"),
        "toys": ("a tampa das pilhas", "uma das rodas", "o manual"),
    },
    "es": {
        "wear": ("el cinturón", "la correa", "el lazo"),
        "tech": ("el cable de carga", "el adaptador", "el mando"),
        "kitchen": ("la tapa", "la base", "el filtro", "el manual"),
        "toys": ("la tapa de las pilas", "una de las ruedas", "el manual"),
    },
    "de": {
        "wear": ("der Gürtel", "der Träger", "die Schleife"),
        "tech": ("das Ladekabel", "das Netzteil", "die Fernbedienung"),
        "kitchen": ("der Deckel", "der Sockel", "der Filter", "die Anleitung"),
        "toys": ("der Batteriedeckel", "ein Rad", "die Anleitung"),
    },
    "fr": {
        "wear": ("la ceinture", "la bride", "le nœud"),
        "tech": ("le câble de charge", "l'adaptateur secteur", "la télécommande"),
        "kitchen": ("le couvercle", "le socle", "le filtre", "la notice"),
        "toys": ("le cache des piles", "une des roues", "la notice"),
    },
}

FIRST_NAMES = {
    "en": (
        "james",
        "emma",
        "olivia",
        "liam",
        "noah",
        "ava",
        "mia",
        "lucas",
        "sophia",
        "jack",
        "grace",
        "ethan",
    ),
    "pt": (
        "maria",
        "ana",
        "joao",
        "pedro",
        "lucas",
        "juliana",
        "fernanda",
        "rafael",
        "camila",
        "bruno",
        "larissa",
    ),
    "es": ("lucia", "carlos", "javier", "marta", "sofia", "pablo", "elena", "diego", "carmen"),
    "de": ("lukas", "anna", "jonas", "lea", "felix", "marie", "paul", "laura", "jan", "sabine"),
    "fr": ("camille", "louis", "lea", "hugo", "chloe", "jules", "manon", "arthur", "ines"),
}
LAST_NAMES = {
    "en": ("smith", "johnson", "brown", "taylor", "miller", "davis", "wilson", "clark", "walker", "hughes"),
    "pt": ("silva", "souza", "oliveira", "santos", "pereira", "lima", "costa", "ferreira", "almeida"),
    "es": ("garcia", "martinez", "lopez", "sanchez", "fernandez", "ruiz", "gomez", "moreno"),
    "de": ("mueller", "schmidt", "schneider", "fischer", "weber", "wagner", "becker", "hoffmann"),
    "fr": ("martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "moreau"),
}
EMAIL_DOMAINS = {
    "en": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.co.uk"),
    "pt": ("gmail.com", "hotmail.com", "uol.com.br", "bol.com.br", "yahoo.com.br"),
    "es": ("gmail.com", "hotmail.es", "yahoo.es", "outlook.es"),
    "de": ("gmx.de", "web.de", "gmail.com", "t-online.de"),
    "fr": ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr"),
}

STREETS = {
    "en": ("Elm", "Oak", "Maple", "Cedar", "Pine", "Main", "Park", "Church", "Station", "Willow"),
    "pt": ("das Flores", "Augusta", "dos Pinheiros", "Oscar Freire", "da Consolação", "Barão de Jaguara"),
    "es": ("Mayor", "de Alcalá", "Serrano", "del Prado", "de Atocha", "Princesa"),
    "de": ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Bergstraße"),
    "fr": ("de la Paix", "Victor Hugo", "des Lilas", "du Moulin", "Jean Jaurès", "de la République"),
}
STREET_SUFFIXES_EN = ("Street", "Avenue", "Road", "Lane", "Drive")

# PII sentences: slot `{pii}` receives the generated value.
PII_SENTENCES = {
    "email": {
        "en": ("You can reach me at {pii}.", "Email me at {pii} please.", "My email is {pii}"),
        "pt": ("Meu e-mail é {pii}.", "Me respondam no {pii}", "Contato: {pii}"),
        "es": ("Mi correo es {pii}.", "Escribidme a {pii}", "Contacto: {pii}"),
        "de": ("Meine E-Mail: {pii}", "Bitte antworten Sie an {pii}.", "Kontakt: {pii}"),
        "fr": ("Mon e-mail : {pii}", "Répondez-moi à {pii} svp.", "Contact : {pii}"),
    },
    "phone": {
        "en": ("Call me on {pii}.", "My number is {pii}", "Text me at {pii} if needed."),
        "pt": ("Me chama no {pii}", "Meu telefone: {pii}", "Liguem no {pii}, por favor."),
        "es": ("Llamadme al {pii}.", "Mi teléfono: {pii}", "Podéis llamarme al {pii}."),
        "de": ("Rufen Sie mich an unter {pii}.", "Meine Nummer: {pii}", "Tel. {pii}"),
        "fr": ("Appelez-moi au {pii}.", "Mon numéro : {pii}", "Tél : {pii}"),
    },
    "order": {
        "en": ("This is about order #{pii}.", "Order #{pii}.", "My order #{pii} still shows nothing."),
        "pt": ("Referente ao pedido {pii}.", "Pedido {pii}.", "Meu pedido {pii} continua sem atualização."),
        "es": ("Pedido n.º {pii}.", "Es sobre el pedido {pii}.", "Mi pedido {pii} sigue igual."),
        "de": ("Bestellung Nr. {pii}.", "Es geht um Bestellung {pii}.", "Bestellnummer {pii}."),
        "fr": ("Commande n° {pii}.", "Il s'agit de la commande {pii}.", "Ma commande {pii} n'avance pas."),
    },
    "card": {
        "en": ("I was charged on my card {pii}.", "Card used: {pii}", "They billed {pii} twice."),
        "pt": ("Cobraram no cartão {pii}.", "Cartão usado: {pii}", "Debitaram duas vezes do cartão {pii}."),
        "es": (
            "Me cobraron en la tarjeta {pii}.",
            "Tarjeta usada: {pii}",
            "Cargaron dos veces la tarjeta {pii}.",
        ),
        "de": (
            "Abgebucht von meiner Karte {pii}.",
            "Karte: {pii}",
            "Die Karte {pii} wurde doppelt belastet.",
        ),
        "fr": (
            "Débité sur ma carte {pii}.",
            "Carte utilisée : {pii}",
            "Ma carte {pii} a été débitée deux fois.",
        ),
    },
    "address": {
        "en": ("Delivered to {pii}.", "My address is {pii}.", "Ship it to {pii} this time."),
        "pt": ("Entregar na {pii}.", "Meu endereço: {pii}", "Moro na {pii}."),
        "es": ("Entregar en {pii}.", "Mi dirección: {pii}", "Vivo en {pii}."),
        "de": ("Meine Adresse: {pii}", "Lieferung an {pii}.", "Ich wohne in der {pii}."),
        "fr": ("Mon adresse : {pii}", "Livraison au {pii}.", "J'habite au {pii}."),
    },
}

SOCIAL_MIRROR_PREFIX = {
    "en": ("Posted on the shop: ", "Copying my review from the shop: ", "My review on the store: "),
    "pt": ("Postei na loja: ", "Minha avaliação na loja: ", "Deixei na loja: "),
    "es": ("Publicado en la tienda: ", "Mi reseña en la tienda: "),
    "de": ("Im Shop gepostet: ", "Meine Bewertung aus dem Shop: "),
    "fr": ("Posté sur la boutique : ", "Mon avis sur la boutique : "),
}
SOCIAL_HANDLES = ("@shophelp", "@shop", "@shop_support")
SOCIAL_TAGS = {
    "positive": ("#happycustomer", "#love", "#recommend", "#unboxing"),
    "negative": ("#fail", "#customerservice", "#neveragain", "#disappointed"),
    "neutral": ("#review", "#shopping"),
}

TICKET_SUBJECTS = {
    "en": (
        "Problem with order {order}",
        "{product}: need help",
        "Complaint about my order",
        "Re: order #{order}",
        "Issue with {product}",
        "Help please",
        "Question about my delivery",
    ),
    "pt": (
        "Problema com o pedido {order}",
        "{product}: preciso de ajuda",
        "Reclamação sobre meu pedido",
        "Re: pedido {order}",
        "Problema com {product}",
        "Ajuda por favor",
    ),
    "es": (
        "Problema con el pedido {order}",
        "{product}: necesito ayuda",
        "Reclamación sobre mi pedido",
        "Re: pedido {order}",
        "Incidencia con {product}",
    ),
    "de": (
        "Problem mit Bestellung {order}",
        "{product}: brauche Hilfe",
        "Beschwerde zu meiner Bestellung",
        "AW: Bestellung {order}",
        "Problem mit {product}",
    ),
    "fr": (
        "Problème avec la commande {order}",
        "{product} : besoin d'aide",
        "Réclamation sur ma commande",
        "RE: commande {order}",
        "Souci avec {product}",
    ),
}
TICKET_GREETINGS = {
    "en": ("Hello,", "Hi team,", "Dear support,", "Hi,"),
    "pt": ("Olá,", "Boa tarde,", "Prezados,", "Bom dia,"),
    "es": ("Hola,", "Buenas tardes,", "Estimados señores,"),
    "de": ("Hallo,", "Sehr geehrte Damen und Herren,", "Guten Tag,"),
    "fr": ("Bonjour,", "Madame, Monsieur,", "Bonsoir,"),
}
TICKET_SIGNOFFS = {
    "en": ("Thanks & regards,", "Best,", "Cheers,", "Thanks,"),
    "pt": ("Obrigada & abraços,", "Att.,", "Obrigado,"),
    "es": ("Gracias & saludos,", "Un saludo,", "Atentamente,"),
    "de": ("Danke & Grüße,", "Mit freundlichen Grüßen,", "Viele Grüße,"),
    "fr": ("Merci & bonne journée,", "Cordialement,", "Bien à vous,"),
}

LOCALES = {
    "en": ("en-US", "en-GB", "en"),
    "pt": ("pt-BR", "pt_BR", "pt"),
    "es": ("es-ES", "es"),
    "de": ("de-DE", "de"),
    "fr": ("fr-FR", "fr"),
}

TITLES = {
    "en": {
        "positive": (
            "Love it",
            "Great buy",
            "Five stars",
            "Exactly as described",
            "Very happy",
            "Recommended",
        ),
        "negative": (
            "Disappointed",
            "Do not buy",
            "Terrible experience",
            "Not happy",
            "Problem with my order",
        ),
        "neutral": ("Okay", "Does the job", "Average", "Fine"),
    },
    "pt": {
        "positive": ("Amei", "Ótima compra", "Recomendo", "Perfeito", "Nota 10"),
        "negative": ("Decepcionada", "Não comprem", "Péssimo", "Problema com o pedido", "Horrível"),
        "neutral": ("Ok", "Razoável", "Normal", "Mediano"),
    },
    "es": {
        "positive": ("Me encanta", "Buena compra", "Recomendado", "Perfecto"),
        "negative": ("Decepcionado", "No lo compréis", "Fatal", "Problema con el pedido"),
        "neutral": ("Normal", "Correcto", "Cumple"),
    },
    "de": {
        "positive": ("Super", "Toller Kauf", "Klare Empfehlung", "Perfekt"),
        "negative": ("Enttäuscht", "Finger weg", "Katastrophe", "Problem mit der Bestellung"),
        "neutral": ("Okay", "Geht so", "Durchschnitt"),
    },
    "fr": {
        "positive": ("J'adore", "Bon achat", "Je recommande", "Parfait"),
        "negative": ("Déçu", "À éviter", "Catastrophe", "Problème de commande"),
        "neutral": ("Correct", "Bof", "Moyen"),
    },
}

# Incident texts (packaging damage on one product); `{item}` is "the kettle" / "a chaleira" or a fallback.
INCIDENT = {
    "pt": (
        "Caixa amassada e {item} chegou com a tampa quebrada.",
        "Chegou quebrado! A caixa estava toda amassada.",
        "A caixa veio amassada e rasgada, {product} chegou quebrado.",
        "Chegou vazando, a embalagem estava encharcada.",
        "Embalagem péssima, caixa amassada e a base veio trincada.",
        "De novo chegou quebrado, caixa amassada e sem proteção nenhuma.",
        "Recebi hoje: caixa amassada, {item} com a lateral afundada.",
        "Produto chegou quebrado, nem plástico bolha tinha dentro da caixa.",
        "A caixa chegou aberta e amassada, o visor veio rachado.",
        "Chegou amassado e vazando água pela base, a embalagem não protege nada.",
        "Caixa toda amassada, {product} chegou quebrado e com a alça solta.",
        "Abri a caixa e {item} estava quebrada, a embalagem chegou amassada.",
    ),
    "en": (
        "The box was completely crushed and {item} arrived broken.",
        "Arrived broken, box crushed, the lid is cracked.",
        "Box came dented and torn, the {product} was broken inside.",
        "It arrived leaking and the packaging was soaked.",
        "Terrible packaging, crushed box and a cracked base.",
        "No padding at all in the box, arrived broken.",
        "Opened the box and {item} was dented, packaging totally crushed.",
        "Box was smashed on arrival and {item} is leaking from the base.",
    ),
}
INCIDENT_ITEM = {"pt": ("a chaleira", "o produto"), "en": ("the kettle", "the item")}

BANKS: dict[str, dict[str, object]] = {}

BANKS["en"] = {
    "openers": (
        "First time buying here.",
        "Bought this as a gift for {who}.",
        "Second order from this shop.",
        "Ordered on a {weekday}.",
        "I don't usually write reviews.",
        "Update after {weeks} weeks:",
        "Quick review.",
        "Ordered the {colour} one.",
        "Been waiting to write this.",
    ),
    "context": (
        "Bought the {product} for {price}.",
        "Ordered the {product} in {colour}.",
        "Got the {product} on sale.",
        "Went with the {vendor} {product}.",
    ),
    "praise": (
        "Love the {product}, exactly as pictured.",
        "Perfect, arrived early and works great.",
        "Great quality for the price.",
        "The {colour} one looks even better in person.",
        "Arrived in {n} days, very well packed.",
        "Really happy with this {product}.",
        "Exceeded my expectations.",
        "Feels really premium for {price}.",
        "Gave it to {who} and they love it.",
        "Super fast delivery and great quality.",
        "Works like a charm after {weeks} weeks.",
        "Honestly the best {product} I've owned.",
    ),
    "praise_app": (
        "Easy to use app, checkout takes seconds.",
        "Love the app, tracking is super clear.",
        "Best shopping app I've used, ordered the {product} in two taps.",
        "Fast and simple, never had an issue in {n} orders.",
    ),
    "neutral": (
        "It's ok, does what it says.",
        "Average {product}, nothing special.",
        "Arrived as expected.",
        "Haven't used it much yet.",
        "Does the job.",
        "Fine for the price I guess.",
        "Pretty standard {product}.",
    ),
    "bridges": ("One problem though.", "But there's a catch.", "Only complaint:", "Downside:"),
    "closers_pos": (
        "Would buy again.",
        "Highly recommend!",
        "Five stars from me.",
        "Already thinking of ordering the {colour} one too.",
        "Great value for {price}.",
    ),
    "closers_neg": (
        "Very disappointed.",
        "Won't be ordering here again.",
        "Avoid.",
        "What a waste of {price}.",
        "Please sort this out.",
        "Expected better from {vendor}.",
    ),
    "closers_neu": ("We'll see how it holds up.", "Ok for the money.", "Might order again."),
    "product_defect": {
        "wear": (
            "The zipper broke the second time I wore it.",
            "The seam on the left side ripped after one wash.",
            "{n} buttons fell off within a week.",
            "The sole started coming apart after {weeks} weeks.",
            "The fabric tore at the shoulder after a few days.",
        ),
        "tech": (
            "The {product} stopped working after {days} days.",
            "Won't turn on anymore, it's faulty.",
            "Battery dies after barely {n} hours.",
            "It was dead on arrival, no lights, nothing.",
            "Stopped charging after {weeks} weeks.",
            "Sound crackles at any volume, clearly defective.",
        ),
        "kitchen": (
            "The {product} stopped working after {days} days.",
            "The handle came loose after a few uses.",
            "The coating started peeling after {n} uses.",
            "It just stopped heating one morning.",
            "Broke within a week of normal use.",
        ),
        "toys": (
            "One of the pieces snapped on the first day.",
            "The wheels fell off after {n} days.",
            "The motor stopped working after a week.",
            "It fell apart within a week of gentle play.",
        ),
    },
    "not_as_described": {
        "any": (
            "The colour is nothing like the photo, it's more {colour} than {colour2}.",
            "Looks nothing like the picture.",
            "Cheap material, feels like plastic.",
            "Quality is much worse than expected for {price}.",
            "The {product} looks far cheaper than in the listing.",
        ),
        "wear": ("The fabric is see-through, not what the listing shows.",),
    },
    "sizing_fit": {
        "wear": (
            "Runs at least one size small, had to size up to {size2}.",
            "Ordered {size} and it's way too tight.",
            "The size chart is wrong, {size} fits like a {size2}.",
            "Too long and loose around the waist.",
            "Runs large, had to size down.",
        ),
    },
    "shipping_delay": (
        "It took {days} days to arrive.",
        "!Still waiting after {weeks} weeks, tracking hasn't moved.",
        "The delivery date was missed twice.",
        "Stuck 'in transit' for {days} days.",
        "Arrived {n} days after the promised date.",
        "!My order never arrived.",
    ),
    "packaging_damage": (
        "The box arrived crushed and the {product} was dented.",
        "Arrived broken, the packaging was a flimsy bag.",
        "Package came opened and damaged.",
        "It was leaking all over the box when it arrived.",
        "Poor packaging, the {product} arrived cracked.",
    ),
    "missing_parts": (
        "Ordered {n} items, only {m} came.",
        "The box was missing {part}.",
        "Incomplete kit, no sign of {part}.",
    ),
    "wrong_item": {
        "any": (
            "I ordered {colour} and received {colour2}.",
            "Received a completely different product.",
            "Wrong model sent, not the {product} I paid for.",
        ),
        "wear": ("Got size {size2} instead of {size}.",),
    },
    "pricing_concern": (
        "Way overpriced for what it is.",
        "Not worth {price}.",
        "The price dropped {pct}% two days after I bought it.",
        "Hidden shipping fees at checkout.",
        "Paid {price}, found it cheaper elsewhere.",
    ),
    "ease_of_use": {
        "tech": (
            "Pairing with my phone is a nightmare.",
            "The setup instructions are confusing.",
            "Couldn't get it to connect to Wi-Fi for {n} days.",
            "The companion app keeps losing the device.",
        ),
        "kitchen": (
            "The instructions are confusing, can't tell what the buttons do.",
            "Hard to figure out the temperature settings.",
        ),
        "toys": (
            "Really hard to assemble, the manual doesn't help.",
            "Took me {n} hours to put together, confusing instructions.",
        ),
        "app": (
            "The app crashes every time I open my cart.",
            "Can't log in since the last update.",
            "Checkout keeps failing in the app.",
            "Search in the app is useless, can't find anything.",
            "Tracking page in the app never loads.",
        ),
    },
    "refund_request": (
        "I want a refund.",
        "Sending it back for a refund.",
        "Already returned it, still waiting for my money after {weeks} weeks.",
        "Asked for a replacement and nothing happened.",
        "The return label link doesn't work, can't send it back.",
    ),
    "customer_service": (
        "Support never answered my emails.",
        "Waited {hours} hours on the chat and got disconnected.",
        "The agent was rude and hung up on me.",
        "The seller promised a callback that never came.",
        "Opened {n} tickets, zero replies.",
    ),
    "fraud_suspicion": (
        "This is clearly a counterfeit, the logo is misspelled.",
        "Looks used, sold as new.",
        "I was charged twice and never authorized the second charge.",
        "Suspicious seller, fake reviews everywhere.",
        "Knock-off, not an original {vendor} product.",
    ),
    "safety_hazard": {
        "tech": (
            "The {product} got so hot it melted the plug.",
            "Sparks came out of the port when I plugged it in.",
            "Got an electric shock from it.",
            "Smelled of burning plastic and started smoking.",
        ),
        "wear": (
            "The dye gave me a rash.",
            "Strong chemical smell, my skin got irritated.",
            "A sharp metal piece inside cut my finger.",
        ),
        "kitchen": (
            "The handle gets dangerously hot and burned my hand.",
            "Sharp edges, I cut myself.",
            "Sparks and a burning smell the first time I used it.",
        ),
        "toys": (
            "Small parts came off, choking risk for my {n}-year-old.",
            "Sharp edges, my kid got hurt.",
            "The battery got really hot inside the toy.",
        ),
    },
}

BANKS["pt"] = {
    "openers": (
        "Primeira compra nessa loja.",
        "Comprei de presente para {who}.",
        "Segundo pedido nessa loja.",
        "Pedi numa {weekday}.",
        "Não costumo avaliar, mas lá vai.",
        "Atualizando depois de {weeks} semanas:",
        "Pedi na cor {colour}.",
        "Vou ser sincera.",
    ),
    "context": (
        "Comprei {product} por {price}.",
        "Pedi {product} na cor {colour}.",
        "Peguei {product} na promoção.",
        "Escolhi {product} da {vendor}.",
    ),
    "praise": (
        "Adorei, exatamente como na foto.",
        "Produto excelente, chegou antes do prazo.",
        "Ótima qualidade pelo preço.",
        "Chegou em {n} dias, muito bem embalado.",
        "Muito satisfeita com {product}, recomendo.",
        "Superou minhas expectativas.",
        "A cor {colour} é ainda mais bonita pessoalmente.",
        "Dei de presente para {who} e amou.",
        "Funciona perfeitamente há {weeks} semanas.",
        "Entrega super rápida e produto de qualidade.",
        "Vale cada centavo dos {price}.",
    ),
    "praise_app": (
        "App fácil de usar, finalizo a compra em segundos.",
        "Adoro o app, o rastreio é bem claro.",
        "Melhor app de compras que já usei, comprei {product} em dois cliques.",
        "Rápido e simples, já fiz {n} pedidos sem problema.",
    ),
    "neutral": (
        "É ok, faz o que promete.",
        "Produto normal, nada de especial.",
        "Chegou conforme o esperado.",
        "Ainda não usei muito.",
        "Cumpre o que promete.",
        "Razoável pelo preço.",
        "{product} normal, igual a qualquer outro.",
    ),
    "bridges": ("Só um porém.", "Mas tem um problema.", "Único ponto negativo:", "Porém:"),
    "closers_pos": (
        "Compraria de novo.",
        "Recomendo demais!",
        "Nota 10.",
        "Já quero a cor {colour} também.",
        "Valeu cada real.",
    ),
    "closers_neg": (
        "Muito decepcionada.",
        "Não compro mais aqui.",
        "Fujam.",
        "Joguei {price} fora.",
        "Espero uma solução.",
        "Esperava mais da {vendor}.",
    ),
    "closers_neu": ("Vamos ver quanto tempo dura.", "Ok pelo preço.", "Talvez compre de novo."),
    "product_defect": {
        "wear": (
            "O zíper quebrou na segunda vez que usei.",
            "A costura lateral rasgou depois da primeira lavagem.",
            "Caíram {n} botões em uma semana.",
            "A sola descolou depois de {weeks} semanas.",
            "O tecido rasgou no ombro em poucos dias.",
        ),
        "tech": (
            "{product} parou de funcionar depois de {days} dias.",
            "Não liga mais, veio com defeito.",
            "A bateria não dura nem {n} horas.",
            "Chegou morto, não acende nenhuma luz.",
            "Parou de carregar depois de {weeks} semanas.",
            "O som chia em qualquer volume, claramente com defeito.",
        ),
        "kitchen": (
            "{product} parou de funcionar depois de {days} dias.",
            "O cabo soltou depois de poucos usos.",
            "O revestimento começou a descascar depois de {n} usos.",
            "Parou de esquentar do nada.",
            "Quebrou em uma semana de uso normal.",
        ),
        "toys": (
            "Uma das peças quebrou no primeiro dia.",
            "As rodas soltaram depois de {n} dias.",
            "O motor parou de funcionar depois de uma semana.",
            "Desmontou todo com uma semana de uso.",
        ),
    },
    "not_as_described": {
        "any": (
            "A cor não tem nada a ver com a foto, é mais {colour} do que {colour2}.",
            "Não se parece em nada com a foto.",
            "Material barato, parece plástico.",
            "Qualidade bem pior do que eu esperava por {price}.",
            "Parece muito mais simples do que no anúncio.",
        ),
        "wear": ("O tecido é transparente, nada a ver com o anúncio.",),
    },
    "sizing_fit": {
        "wear": (
            "Veste bem menor, tive que pedir o {size2}.",
            "Pedi {size} e ficou muito apertado.",
            "A tabela de medidas está errada, o {size} veste como {size2}.",
            "Ficou comprido demais e largo na cintura.",
            "Forma grande, tive que trocar por um número menor.",
        ),
    },
    "shipping_delay": (
        "Demorou {days} dias para chegar.",
        "!Já faz {weeks} semanas e o rastreio não atualiza.",
        "Passou do prazo de entrega duas vezes.",
        "Ficou parado 'em trânsito' por {days} dias.",
        "Chegou {n} dias depois da data prometida.",
        "!Meu pedido nunca chegou.",
    ),
    "packaging_damage": (
        "A caixa chegou toda amassada.",
        "Chegou quebrado, a embalagem era só um saquinho.",
        "O pacote chegou aberto e danificado.",
        "Chegou vazando, a caixa estava toda molhada.",
        "Embalagem péssima, o produto chegou trincado.",
    ),
    "missing_parts": (
        "Pedi {n} itens e só vieram {m}.",
        "Veio sem {part}.",
        "Kit incompleto, faltou {part}.",
    ),
    "wrong_item": {
        "any": (
            "Pedi na cor {colour} e veio {colour2}.",
            "Recebi um produto completamente diferente.",
            "Veio outro modelo, não é o {product} que eu comprei.",
        ),
        "wear": ("Pedi tamanho {size} e veio {size2}.",),
    },
    "pricing_concern": (
        "Caro demais pelo que é.",
        "Não vale {price}.",
        "O preço caiu {pct}% dois dias depois da compra.",
        "Cobraram frete escondido no final da compra.",
        "Paguei {price} e achei mais barato em outro lugar.",
    ),
    "ease_of_use": {
        "tech": (
            "Parear com o celular é um pesadelo.",
            "As instruções de configuração são confusas.",
            "Fiquei {n} dias tentando conectar no Wi-Fi.",
            "O aplicativo vive perdendo o dispositivo.",
        ),
        "kitchen": (
            "As instruções são confusas, não entendi os botões.",
            "Difícil de entender as configurações de temperatura.",
        ),
        "toys": (
            "Montagem muito difícil, o manual não ajuda.",
            "Levei {n} horas para montar, instruções confusas.",
        ),
        "app": (
            "O app trava toda vez que abro o carrinho.",
            "Não consigo fazer login desde a última atualização.",
            "O pagamento sempre dá erro no app.",
            "A busca do aplicativo não encontra nada.",
            "A página de rastreio no app nunca carrega.",
        ),
    },
    "refund_request": (
        "Quero meu dinheiro de volta.",
        "Vou devolver e pedir reembolso.",
        "Já devolvi e nada do reembolso, {weeks} semanas esperando.",
        "Pedi a troca e ninguém resolveu.",
        "O link da etiqueta de devolução não funciona, não consigo devolver.",
    ),
    "customer_service": (
        "O atendimento nunca respondeu meus e-mails.",
        "Fiquei {hours} horas no chat e a conversa caiu.",
        "A atendente foi grosseira.",
        "A loja não responde.",
        "Abri {n} chamados e nenhuma resposta.",
        "Prometeram retornar a ligação e nada.",
    ),
    "fraud_suspicion": (
        "É falsificado, o logo está escrito errado.",
        "Parece usado, vendido como novo.",
        "Fui cobrado duas vezes, não autorizei a segunda cobrança.",
        "Vendedor suspeito, cheio de avaliações falsas.",
        "Réplica, não é original da {vendor}.",
    ),
    "safety_hazard": {
        "tech": (
            "Esquentou tanto que derreteu a tomada.",
            "Saíram faíscas quando liguei na tomada.",
            "Levei um choque elétrico.",
            "Cheiro de plástico queimado e começou a soltar fumaça.",
        ),
        "wear": (
            "A tinta me deu alergia na pele.",
            "Cheiro forte de produto químico, minha pele ficou irritada.",
            "Uma peça de metal afiada cortou meu dedo.",
        ),
        "kitchen": (
            "A alça esquenta demais e queimei a mão.",
            "Bordas afiadas, me cortei.",
            "Soltou faísca e cheiro de queimado na primeira vez.",
        ),
        "toys": (
            "Peças pequenas soltaram, risco de engasgar para meu filho de {n} anos.",
            "Bordas cortantes, meu filho se machucou.",
            "A pilha esquentou muito dentro do brinquedo.",
        ),
    },
}

BANKS["es"] = {
    "openers": (
        "Primera compra en esta tienda.",
        "Lo compré como regalo para {who}.",
        "Segundo pedido en esta tienda.",
        "Lo pedí un {weekday}.",
        "No suelo escribir reseñas.",
        "Actualizo tras {weeks} semanas:",
        "Lo pedí en {colour}.",
    ),
    "context": (
        "Compré {product} por {price}.",
        "Pedí {product} en {colour}.",
        "Cogí {product} en oferta.",
        "Elegí {product} de {vendor}.",
    ),
    "praise": (
        "Me encanta, igual que en la foto.",
        "Producto excelente, llegó antes de lo previsto.",
        "Muy buena calidad por el precio.",
        "Llegó en {n} días y muy bien embalado.",
        "Muy contenta con {product}, lo recomiendo.",
        "Superó mis expectativas.",
        "El color {colour} es aún más bonito en persona.",
        "Lo compré para {who} y le encantó.",
        "Funciona perfectamente desde hace {weeks} semanas.",
        "Envío rapidísimo y gran calidad.",
    ),
    "praise_app": (
        "App fácil de usar, el pago es rapidísimo.",
        "Me encanta la app, el seguimiento es muy claro.",
        "La mejor app de compras que he usado, pedí {product} en dos toques.",
        "Rápida y sencilla, ya llevo {n} pedidos sin problemas.",
    ),
    "neutral": (
        "Está bien, cumple.",
        "Normalito, nada especial.",
        "Llegó como se esperaba.",
        "Todavía no lo he usado mucho.",
        "Hace su función.",
        "Correcto para el precio.",
    ),
    "bridges": ("Eso sí, hay un problema.", "Pero hay un pero.", "Único punto negativo:", "Pega:"),
    "closers_pos": (
        "Repetiría.",
        "¡Muy recomendable!",
        "Cinco estrellas.",
        "Ya estoy pensando en pedirlo en {colour}.",
        "Merece la pena por {price}.",
    ),
    "closers_neg": (
        "Muy decepcionado.",
        "No vuelvo a comprar aquí.",
        "Evitadlo.",
        "Tirar {price} a la basura.",
        "Espero una solución.",
        "Esperaba más de {vendor}.",
    ),
    "closers_neu": ("Veremos cuánto dura.", "Vale para lo que cuesta."),
    "product_defect": {
        "wear": (
            "La cremallera se rompió la segunda vez que lo usé.",
            "La costura lateral se abrió tras el primer lavado.",
            "Se cayeron {n} botones en una semana.",
            "La suela se despegó a las {weeks} semanas.",
            "La tela se rasgó en el hombro a los pocos días.",
        ),
        "tech": (
            "{product} dejó de funcionar a los {days} días.",
            "Ya no enciende, vino defectuoso.",
            "La batería no dura ni {n} horas.",
            "Llegó muerto, no se enciende ninguna luz.",
            "Dejó de cargar a las {weeks} semanas.",
        ),
        "kitchen": (
            "{product} dejó de funcionar a los {days} días.",
            "El asa se aflojó tras pocos usos.",
            "El revestimiento empezó a pelarse después de {n} usos.",
            "Dejó de calentar de repente.",
        ),
        "toys": (
            "Una de las piezas se rompió el primer día.",
            "Las ruedas se soltaron a los {n} días.",
            "El motor dejó de funcionar en una semana.",
        ),
    },
    "not_as_described": {
        "any": (
            "El color no tiene nada que ver con la foto, es más {colour} que {colour2}.",
            "No se parece en nada a la foto.",
            "Material barato, parece plástico.",
            "La calidad es mucho peor de lo esperado por {price}.",
            "Parece mucho más cutre que en el anuncio.",
        ),
        "wear": ("La tela transparenta, nada que ver con el anuncio.",),
    },
    "sizing_fit": {
        "wear": (
            "Viene muy pequeño, tuve que pedir la {size2}.",
            "Pedí la {size} y me queda muy apretado.",
            "La guía de tallas está mal, la {size} es como una {size2}.",
            "Me queda largo y holgado en la cintura.",
            "Viene grande, tuve que cambiarlo por una talla menos.",
        ),
    },
    "shipping_delay": (
        "Tardó {days} días en llegar.",
        "!Llevo {weeks} semanas esperando y el seguimiento no se mueve.",
        "Incumplieron la fecha de entrega dos veces.",
        "Estuvo 'en tránsito' {days} días.",
        "Llegó {n} días después de la fecha prometida.",
        "!Mi pedido nunca llegó.",
    ),
    "packaging_damage": (
        "La caja llegó aplastada.",
        "Llegó roto, el embalaje era una simple bolsa.",
        "El paquete llegó abierto y dañado.",
        "Llegó goteando, la caja estaba empapada.",
        "Embalaje pésimo, el producto llegó agrietado.",
    ),
    "missing_parts": (
        "Pedí {n} artículos y solo llegaron {m}.",
        "Faltaba {part} en la caja.",
        "Kit incompleto, no venía {part}.",
    ),
    "wrong_item": {
        "any": (
            "Pedí el color {colour} y me llegó {colour2}.",
            "Recibí un producto totalmente distinto.",
            "Me enviaron otro modelo, no el {product} que compré.",
        ),
        "wear": ("Pedí la talla {size} y llegó la {size2}.",),
    },
    "pricing_concern": (
        "Demasiado caro para lo que es.",
        "No vale {price}.",
        "Bajó un {pct}% dos días después de comprarlo.",
        "Gastos de envío ocultos al final de la compra.",
        "Pagué {price} y lo encontré más barato en otra tienda.",
    ),
    "ease_of_use": {
        "tech": (
            "Emparejarlo con el móvil es una pesadilla.",
            "Las instrucciones de configuración son confusas.",
            "Estuve {n} días intentando conectarlo al wifi.",
        ),
        "kitchen": (
            "Las instrucciones son confusas, no entiendo los botones.",
            "Cuesta entender los ajustes de temperatura.",
        ),
        "toys": (
            "Montaje muy difícil, el manual no ayuda.",
            "Tardé {n} horas en montarlo, instrucciones confusas.",
        ),
        "app": (
            "La app se cierra cada vez que abro el carrito.",
            "No puedo iniciar sesión desde la última actualización.",
            "El pago siempre falla en la app.",
            "El buscador de la app no encuentra nada.",
        ),
    },
    "refund_request": (
        "Quiero que me devuelvan el dinero.",
        "Lo voy a devolver y pedir el reembolso.",
        "Ya lo devolví y sigo sin reembolso tras {weeks} semanas.",
        "Pedí un cambio y nadie lo gestionó.",
        "El enlace de la etiqueta de devolución no funciona.",
    ),
    "customer_service": (
        "Atención al cliente nunca respondió mis correos.",
        "Estuve {hours} horas en el chat y se cortó.",
        "El agente fue muy maleducado.",
        "El vendedor no contesta.",
        "Abrí {n} incidencias y ninguna respuesta.",
    ),
    "fraud_suspicion": (
        "Es una falsificación, el logo está mal escrito.",
        "Parece usado, vendido como nuevo.",
        "Me cobraron dos veces, el segundo cargo no lo autoricé.",
        "Vendedor sospechoso, reseñas falsas por todas partes.",
        "Imitación, no es original de {vendor}.",
    ),
    "safety_hazard": {
        "tech": (
            "Se calentó tanto que derritió el enchufe.",
            "Salieron chispas al enchufarlo.",
            "Me dio una descarga eléctrica.",
            "Olía a plástico quemado y empezó a echar humo.",
        ),
        "wear": (
            "El tinte me provocó un sarpullido.",
            "Fuerte olor químico, se me irritó la piel.",
            "Una pieza metálica afilada me cortó el dedo.",
        ),
        "kitchen": (
            "El asa se calienta muchísimo y me quemé la mano.",
            "Bordes afilados, me corté.",
            "Echó chispas y olía a quemado la primera vez.",
        ),
        "toys": (
            "Se sueltan piezas pequeñas, riesgo de atragantamiento para mi hijo de {n} años.",
            "Bordes cortantes, mi hijo se hizo daño.",
            "La pila se calentó muchísimo dentro del juguete.",
        ),
    },
}

BANKS["de"] = {
    "openers": (
        "Erster Einkauf hier.",
        "Als Geschenk für {who} gekauft.",
        "Zweite Bestellung in diesem Shop.",
        "Am {weekday} bestellt.",
        "Schreibe sonst keine Bewertungen.",
        "Update nach {weeks} Wochen:",
        "In {colour} bestellt.",
    ),
    "context": (
        "{product} für {price} gekauft.",
        "{product} in {colour} bestellt.",
        "{product} im Angebot mitgenommen.",
        "Habe mich für {product} von {vendor} entschieden.",
    ),
    "praise": (
        "Super, genau wie auf dem Foto.",
        "Tolles Produkt, kam früher als angekündigt.",
        "Sehr gute Qualität für den Preis.",
        "Nach {n} Tagen da und sehr gut verpackt.",
        "Bin mit {product} sehr zufrieden, klare Empfehlung.",
        "Hat meine Erwartungen übertroffen.",
        "In {colour} sieht es in echt noch schöner aus.",
        "Als Geschenk für {who} gekauft, kam super an.",
        "Funktioniert seit {weeks} Wochen einwandfrei.",
        "Blitzschnelle Lieferung und top Qualität.",
    ),
    "praise_app": (
        "Einfache App, der Checkout dauert Sekunden.",
        "Tolle App, die Sendungsverfolgung ist super übersichtlich.",
        "Beste Shopping-App, {product} mit zwei Klicks bestellt.",
        "Schnell und einfach, schon {n} Bestellungen ohne Probleme.",
    ),
    "neutral": (
        "Ist okay, erfüllt seinen Zweck.",
        "Durchschnittlich, nichts Besonderes.",
        "Kam wie erwartet.",
        "Habe es noch nicht viel benutzt.",
        "Tut, was es soll.",
        "Für den Preis in Ordnung.",
    ),
    "bridges": ("Einziger Haken:", "Aber:", "Einen Minuspunkt gibt es.", "Leider:"),
    "closers_pos": (
        "Würde ich wieder kaufen.",
        "Absolut empfehlenswert!",
        "Fünf Sterne.",
        "Bestelle bald noch eins in {colour}.",
        "Für {price} ein echtes Schnäppchen.",
    ),
    "closers_neg": (
        "Sehr enttäuscht.",
        "Hier bestelle ich nicht mehr.",
        "Finger weg.",
        "{price} zum Fenster rausgeworfen.",
        "Bitte um eine Lösung.",
        "Von {vendor} hätte ich mehr erwartet.",
    ),
    "closers_neu": ("Mal sehen, wie lange es hält.", "Für das Geld okay."),
    "product_defect": {
        "wear": (
            "Der Reißverschluss ist beim zweiten Tragen kaputtgegangen.",
            "Die Seitennaht ist nach der ersten Wäsche aufgerissen.",
            "Nach einer Woche sind {n} Knöpfe abgefallen.",
            "Die Sohle hat sich nach {weeks} Wochen gelöst.",
            "Der Stoff ist nach wenigen Tagen an der Schulter gerissen.",
        ),
        "tech": (
            "{product} funktioniert nach {days} Tagen nicht mehr.",
            "Geht nicht mehr an, defekt.",
            "Der Akku hält keine {n} Stunden.",
            "Kam tot an, keine einzige LED leuchtet.",
            "Lädt nach {weeks} Wochen nicht mehr.",
        ),
        "kitchen": (
            "{product} ist nach {days} Tagen kaputt.",
            "Der Griff hat sich nach ein paar Benutzungen gelockert.",
            "Die Beschichtung blättert nach {n} Benutzungen ab.",
            "Heizt plötzlich nicht mehr.",
        ),
        "toys": (
            "Ein Teil ist am ersten Tag abgebrochen.",
            "Die Räder sind nach {n} Tagen abgefallen.",
            "Der Motor läuft nach einer Woche nicht mehr.",
        ),
    },
    "not_as_described": {
        "any": (
            "Die Farbe hat nichts mit dem Foto zu tun, eher {colour} als {colour2}.",
            "Sieht ganz anders aus als auf dem Bild.",
            "Billiges Material, fühlt sich wie Plastik an.",
            "Die Qualität ist für {price} viel schlechter als erwartet.",
            "Wirkt viel billiger als in der Anzeige.",
        ),
        "wear": ("Der Stoff ist durchsichtig, nicht wie in der Anzeige.",),
    },
    "sizing_fit": {
        "wear": (
            "Fällt mindestens eine Nummer kleiner aus, musste {size2} bestellen.",
            "Habe {size} bestellt und es ist viel zu eng.",
            "Die Größentabelle stimmt nicht, {size} passt wie {size2}.",
            "Zu lang und an der Taille zu weit.",
            "Fällt groß aus, musste eine Nummer kleiner nehmen.",
        ),
    },
    "shipping_delay": (
        "Die Lieferung hat {days} Tage gedauert.",
        "!Warte seit {weeks} Wochen, die Sendungsverfolgung bewegt sich nicht.",
        "Der Liefertermin wurde zweimal verpasst.",
        "Hing {days} Tage im Status 'in Zustellung' fest.",
        "Kam {n} Tage nach dem versprochenen Termin.",
        "!Meine Bestellung ist nie angekommen.",
    ),
    "packaging_damage": (
        "Der Karton kam völlig zerdrückt an.",
        "Kam kaputt an, die Verpackung war nur eine Tüte.",
        "Das Paket war geöffnet und beschädigt.",
        "Es lief aus, der ganze Karton war durchnässt.",
        "Miserable Verpackung, das Produkt hatte einen Sprung.",
    ),
    "missing_parts": (
        "Ich habe {n} Artikel bestellt, nur {m} kamen an.",
        "Im Karton fehlte {part}.",
        "Unvollständig geliefert, es fehlte {part}.",
    ),
    "wrong_item": {
        "any": (
            "Bestellt in {colour}, geliefert in {colour2}.",
            "Ich habe ein völlig anderes Produkt bekommen.",
            "Falsches Modell geliefert, nicht {product}.",
        ),
        "wear": ("Größe {size} bestellt, {size2} bekommen.",),
    },
    "pricing_concern": (
        "Viel zu teuer für das, was es ist.",
        "Keine {price} wert.",
        "Zwei Tage nach dem Kauf war es {pct}% billiger.",
        "Versteckte Versandkosten an der Kasse.",
        "{price} bezahlt, woanders deutlich günstiger gefunden.",
    ),
    "ease_of_use": {
        "tech": (
            "Die Kopplung mit dem Handy ist ein Albtraum.",
            "Die Einrichtungsanleitung ist verwirrend.",
            "Habe {n} Tage gebraucht, um es ins WLAN zu bekommen.",
        ),
        "kitchen": (
            "Die Anleitung ist verwirrend, die Tasten versteht man nicht.",
            "Die Temperatureinstellungen sind kaum zu verstehen.",
        ),
        "toys": (
            "Der Aufbau ist sehr schwierig, die Anleitung hilft nicht.",
            "Habe {n} Stunden zum Zusammenbauen gebraucht, Anleitung unklar.",
        ),
        "app": (
            "Die App stürzt jedes Mal ab, wenn ich den Warenkorb öffne.",
            "Seit dem letzten Update kann ich mich nicht mehr anmelden.",
            "Der Bezahlvorgang in der App schlägt ständig fehl.",
            "Die Suche in der App findet nichts.",
        ),
    },
    "refund_request": (
        "Ich will mein Geld zurück.",
        "Ich schicke es zurück und will eine Erstattung.",
        "Schon zurückgeschickt, seit {weeks} Wochen keine Erstattung.",
        "Umtausch beantragt, aber nichts passiert.",
        "Der Link zum Rücksendeetikett funktioniert nicht.",
    ),
    "customer_service": (
        "Der Kundenservice hat nie auf meine E-Mails geantwortet.",
        "{hours} Stunden im Chat gewartet, dann getrennt.",
        "Der Mitarbeiter war unhöflich.",
        "Der Verkäufer antwortet nicht.",
        "{n} Tickets eröffnet, keine Antwort.",
    ),
    "fraud_suspicion": (
        "Eindeutig eine Fälschung, das Logo ist falsch geschrieben.",
        "Sieht gebraucht aus, als neu verkauft.",
        "Mir wurde doppelt abgebucht, die zweite Abbuchung habe ich nie autorisiert.",
        "Dubioser Verkäufer, überall gefälschte Bewertungen.",
        "Billige Kopie, kein Original von {vendor}.",
    ),
    "safety_hazard": {
        "tech": (
            "Wurde so heiß, dass der Stecker geschmolzen ist.",
            "Beim Einstecken kamen Funken raus.",
            "Ich habe einen Stromschlag bekommen.",
            "Roch nach verbranntem Plastik und fing an zu qualmen.",
        ),
        "wear": (
            "Von der Farbe habe ich einen Ausschlag bekommen.",
            "Starker Chemiegeruch, meine Haut war gereizt.",
            "Ein scharfes Metallteil hat mir in den Finger geschnitten.",
        ),
        "kitchen": (
            "Der Griff wird extrem heiß, ich habe mir die Hand verbrannt.",
            "Scharfe Kanten, habe mich geschnitten.",
            "Beim ersten Mal Funken und Brandgeruch.",
        ),
        "toys": (
            "Kleine Teile lösen sich, Erstickungsgefahr für mein {n}-jähriges Kind.",
            "Scharfe Kanten, mein Kind hat sich verletzt.",
            "Die Batterie wurde im Spielzeug sehr heiß.",
        ),
    },
}

BANKS["fr"] = {
    "openers": (
        "Premier achat ici.",
        "Acheté en cadeau pour {who}.",
        "Deuxième commande dans cette boutique.",
        "Commandé un {weekday}.",
        "Je laisse rarement des avis.",
        "Mise à jour après {weeks} semaines :",
        "Commandé en {colour}.",
    ),
    "context": (
        "Acheté {product} pour {price}.",
        "Pris {product} en {colour}.",
        "Pris {product} en promo.",
        "J'ai choisi {product} de {vendor}.",
    ),
    "praise": (
        "Parfait, exactement comme sur la photo.",
        "Excellent produit, arrivé plus tôt que prévu.",
        "Très bonne qualité pour le prix.",
        "Reçu en {n} jours, très bien emballé.",
        "Très contente de {product}, je recommande.",
        "Au-delà de mes attentes.",
        "En {colour}, c'est encore plus joli en vrai.",
        "Acheté pour {who}, un vrai succès.",
        "Fonctionne parfaitement depuis {weeks} semaines.",
        "Livraison ultra rapide et super qualité.",
    ),
    "praise_app": (
        "Appli simple, le paiement se fait en quelques secondes.",
        "J'adore l'appli, le suivi est très clair.",
        "Meilleure appli de shopping, commandé {product} en deux clics.",
        "Rapide et simple, déjà {n} commandes sans souci.",
    ),
    "neutral": (
        "Correct, fait le job.",
        "Moyen, rien de spécial.",
        "Arrivé comme prévu.",
        "Pas encore beaucoup utilisé.",
        "Fait ce qu'on lui demande.",
        "Correct pour le prix.",
    ),
    "bridges": ("Seul bémol :", "Mais :", "Petit problème quand même.", "Par contre :"),
    "closers_pos": (
        "Je rachèterais.",
        "Je recommande vivement !",
        "Cinq étoiles.",
        "Je vais sûrement le prendre aussi en {colour}.",
        "Super rapport qualité-prix pour {price}.",
    ),
    "closers_neg": (
        "Très déçu.",
        "Je ne commanderai plus ici.",
        "À fuir.",
        "{price} jetés par la fenêtre.",
        "J'attends une solution.",
        "J'attendais mieux de {vendor}.",
    ),
    "closers_neu": ("On verra combien de temps ça tient.", "Correct pour le prix."),
    "product_defect": {
        "wear": (
            "La fermeture éclair a cassé la deuxième fois que je l'ai porté.",
            "La couture sur le côté s'est déchirée au premier lavage.",
            "{n} boutons sont tombés en une semaine.",
            "La semelle s'est décollée au bout de {weeks} semaines.",
            "Le tissu s'est déchiré à l'épaule en quelques jours.",
        ),
        "tech": (
            "{product} ne fonctionne plus au bout de {days} jours.",
            "Ne s'allume plus, défectueux.",
            "La batterie ne tient même pas {n} heures.",
            "Arrivé mort, aucune lumière ne s'allume.",
            "Ne charge plus au bout de {weeks} semaines.",
        ),
        "kitchen": (
            "{product} est tombé en panne au bout de {days} jours.",
            "La poignée s'est desserrée après quelques utilisations.",
            "Le revêtement s'écaille après {n} utilisations.",
            "Ne chauffe plus du jour au lendemain.",
        ),
        "toys": (
            "Une des pièces s'est cassée le premier jour.",
            "Les roues se sont détachées au bout de {n} jours.",
            "Le moteur ne marche plus après une semaine.",
        ),
    },
    "not_as_described": {
        "any": (
            "La couleur n'a rien à voir avec la photo, plus {colour} que {colour2}.",
            "Ça ne ressemble pas du tout à la photo.",
            "Matière bas de gamme, on dirait du plastique.",
            "Qualité bien pire que prévu pour {price}.",
            "Ça fait beaucoup plus cheap que sur l'annonce.",
        ),
        "wear": ("Le tissu est transparent, rien à voir avec l'annonce.",),
    },
    "sizing_fit": {
        "wear": (
            "Ça taille petit, j'ai dû prendre un {size2}.",
            "J'ai commandé du {size} et c'est beaucoup trop serré.",
            "Le guide des tailles est faux, le {size} taille comme un {size2}.",
            "Trop long et trop large à la taille.",
            "Ça taille grand, j'ai dû prendre une taille en dessous.",
        ),
    },
    "shipping_delay": (
        "Il a fallu {days} jours pour le recevoir.",
        "!J'attends depuis {weeks} semaines, le suivi ne bouge plus.",
        "La date de livraison a été ratée deux fois.",
        "Bloqué « en transit » pendant {days} jours.",
        "Arrivé {n} jours après la date promise.",
        "!Ma commande n'est jamais arrivée.",
    ),
    "packaging_damage": (
        "Le carton est arrivé complètement écrasé.",
        "Arrivé cassé, l'emballage était un simple sachet.",
        "Le colis est arrivé ouvert et abîmé.",
        "Ça fuyait, le carton était trempé.",
        "Emballage lamentable, le produit est arrivé fissuré.",
    ),
    "missing_parts": (
        "J'ai commandé {n} articles, seulement {m} sont arrivés.",
        "Il manquait {part} dans le colis.",
        "Kit incomplet : il manquait {part}.",
    ),
    "wrong_item": {
        "any": (
            "Commandé en {colour}, reçu en {colour2}.",
            "J'ai reçu un produit complètement différent.",
            "Mauvais modèle envoyé, ce n'est pas le {product} que j'ai acheté.",
        ),
        "wear": ("Commandé en taille {size}, reçu du {size2}.",),
    },
    "pricing_concern": (
        "Beaucoup trop cher pour ce que c'est.",
        "Ça ne vaut pas {price}.",
        "Le prix a baissé de {pct} % deux jours après mon achat.",
        "Frais de port cachés au moment de payer.",
        "Payé {price}, trouvé moins cher ailleurs.",
    ),
    "ease_of_use": {
        "tech": (
            "L'appairage avec le téléphone est un cauchemar.",
            "Les instructions d'installation sont incompréhensibles.",
            "J'ai mis {n} jours à le connecter au wifi.",
        ),
        "kitchen": (
            "La notice est confuse, on ne comprend pas les boutons.",
            "Les réglages de température sont difficiles à comprendre.",
        ),
        "toys": (
            "Montage très difficile, la notice n'aide pas.",
            "J'ai mis {n} heures à le monter, notice incompréhensible.",
        ),
        "app": (
            "L'appli plante à chaque fois que j'ouvre mon panier.",
            "Impossible de me connecter depuis la dernière mise à jour.",
            "Le paiement échoue tout le temps dans l'appli.",
            "La recherche dans l'appli ne trouve rien.",
        ),
    },
    "refund_request": (
        "Je veux être remboursé.",
        "Je le renvoie et je demande un remboursement.",
        "Déjà renvoyé, toujours pas remboursé après {weeks} semaines.",
        "J'ai demandé un échange, rien ne s'est passé.",
        "Le lien de l'étiquette de retour ne fonctionne pas.",
    ),
    "customer_service": (
        "Le service client n'a jamais répondu à mes mails.",
        "Attendu {hours} heures sur le chat puis coupé.",
        "Le conseiller a été impoli.",
        "Le vendeur ne répond pas.",
        "{n} tickets ouverts, aucune réponse.",
    ),
    "fraud_suspicion": (
        "C'est clairement une contrefaçon, le logo est mal écrit.",
        "A l'air d'occasion, vendu comme neuf.",
        "On m'a débité deux fois, je n'ai jamais autorisé le second prélèvement.",
        "Vendeur louche, faux avis partout.",
        "Copie bas de gamme, pas un original {vendor}.",
    ),
    "safety_hazard": {
        "tech": (
            "Il a chauffé au point de faire fondre la prise.",
            "Des étincelles sont sorties quand je l'ai branché.",
            "J'ai pris une décharge électrique.",
            "Odeur de plastique brûlé puis de la fumée.",
        ),
        "wear": (
            "La teinture m'a donné des rougeurs.",
            "Forte odeur chimique, ma peau a été irritée.",
            "Une pièce métallique coupante m'a entaillé le doigt.",
        ),
        "kitchen": (
            "La poignée devient brûlante, je me suis brûlé la main.",
            "Bords coupants, je me suis coupé.",
            "Des étincelles et une odeur de brûlé dès la première utilisation.",
        ),
        "toys": (
            "Des petites pièces se détachent, risque d'étouffement pour mon enfant de {n} ans.",
            "Bords coupants, mon enfant s'est blessé.",
            "La pile chauffe énormément dans le jouet.",
        ),
    },
}
