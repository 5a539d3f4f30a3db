"""Northgate Reseller: an IT reseller whose reps draft quotes for prospects; the prospect's contact
accepts the terms, then the quote is progressed into an order (preset `quote-to-order`, article 003).
"""

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
    ship,
)

SUITE = Product(
    "LIC-SUITE-12", "Business productivity suite, per user, 12 months", "264.00", kind="flat_fee", unit="user"
)
FIREWALL = Product(
    "NET-FW-3Y", "Next-generation firewall appliance with 3-year support", "2890.00", unit="unit"
)
SWITCH = Product("NET-SW-24P", "24-port PoE+ managed switch", "1150.00", unit="unit")
ACCESS_POINT = Product("NET-AP-W6", "Wi-Fi 6 access point", "420.00", unit="unit")
INSTALL_DAY = Product(
    "SVC-INSTALL", "On-site installation and configuration, per day", "1100.00", kind="flat_fee", unit="day"
)
LAPTOP = Product("HW-LT-14", 'Laptop, 14", 16 GB RAM, 512 GB SSD, 3-year warranty', "1380.00", unit="unit")
BACKUP = Product(
    "SVC-BKP-12", "Managed backup, per server, 12 months", "780.00", kind="flat_fee", unit="server"
)
ROOM_KIT = Product("AV-ROOM", "Video conferencing room kit", "2450.00", unit="kit")
CABLES = Product("NET-CAB-6A", "Cat 6A patch cables, 2 m, pack of 10", "64.00", unit="pack")
UPS = Product(
    "NET-UPS-1500",
    "Rack UPS, 1500 VA, 2U",
    "890.00",
    unit="unit",
    availability="out_of_stock",
    backup_sku="NET-UPS-1000",
)
SMALL_UPS = Product("NET-UPS-1000", "Rack UPS, 1000 VA, 2U", "640.00", unit="unit")
SITE_DESIGN = Product(
    "SVC-DESIGN",
    "Network design for a new site",
    None,
    kind="quote",
    description="A site survey and a bill of materials, quoted from your floor plans.",
)

# Sold to businesses that resell or use it: sales tax is settled on the invoice, not listed here.
CATALOG = (
    SUITE,
    FIREWALL,
    SWITCH,
    ACCESS_POINT,
    INSTALL_DAY,
    LAPTOP,
    BACKUP,
    ROOM_KIT,
    CABLES,
    UPS,
    SMALL_UPS,
    SITE_DESIGN,
)

