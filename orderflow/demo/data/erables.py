"""Résidence Les Érables: the shop of a Montreal residential building, run in French, where residents
pick up their orders at the concierge desk (preset `shop` with fulfilment = pickup, article 002)."""

from __future__ import annotations

from orderflow.demo.spec import (
    ContactSpec,
    CustomerSpec,
    OrderSpec,
    Person,
    Product,
    SellerSpec,
    assign,
    cancel,
    move,
    refund,
)

# Québec: basic groceries are zero-rated; services and other goods carry the GST and QST (14.975 %).
TAXES = "14.975"
PANIER = Product(
    "EPI-PANIER",
    "Panier de fruits et légumes biologiques",
    "34.95",
    unit="panier",
    description="Fruits et légumes de saison de la ferme partenaire, livrés le jeudi.",
)
OEUFS = Product("EPI-OEUFS", "Douzaine d'œufs de ferme", "6.49", unit="douzaine")
PAIN = Product("BOU-LEVAIN", "Pain au levain de la boulangerie du coin", "7.25", unit="pain")
CAFE = Product("EPI-CAFE", "Café en grains, torréfaction locale, 340 g", "18.50", unit="sac")
EAU = Product("EAU-18L", "Eau de source, bonbonne de 18 L", "12.00", unit="bonbonne")
CONSIGNE = Product("EAU-CONS", "Consigne de bonbonne", "10.00", unit="bonbonne")
CHEMISE = Product(
    "NET-CHEM", "Nettoyage à sec : chemise", "4.75", kind="flat_fee", unit="chemise", tax_rate=TAXES
)
COMPLET = Product(
    "NET-COMP", "Nettoyage à sec : complet", "19.95", kind="flat_fee", unit="complet", tax_rate=TAXES
)
BOUQUET = Product(
    "FLE-BOUQ",
    "Bouquet de fleurs de saison",
    "29.00",
    unit="bouquet",
    tax_rate=TAXES,
    availability="out_of_stock",
    backup_sku="FLE-PLANTE",
)
PLANTE = Product("FLE-PLANTE", "Plante en pot, pothos", "24.00", unit="pot", tax_rate=TAXES)
LESSIVE = Product(
    "ENT-LESS", "Détergent à lessive écologique, 2 L", "15.99", unit="bouteille", tax_rate=TAXES
)
PAPIER = Product(
    "ENT-PAPIER", "Papier hygiénique recyclé, 12 rouleaux", "11.49", unit="paquet", tax_rate=TAXES
)
AMPOULES = Product(
    "ENT-AMPOULE", "Ampoules DEL, blanc chaud, paquet de 4", "13.99", unit="paquet", tax_rate=TAXES
)
MENAGE = Product(
    "SVC-MENAGE",
    "Ménage de l'appartement",
    None,
    kind="quote",
    tax_rate=TAXES,
    description="Selon la taille de l'appartement : la conciergerie vous envoie une soumission.",
)

CATALOG = (
    PANIER,
    OEUFS,
    PAIN,
    CAFE,
    EAU,
    CONSIGNE,
    CHEMISE,
    COMPLET,
    BOUQUET,
    PLANTE,
    LESSIVE,
    PAPIER,
    AMPOULES,
    MENAGE,
)

READY = "Votre commande vous attend à la conciergerie, au rez-de-chaussée."

