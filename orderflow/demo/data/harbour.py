"""Harbour Beverage Co: a Boston drinks distributor whose sales reps take orders from bars and
restaurants (preset `distributor`, source article 000)."""

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
    line,
    move,
    open_,
)

LAGER = Product("HB-LAG-24", "Harbour Light Lager, 24 x 12 oz cans", "27.50", unit="case")
IPA_KEG = Product(
    "TW-IPA-K",
    "Tidewater IPA, 1/2 bbl keg",
    "189.00",
    backup="Tidewater Pale Ale, 1/2 bbl keg",
    unit="keg",
    backup_sku="TW-PAL-K",
)
PALE_KEG = Product("TW-PAL-K", "Tidewater Pale Ale, 1/2 bbl keg", "179.00", unit="keg")
HAZY = Product(
    "LH-HZY-24",
    "Lighthouse Hazy IPA, 24 x 16 oz cans",
    "54.00",
    backup="Lighthouse Session IPA, 24 x 16 oz cans",
    unit="case",
    availability="out_of_stock",
    backup_sku="LH-SES-24",
)
SESSION = Product("LH-SES-24", "Lighthouse Session IPA, 24 x 16 oz cans", "49.00", unit="case")
CIDER_KEG = Product("OG-CID-K", "Orchard Gate Dry Cider, 1/6 bbl keg", "98.00", unit="keg")
BOURBON = Product("OP-BRB-6", "Old Pier Bourbon, 750 ml, case of 6", "162.00", unit="case")
TEQUILA = Product(
    "CV-BLA-6",
    "Casa Verde Blanco Tequila, 1 L, case of 6",
    "198.00",
    backup="Casa Verde Reposado Tequila, 1 L, case of 6",
    unit="case",
    availability="out_of_stock",
    backup_sku="CV-REP-6",
)
REPOSADO = Product("CV-REP-6", "Casa Verde Reposado Tequila, 1 L, case of 6", "222.00", unit="case")
ROSE = Product(
    "CD-ROS-12",
    "Côte Douce Rosé 2023, 750 ml, case of 12",
    "156.00",
    backup="Bastide Rosé 2023, 750 ml, case of 12",
    unit="case",
    backup_sku="BA-ROS-12",
)
BASTIDE = Product("BA-ROS-12", "Bastide Rosé 2023, 750 ml, case of 12", "148.00", unit="case")
MUSCADET = Product("MS-MUS-12", "Muscadet Sèvre et Maine 2022, 750 ml, case of 12", "144.00", unit="case")
TONIC = Product(
    "FP-TON-24",
    "Fever Peak Tonic Water, 24 x 200 ml",
    "31.00",
    backup="Fever Peak Light Tonic, 24 x 200 ml",
    unit="case",
    backup_sku="FP-TNL-24",
)
TONIC_NO_BACKUP = Product("FP-TON-24", "Fever Peak Tonic Water, 24 x 200 ml", "31.00")
LIGHT_TONIC = Product("FP-TNL-24", "Fever Peak Light Tonic, 24 x 200 ml", "31.00", unit="case")
GINGER_BEER = Product("FP-GIN-24", "Fever Peak Ginger Beer, 24 x 200 ml", "31.00", unit="case")
COLD_BREW = Product(
    "NS-CB-5", "North Shore Cold Brew concentrate, 5 L bag-in-box", "42.00", unit="bag-in-box"
)
SPARKLING = Product("SP-WAT-24", "Sparkling spring water, 24 x 500 ml glass", "22.00", unit="case")

# Wholesale to licensed bars and restaurants: no sales tax on the invoice.
CATALOG = (
    LAGER,
    IPA_KEG,
    PALE_KEG,
    HAZY,
    SESSION,
    CIDER_KEG,
    BOURBON,
    TEQUILA,
    REPOSADO,
    ROSE,
    BASTIDE,
    MUSCADET,
    TONIC,
    LIGHT_TONIC,
    GINGER_BEER,
    COLD_BREW,
    SPARKLING,
)

