"""Paul's Custom Doors: made-to-measure doors, each order a deal moving through production stages
with the customer consulted on measurements, design and materials (preset `custom-production`,
source article 004)."""

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
    estimate,
    move,
    notes,
)

# Prices include nothing: UK VAT (20 %) is added. Made-to-measure doors are quoted after the measuring
# visit; the orders below carry the price the quote set.
VAT = "20"
FRONT_DOOR = Product(
    "EXT-OAK-4P", "Solid oak front door, 4-panel, 838 x 1981 mm", "1450.00", unit="door", tax_rate=VAT
)
LOCK_SET = Product(
    "HW-LOCK-BR", "Multipoint lock and satin brass furniture set", "185.00", unit="set", tax_rate=VAT
)
MEASURING = Product("SVC-MEASURE", "Measuring visit", "60.00", kind="flat_fee", unit="visit", tax_rate=VAT)
FITTING = Product(
    "SVC-FIT", "Fitting: two fitters, one day", "360.00", kind="flat_fee", unit="day", tax_rate=VAT
)
INTERNAL_OAK = Product(
    "INT-OAK-SH", "Internal oak door, shaker style, 762 x 1981 mm", "245.00", unit="door", tax_rate=VAT
)
HINGES = Product(
    "HW-HINGE-3", "Hinges and handles, brushed steel, per door", "38.00", unit="set", tax_rate=VAT
)
ARCHED_PAIR = Product(
    "EXT-OAK-ARCH",
    "Arched oak double doors, made to measure",
    "3200.00",
    kind="quote",
    unit="pair",
    tax_rate=VAT,
)
FRENCH_DOORS = Product(
    "EXT-OAK-FR",
    "Oak French doors, double glazed, made to measure",
    "2150.00",
    kind="quote",
    unit="pair",
    tax_rate=VAT,
)
STABLE_DOOR = Product(
    "EXT-OAK-STB", "Oak stable door, made to measure", "1650.00", kind="quote", unit="door", tax_rate=VAT
)
FIRE_DOOR = Product(
    "INT-FD30", "FD30 fire door, oak veneer, with intumescent seals", "395.00", unit="door", tax_rate=VAT
)
BIFOLD = Product(
    "EXT-BIF-3",
    "Oak bifold doors for a garden room, 3 panels",
    "2800.00",
    kind="quote",
    unit="set",
    tax_rate=VAT,
)
BACK_DOOR = Product(
    "EXT-HW-PG",
    "Hardwood back door, part-glazed, made to measure",
    "980.00",
    kind="quote",
    unit="door",
    tax_rate=VAT,
)

CATALOG = (
    FRONT_DOOR,
    LOCK_SET,
    MEASURING,
    FITTING,
    INTERNAL_OAK,
    HINGES,
    ARCHED_PAIR,
    FRENCH_DOORS,
    STABLE_DOOR,
    FIRE_DOOR,
    BIFOLD,
    BACK_DOOR,
)