SELLER = SellerSpec(
    name="Résidence Les Érables",
    slug="erables",
    username_prefix="erables",
    preset="shop",
    options={"fulfilment": "pickup"},
    rule_extras={
        "ready_for_pickup": {
            "custom_message": "Votre commande vous attend à la réception, du lundi au samedi de 9 h à 18 h.",
        },
    },
    order_type_name="Commande de la boutique",
    time_zone="America/Montreal",
    locale="fr",
    catalog=CATALOG,
    currency="CAD",
    lead="concierge",
    staff=(
        Person("owner", "owner", "Sylvie", "Gagnon", "+15145550160"),
        Person("manager", "manager", "Martin", "Roy", "+15145550161"),
        Person("concierge", "staff", "Julie", "Bouchard", "+15145550162"),
        Person("clerk", "staff", "Noah", "Pelletier", "+15145550163"),
    ),
    customers=(
        CustomerSpec(
            "t304",
            "Appartement 304 : famille Tremblay",
            "household",
            reference="304",
            contacts=(
                ContactSpec(
                    "isabelle",
                    "Isabelle Tremblay",
                    email="isabelle.tremblay@courriel.example",
                    phone="+15145550171",
                    locale="fr",
                    time_zone="America/Montreal",
                    channels=("email",),
                ),
                ContactSpec(
                    "marc",
                    "Marc Tremblay",
                    phone="+15145550172",
                    locale="fr",
                    time_zone="America/Montreal",
                    channels=("sms",),
                ),
            ),
        ),
        CustomerSpec(
            "n112",
            "Appartement 112 : Linh Nguyen",
            "household",
            reference="112",
            contacts=(
                ContactSpec(
                    "linh",
                    "Linh Nguyen",
                    email="linh.nguyen@mail.example",
                    time_zone="America/Montreal",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "c518",
            "Appartement 518 : Côté-Lavoie",
            "household",
            reference="518",
            contacts=(
                ContactSpec(
                    "genevieve",
                    "Geneviève Côté",
                    phone="+15145550178",
                    locale="fr",
                    time_zone="America/Montreal",
                    channels=("sms",),
                ),
                ContactSpec(
                    "olivier",
                    "Olivier Lavoie",
                    email="olivier.lavoie@etudiant.example",
                    locale="fr",
                    time_zone="Europe/Paris",
                    channels=("email", "messenger"),
                ),
            ),
        ),
        CustomerSpec(
            "h207",
            "Appartement 207 : Haddad",
            "household",
            reference="207",
            contacts=(
                ContactSpec(
                    "karim",
                    "Karim Haddad",
                    email="karim.haddad@courriel.example",
                    phone="+14385550109",
                    locale="fr",
                    time_zone="America/Montreal",
                    channels=("sms", "email"),
                ),
            ),
        ),
        CustomerSpec(
            "w401",
            "Appartement 401 : Wilson",
            "household",
            reference="401",
            contacts=(
                ContactSpec(
                    "margaret",
                    "Margaret Wilson",
                    phone="+15145550190",
                    time_zone="America/Toronto",
                    channels=("call", "sms"),
                ),
            ),
        ),
    ),
    orders=(
        OrderSpec(
            "t304",
            "isabelle",
            "Panier d'épicerie de la semaine",
            days_ago=22.5,
            lines=(PANIER(1), OEUFS(2), PAIN(1)),
            steps=(
                assign("concierge", by="manager", after=1),
                move("in_preparation", after=2),
                move("ready_for_pickup", READY, after=4),
                move("picked_up", after=20),
                refund("6.49", "Une douzaine d'œufs était cassée : nous vous la remboursons.", after=3),
            ),
        ),
        OrderSpec(
            "h207",
            "karim",
            "Bonbonnes d'eau",
            days_ago=18.2,
            lines=(EAU(2), CONSIGNE(2)),
            steps=(
                move("in_preparation", after=1.5),
                move("ready_for_pickup", READY, after=3),
                move("picked_up", by="clerk", after=28),
            ),
        ),
        OrderSpec(
            "w401",
            "margaret",
            "Dry cleaning",
            days_ago=14.6,
            lines=(CHEMISE(3), COMPLET(1)),
            notes="Please be careful with the suit, it's wool.",
            steps=(
                assign("clerk", by="manager", after=1),
                cancel(
                    "Our dry-cleaning supplier is closed this week, so we cancelled your order "
                    "and refunded it in full.",
                    refund="34.20",
                    after=6,
                ),
            ),
        ),
        OrderSpec(
            "n112",
            "linh",
            "Coffee and bread",
            days_ago=10.4,
            lines=(CAFE(2), PAIN(1)),
            steps=(
                move("in_preparation", after=2),
                move("ready_for_pickup", "Your order is waiting at the concierge desk.", after=2),
                move("picked_up", after=6),
            ),
        ),
        OrderSpec(
            "c518",
            "olivier",
            "Fleurs pour maman",
            days_ago=4.2,
            lines=(BOUQUET(1),),
            notes="Pour ma mère, Geneviève Côté (app. 518). Merci de la prévenir quand c'est prêt !",
            steps=(
                assign("concierge", by="manager", after=1),
                move("in_preparation", after=16),
                move("ready_for_pickup", READY, after=3),
            ),
        ),
        OrderSpec(
            "t304",
            "marc",
            "Produits d'entretien",
            days_ago=2.3,
            lines=(LESSIVE(2), EAU(1), CONSIGNE(1)),
            steps=(assign("concierge", by="manager", after=2), move("in_preparation", after=5)),
        ),
        OrderSpec(
            "h207",
            "karim",
            "Panier et œufs",
            days_ago=1.1,
            lines=(PANIER(1), OEUFS(1)),
            steps=(assign("clerk", by="manager", after=1), move("in_preparation", after=3)),
        ),
        OrderSpec(
            "n112",
            "linh",
            "Water refill",
            days_ago=0.25,
            lines=(EAU(1), CONSIGNE(1)),
        ),
        OrderSpec(
            "c518",
            "genevieve",
            "Pain et café",
            days_ago=0.1,
            lines=(PAIN(2), CAFE(1)),
        ),
    ),
)