SELLER = SellerSpec(
    name="Northgate Reseller",
    slug="northgate",
    username_prefix="northgate",
    preset="quote-to-order",
    order_type_name="Reseller quote",
    time_zone="America/Chicago",
    catalog=CATALOG,
    currency="USD",
    lead="rep",
    carriers=("UPS", "FedEx"),
    terms=(
        "Northgate general terms of sale",
        "1. Scope. Northgate supplies the products and services listed in the accepted proposal.\n"
        "2. Prices. Prices are those of the quote; they stay valid until the quote expires.\n"
        "3. Delivery. Hardware ships within 10 business days of the order unless the proposal says "
        "otherwise. Installation dates are agreed with the customer.\n"
        "4. Payment. Invoices are payable within 30 days.\n"
        "5. Warranty. Hardware carries the maker's warranty; Northgate's workmanship is guaranteed for "
        "12 months.\n"
        "6. Cancellation. An order may be cancelled without charge until the hardware ships.",
    ),
    draft_quotes=(("Laptops for two new hygienists", 30, 21),),
    staff=(
        Person("owner", "owner", "Helen", "Shaw", "+13125550150"),
        Person("manager", "manager", "Raj", "Mehta", "+13125550151"),
        Person("rep", "staff", "Sofia", "Lindqvist", "+13125550152"),
    ),
    customers=(
        CustomerSpec(
            "brookfield",
            "Brookfield Dental Group",
            "prospect",
            email_domain="brookfielddental.example",
            contacts=(
                ContactSpec(
                    "angela",
                    "Dr Angela Ruiz",
                    email="angela.ruiz@brookfielddental.example",
                    time_zone="America/Chicago",
                    channels=("email",),
                ),
                # Brookfield's outside IT consultant: not on Brookfield's domain, so Northgate cannot
                # send them the customer confirmation (003).
                ContactSpec(
                    "marco",
                    "Marco Bianchi (IT consultant)",
                    email="marco@bianchi-it.example",
                    time_zone="America/Chicago",
                ),
                ContactSpec(
                    "kyle",
                    "Kyle Jensen",
                    email="kyle.jensen@brookfielddental.example",
                    phone="+13125550181",
                    time_zone="America/Chicago",
                    channels=("sms", "email"),
                ),
            ),
        ),
        CustomerSpec(
            "meridian",
            "Meridian Logistics",
            "prospect",
            email_domain="meridianlogistics.example",
            contacts=(
                ContactSpec(
                    "fatima",
                    "Fatima Rahman",
                    email="fatima.rahman@meridianlogistics.example",
                    time_zone="America/New_York",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "lakeshore",
            "Lakeshore School District",
            "prospect",
            email_domain="lakeshoreschools.example",
            contacts=(
                ContactSpec(
                    "daniel",
                    "Daniel Novak",
                    email="dnovak@lakeshoreschools.example",
                    time_zone="America/Chicago",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "tva",
            "Thames Valley Analytics",
            "prospect",
            email_domain="thamesvalleyanalytics.example",
            contacts=(
                ContactSpec(
                    "oliver",
                    "Oliver Bennett",
                    email="oliver.bennett@thamesvalleyanalytics.example",
                    phone="+447700900354",
                    time_zone="Europe/London",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "vallee",
            "Groupe Vallée Conseil",
            "prospect",
            email_domain="groupevallee.example",
            contacts=(
                ContactSpec(
                    "nathalie",
                    "Nathalie Vallée",
                    email="nathalie@groupevallee.example",
                    locale="fr",
                    time_zone="America/Montreal",
                    channels=("email", "messenger"),
                ),
            ),
        ),
    ),
    orders=(
        OrderSpec(
            "brookfield",
            "angela",
            "Network refresh for three clinics",
            days_ago=27.3,
            placed_by="rep",
            lines=(FIREWALL(3), SWITCH(3), ACCESS_POINT(9), INSTALL_DAY(3)),
            steps=(
                move("confirmation_sent", after=20),
                move("terms_accepted", by="customer", after=26),
                move(
                    "order_placed", "Progressed to an order; hardware ordered from the distributor.", after=4
                ),
                estimate(12),
                ship("UPS", "1Z999AA10123456784", days=3, after=70),
                move("fulfilled", "All three clinics installed and handed over.", after=250),
            ),
        ),
        OrderSpec(
            "lakeshore",
            "daniel",
            "Classroom Wi-Fi upgrade, Lincoln Elementary",
            days_ago=20.2,
            placed_by="rep",
            lines=(ACCESS_POINT(14), SWITCH(2), INSTALL_DAY(2)),
            steps=(
                assign("rep", by="manager", after=0.5),
                move("confirmation_sent", after=6),
                move(
                    "quote_drafted",
                    "Daniel asked for five years of support instead of three; revising the terms.",
                    after=30,
                ),
                move("confirmation_sent", after=5),
                move("terms_accepted", by="customer", after=40),
                move("order_placed", after=20),
                estimate(21),
                ship("FedEx", "794612345678", days=4, after=30),
            ),
        ),
        OrderSpec(
            "meridian",
            "fatima",
            "Laptops for the dispatch team",
            days_ago=13.4,
            placed_by="rep",
            lines=(LAPTOP(12), SUITE(12)),
            steps=(
                move("confirmation_sent", after=4),
                move("terms_accepted", by="customer", after=22),
                notes("Fatima confirmed she signs for up to USD 25k; PO to follow from finance.", by="rep"),
            ),
        ),
        OrderSpec(
            "tva",
            "oliver",
            "Video conferencing for the Reading office",
            days_ago=7.1,
            placed_by="manager",
            lines=(ROOM_KIT(2), INSTALL_DAY(1)),
            steps=(assign("rep", by="manager", after=1), move("confirmation_sent", after=26)),
        ),
        OrderSpec(
            "vallee",
            "nathalie",
            "Sauvegarde gérée des serveurs",
            days_ago=3.3,
            placed_by="rep",
            lines=(BACKUP(4),),
            steps=(assign("rep", by="manager", after=2),),
        ),
        OrderSpec(
            "meridian",
            "fatima",
            "Firewall for the Newark depot",
            days_ago=16.6,
            placed_by="rep",
            lines=(FIREWALL(1), INSTALL_DAY(1)),
            steps=(
                move("confirmation_sent", after=8),
                cancel(
                    "Budget moved to next fiscal year; we'll come back to you in Q1.", by="customer", after=50
                ),
            ),
        ),
        OrderSpec(
            "brookfield",
            "kyle",
            "Laptops for two new hygienists",
            days_ago=1.2,
            placed_by="rep",
            lines=(LAPTOP(2), SUITE(2)),
        ),
    ),
)