SELLER = SellerSpec(
    name="Paul's Custom Doors",
    slug="pauls-doors",
    username_prefix="pauls",
    preset="custom-production",
    order_type_name="Custom doors",
    time_zone="Europe/London",
    catalog=CATALOG,
    currency="GBP",
    rule_extras={
        "delivered": {
            "upsell": "Would you like your new doors fitted and adjusted? Our fitters can visit this week.",
        },
    },
    lead="manager",
    staff=(
        Person("owner", "owner", "Paul", "Hendricks", "+447700900100"),
        Person("manager", "manager", "Aisha", "Khan", "+447700900101"),
        Person("workshop", "staff", "Ben", "Carter", "+447700900102"),
        Person("fitter", "staff", "Sam", "Whitmore", "+447700900103"),
    ),
    customers=(
        CustomerSpec(
            "collins",
            "Emma & James Collins",
            "homeowner",
            contacts=(
                ContactSpec(
                    "emma",
                    "Emma Collins",
                    email="emma.collins@mailbox.example",
                    phone="+447700900211",
                    time_zone="Europe/London",
                    channels=("messenger", "sms"),
                ),
            ),
        ),
        CustomerSpec(
            "hartley",
            "Hartley Homes Ltd",
            "builder",
            email_domain="hartleyhomes.example",
            reference="TRADE-014",
            contacts=(
                ContactSpec(
                    "sarah",
                    "Sarah Hartley",
                    email="sarah@hartleyhomes.example",
                    phone="+442079460118",
                    time_zone="Europe/London",
                    channels=("in_app", "email"),
                    portal_login=True,
                    # Told at any hour, so that moving her order in the demo fills her inbox at once.
                    hours="00:00-23:59",
                ),
                ContactSpec(
                    "dev",
                    "Dev Patel",
                    email="dev.patel@hartleyhomes.example",
                    phone="+447700900233",
                    time_zone="Europe/London",
                    channels=("sms",),
                ),
            ),
        ),
        CustomerSpec(
            "rousseau",
            "Atelier Rousseau Architectes",
            "architect",
            email_domain="rousseau-architectes.example",
            contacts=(
                ContactSpec(
                    "claire",
                    "Claire Rousseau",
                    email="claire@rousseau-architectes.example",
                    phone="+33639980188",
                    locale="fr",
                    time_zone="Europe/Paris",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "rectory",
            "The Old Rectory B&B",
            "hospitality",
            contacts=(
                ContactSpec(
                    "graham",
                    "Graham Foster",
                    email="stay@oldrectory.example",
                    phone="+441632960415",
                    time_zone="Europe/London",
                    channels=("call", "email"),
                ),
            ),
        ),
        CustomerSpec(
            "oneill",
            "Michael O'Neill",
            "homeowner",
            contacts=(
                ContactSpec(
                    "michael",
                    "Michael O'Neill",
                    phone="+447700900277",
                    time_zone="Europe/Dublin",
                    channels=("call",),
                ),
            ),
        ),
    ),
    orders=(
        OrderSpec(
            "collins",
            "emma",
            "Oak front door",
            days_ago=29.2,
            lines=(FRONT_DOOR(1), LOCK_SET(1), MEASURING(1), FITTING(1)),
            notes="Our current door is 1970s softwood and the frame is fine. Obscured glass if possible.",
            steps=(
                assign("workshop", by="manager", after=1),
                move("measurements", "Measuring visit booked for Tuesday at 10:00.", after=2),
                estimate(24),
                move("design_agreed", by="customer", after=60),
                move(
                    "materials_selected",
                    "European oak, satin brass, obscured glass.",
                    by="customer",
                    after=24,
                ),
                move("in_production", after=20),
                move("packed", after=170),
                move("shipped", "On the van for Thursday; the fitters will call an hour ahead.", after=20),
                move("delivered", by="fitter", after=30),
            ),
        ),
        OrderSpec(
            "hartley",
            "sarah",
            "Plots 12 to 14: internal oak doors",
            days_ago=25.4,
            lines=(INTERNAL_OAK(24), HINGES(24)),
            notes="Three plots, eight doors each. Delivery to site, not the office.",
            steps=(
                assign("workshop", by="manager", after=0.5),
                move("measurements", after=3),
                estimate(21),
                move("design_agreed", "Shaker style, as in the show home.", after=20),
                move("materials_selected", after=8),
                move("in_production", after=6),
                move("packed", after=240),
                move("shipped", "Two pallets on Friday's van to site; Dev will sign for them.", after=30),
            ),
        ),
        OrderSpec(
            "rectory",
            "graham",
            "Arched oak double doors for the entrance",
            days_ago=21.0,
            lines=(ARCHED_PAIR(1), MEASURING(1), FITTING(2)),
            steps=(
                assign("workshop", by="manager", after=0.5),
                move("measurements", after=4),
                move("design_agreed", by="customer", after=48),
                estimate(20),
                move("materials_selected", after=24),
                move("in_production", after=12),
                notes("Reuse the original strap hinges: Graham will leave them in the porch."),
                move("packed", after=250),
            ),
        ),
        OrderSpec(
            "rousseau",
            "claire",
            "Oak French doors for the Whitstable house",
            days_ago=17.3,
            lines=(FRENCH_DOORS(2), MEASURING(1)),
            notes="Projet de maison à Whitstable. Plans joints ; merci de confirmer les cotes sur place.",
            steps=(
                assign("workshop", by="manager", after=1),
                move(
                    "measurements",
                    "Measurements on site on Monday; drawings to follow for sign-off.",
                    after=5,
                ),
                move("design_agreed", "Drawings approved.", by="customer", after=72),
                move("materials_selected", by="customer", after=30),
                estimate(18),
                move("in_production", after=10),
            ),
        ),
        OrderSpec(
            "oneill",
            "michael",
            "Oak stable door",
            days_ago=12.2,
            lines=(STABLE_DOOR(1), FITTING(1)),
            steps=(
                assign("fitter", by="manager", after=2),
                move("measurements", after=6),
                move("design_agreed", after=40),
                move(
                    "materials_selected",
                    "Sapele hardwood with black iron furniture.",
                    by="customer",
                    after=30,
                ),
                estimate(16),
            ),
        ),
        OrderSpec(
            "hartley",
            "dev",
            "FD30 fire doors for the Hartley Street flats",
            days_ago=8.4,
            lines=(FIRE_DOOR(6), HINGES(6)),
            steps=(
                assign("workshop", by="manager", after=1),
                move("measurements", after=4),
                move("design_agreed", "Same specification as the last batch.", by="customer", after=30),
            ),
        ),
        OrderSpec(
            "collins",
            "emma",
            "Bifold doors for the garden room",
            days_ago=5.1,
            lines=(BIFOLD(1), MEASURING(1), FITTING(1)),
            steps=(
                move("measurements", "Measuring visit booked for Saturday morning.", after=6),
                estimate(35),
            ),
        ),
        OrderSpec(
            "rectory",
            "graham",
            "Replacement stable door for the kitchen",
            days_ago=0.8,
            lines=(STABLE_DOOR(1),),
        ),
        OrderSpec(
            "oneill",
            "michael",
            "Part-glazed back door",
            days_ago=15.5,
            lines=(BACK_DOOR(1), MEASURING(1)),
            steps=(
                move("measurements", after=5),
                cancel(
                    "We've decided to repair the existing door instead. Thanks for coming out.",
                    by="customer",
                    after=50,
                ),
            ),
        ),
    ),
)