SELLER = SellerSpec(
    name="Harbour Beverage Co",
    slug="harbour",
    username_prefix="harbour",
    preset="distributor",
    order_type_name="Wholesale order",
    time_zone="America/New_York",
    currency="USD",
    lead="rep",
    catalog=CATALOG,
    staff=(
        Person("owner", "owner", "Grace", "Whitaker", "+16175550100"),
        Person("manager", "manager", "Tom", "Okafor", "+16175550101"),
        Person("rep", "staff", "Dana", "Reyes", "+16175550102"),
        Person("rep2", "staff", "Luis", "Moreno", "+16175550103"),
    ),
    customers=(
        CustomerSpec(
            "copper",
            "The Copper Kettle",
            "bar",
            reference="HB-1042",
            email_domain="copperkettle.example",
            contacts=(
                ContactSpec(
                    "megan",
                    "Megan Doyle",
                    email="megan@copperkettle.example",
                    phone="+16175550118",
                    time_zone="America/New_York",
                    channels=("sms", "email"),
                ),
                ContactSpec(
                    "patrick",
                    "Patrick Doyle",
                    phone="+16175550119",
                    time_zone="America/New_York",
                    channels=("sms",),
                ),
            ),
        ),
        CustomerSpec(
            "zinc",
            "Le Petit Zinc",
            "restaurant",
            reference="HB-1077",
            email_domain="petitzinc.example",
            contacts=(
                ContactSpec(
                    "bruno",
                    "Bruno Lefèvre",
                    email="bruno@petitzinc.example",
                    phone="+16175550124",
                    locale="fr",
                    time_zone="America/New_York",
                    channels=("sms",),
                ),
                ContactSpec(
                    "camille",
                    "Camille Roux",
                    email="camille@petitzinc.example",
                    phone="+33639980121",
                    locale="fr",
                    time_zone="Europe/Paris",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "saltwater",
            "Saltwater Oyster House",
            "restaurant",
            reference="HB-1103",
            email_domain="saltwateroysters.example",
            contacts=(
                ContactSpec(
                    "jenna",
                    "Jenna Alvarez",
                    email="jenna@saltwateroysters.example",
                    phone="+12125550142",
                    time_zone="America/New_York",
                    channels=("email", "sms"),
                ),
            ),
        ),
        CustomerSpec(
            "pier9",
            "Pier 9 Taproom",
            "bar",
            reference="HB-1120",
            contacts=(
                ContactSpec(
                    "kevin",
                    "Kevin Walsh",
                    email="kevin@pier9taproom.example",
                    phone="+16175550133",
                    time_zone="America/New_York",
                    channels=("messenger", "sms"),
                ),
                ContactSpec(
                    "alicia",
                    "Alicia Gomez",
                    email="alicia.gomez@tidelinehospitality.example",
                    phone="+13105550177",
                    time_zone="America/Los_Angeles",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "bluebird",
            "The Bluebird Hotel Bar",
            "bar",
            reference="HB-1156",
            contacts=(
                ContactSpec(
                    "oliver",
                    "Oliver Grant",
                    phone="+16175550146",
                    time_zone="America/New_York",
                    channels=("call", "sms"),
                ),
                ContactSpec(
                    "nadia",
                    "Nadia Price",
                    email="nadia.price@bluebirdhotels.example",
                    phone="+447700900312",
                    time_zone="Europe/London",
                    channels=("email",),
                ),
            ),
        ),
    ),
    orders=(
        OrderSpec(
            "copper",
            "megan",
            "Weekend restock",
            days_ago=27.4,
            lines=(LAGER(10), IPA_KEG(2), TONIC(4)),
            notes="Back door is open from 10am. Please stack the kegs by the walk-in cooler.",
            steps=(
                assign("rep", by="manager", after=0.5),
                open_(after=1),
                move("confirmed", "Entered for Thursday's truck.", after=0.5),
                move("delivered", after=46),
            ),
        ),
        OrderSpec(
            "zinc",
            "bruno",
            "Vins de la semaine",
            days_ago=24.2,
            lines=(ROSE(6), MUSCADET(4), SPARKLING(5)),
            notes="Livraison avant 11 h s'il vous plaît, merci !",
            steps=(
                assign("rep2", by="manager", after=0.3),
                open_(after=0.8),
                line(1, "out_of_stock", after=0.5),
                line(1, "substituted", after=0.2),
                move(
                    "confirmed",
                    "The Côte Douce rosé is out until next month, so we're sending the Bastide rosé "
                    "you listed as your backup.",
                    after=0.2,
                ),
                move("delivered", after=40),
            ),
        ),
        OrderSpec(
            "saltwater",
            "jenna",
            "Muscadet and cold brew",
            days_ago=20.6,
            lines=(MUSCADET(6), COLD_BREW(2), SPARKLING(10)),
            steps=(open_(after=2), move("confirmed", after=1), move("delivered", after=30)),
        ),
        OrderSpec(
            "pier9",
            "kevin",
            "Taproom order",
            days_ago=17.1,
            lines=(HAZY(5), CIDER_KEG(2)),
            steps=(
                open_(by="rep2", after=2),
                cancel(
                    "Duplicate: Alicia already sent this week's order from the group office.",
                    by="customer",
                    after=1,
                ),
            ),
        ),
        OrderSpec(
            "copper",
            "patrick",
            "IPA keg and bourbon",
            days_ago=13.3,
            lines=(IPA_KEG(1), BOURBON(1), GINGER_BEER(3)),
            steps=(
                assign("rep", by="manager", after=1),
                open_(after=2),
                move("confirmed", "Confirmed. The IPA keg ships with Tuesday's delivery.", after=2),
                move("delivered", after=26),
            ),
        ),
        OrderSpec(
            "pier9",
            "alicia",
            "Pier 9 weekly order",
            days_ago=10.5,
            lines=(HAZY(8), LAGER(12), CIDER_KEG(2)),
            notes="Group order for Pier 9. Invoice to Tideline Hospitality as usual.",
            steps=(
                assign("rep2", by="manager", after=1),
                open_(after=1.5),
                move("confirmed", "Confirmed for Wednesday. Please have someone sign for the kegs.", after=4),
                move("delivered", after=44),
            ),
        ),
        OrderSpec(
            "bluebird",
            "nadia",
            "Hotel bar restock",
            days_ago=5.8,
            lines=(BOURBON(2), TEQUILA(2), TONIC_NO_BACKUP(6), GINGER_BEER(6)),
            steps=(
                assign("rep", by="manager", after=2),
                open_(after=3),
                line(3, "out_of_stock", after=0.5),
                move(
                    "confirmed",
                    "Confirmed for Friday. The tonic is out of stock and has no backup on your order: "
                    "Dana will call Oliver about an alternative.",
                    after=0.5,
                ),
            ),
        ),
        OrderSpec(
            "zinc",
            "camille",
            "Commande du jeudi",
            days_ago=3.4,
            lines=(ROSE(4), MUSCADET(6)),
            steps=(
                assign("rep2", by="manager", after=1),
                open_(after=2),
                move("confirmed", "Confirmé : livraison jeudi matin.", after=2),
            ),
        ),
        OrderSpec(
            "saltwater",
            "jenna",
            "Lager and cold brew",
            days_ago=2.1,
            lines=(LAGER(6), COLD_BREW(1)),
            steps=(open_(after=5),),
        ),
        OrderSpec(
            "copper",
            "megan",
            "Midweek top-up",
            days_ago=1.3,
            lines=(LAGER(8), TONIC(4)),
            steps=(assign("rep", by="manager", after=2), open_(after=4)),
        ),
        OrderSpec(
            "pier9",
            "kevin",
            "Hazy IPA and ginger beer",
            days_ago=0.4,
            lines=(HAZY(6), GINGER_BEER(2)),
            notes="Can you bring a tap handle for the Hazy IPA?",
        ),
        OrderSpec(
            "bluebird",
            "oliver",
            "Bourbon and water",
            days_ago=0.15,
            lines=(BOURBON(1), SPARKLING(6)),
        ),
    ),
)
