"""Brightlane Marketing: a provider delivering marketing services to channel partners, quoted or
at a flat fee (preset `services-marketplace`, source article 001)."""

from __future__ import annotations

from orderflow.demo.spec import (
    ContactSpec,
    CustomerSpec,
    OrderSpec,
    Person,
    Product,
    SellerSpec,
    archive,
    assign,
    cancel,
    estimate,
    move,
    notes,
    people,
    recipient,
)

WEBINAR = Product(
    "WEB-SESSION", "Webinar production, per session", "2400.00", kind="flat_fee", unit="session"
)
REGISTRATION = Product("WEB-REG", "Registration page and reminder emails", "650.00", kind="flat_fee")
LEAD_EXPORT = Product("WEB-LEADS", "Post-event lead export", "150.00", kind="flat_fee")
PAID_SOCIAL = Product(
    "SOC-LI-14", "Paid social campaign, LinkedIn, 14 days (flat fee)", "3000.00", kind="flat_fee"
)
AD_SPEND = Product(
    "SOC-SPEND",
    "Ad spend, passed through at cost",
    "2000.00",
    kind="quote",
    description="The budget is agreed per campaign and invoiced at cost.",
)
LEAD_CAPTURE = Product(
    "EVT-CAPTURE",
    "Trade show lead capture: app and badge scanning, 3 days",
    None,
    kind="quote",
    description="Priced per show: tell us the venue, the dates and the number of scanners.",
)
NURTURE_FLAT = Product(
    "EML-NURT-4", "Email nurture campaign, 4 emails, copy and build (flat fee)", "2800.00", kind="flat_fee"
)
NURTURE_EMAIL = Product(
    "EML-NURT-1", "Email nurture campaign, per email", "1200.00", kind="flat_fee", unit="email"
)
CASE_STUDY = Product(
    "CNT-CASE", "Co-branded case study: interview, writing and design", "1850.00", kind="flat_fee"
)
LANDING = Product("WEB-LAND", "Landing page with lead form (flat fee)", "1200.00", kind="flat_fee")
TELEQUAL = Product(
    "TEL-QUAL", "Telequalification of event leads, per lead", "9.50", kind="flat_fee", unit="lead"
)
NEWSLETTER = Product("NWS-FEAT", "Feature in the partner newsletter (flat fee)", "750.00", kind="flat_fee")
SEARCH_ADS = Product(
    "ADS-SEARCH",
    "Search ads account setup and first campaign",
    None,
    kind="quote",
    description="Scoped with you: markets, keywords and budget.",
)
BOOTH_KIT = Product(
    "EVT-KIT", "Trade show booth kit: banner, flyers, QR lead form (flat fee)", "980.00", kind="flat_fee"
)
BROCHURE = Product(
    "PRT-BRO-2K", "Printed product brochure, 2,000 copies (flat fee)", "1400.00", kind="flat_fee"
)

# What partners order from the marketplace: set-price services, and open-ended requests for quote.
CATALOG = (
    WEBINAR,
    REGISTRATION,
    LEAD_EXPORT,
    PAID_SOCIAL,
    AD_SPEND,
    LEAD_CAPTURE,
    NURTURE_FLAT,
    NURTURE_EMAIL,
    CASE_STUDY,
    LANDING,
    TELEQUAL,
    NEWSLETTER,
    SEARCH_ADS,
    BOOTH_KIT,
    BROCHURE,
)

SELLER = SellerSpec(
    name="Brightlane Marketing",
    slug="brightlane",
    username_prefix="brightlane",
    preset="services-marketplace",
    order_type_name="Marketing service",
    time_zone="America/Los_Angeles",
    catalog=CATALOG,
    currency="USD",
    lead="manager",
    staff=(
        Person("owner", "owner", "Priya", "Natarajan", "+13105550140"),
        Person("manager", "manager", "Marcus", "Bell", "+13105550141"),
        Person("specialist", "staff", "Chloe", "Dubois", "+13105550142"),
        Person("designer", "staff", "Ethan", "Park", "+13105550143"),
    ),
    customers=(
        CustomerSpec(
            "northwind",
            "Northwind Solar",
            "partner",
            email_domain="northwindsolar.example",
            reference="P-2207",
            contacts=(
                ContactSpec(
                    "laura",
                    "Laura Chen",
                    email="laura.chen@northwindsolar.example",
                    phone="+12125550143",
                    time_zone="America/New_York",
                    channels=("email",),
                ),
                ContactSpec(
                    "tom",
                    "Tom Becker",
                    email="tom.becker@northwindsolar.example",
                    phone="+13125550130",
                    time_zone="America/Chicago",
                    channels=("sms",),
                ),
            ),
        ),
        CustomerSpec(
            "atelier",
            "Atelier Lumière",
            "partner",
            email_domain="atelierlumiere.example",
            reference="P-2231",
            contacts=(
                ContactSpec(
                    "elise",
                    "Élise Moreau",
                    email="elise.moreau@atelierlumiere.example",
                    phone="+33639980145",
                    locale="fr",
                    time_zone="Europe/Paris",
                    channels=("email", "in_app"),
                    portal_login=True,
                ),
                ContactSpec(
                    "hugo",
                    "Hugo Bernard",
                    email="hugo.bernard@atelierlumiere.example",
                    locale="fr",
                    time_zone="Europe/Paris",
                    channels=("messenger",),
                ),
            ),
        ),
        CustomerSpec(
            "kestrel",
            "Kestrel Networks",
            "partner",
            email_domain="kestrelnetworks.example",
            reference="P-2254",
            contacts=(
                ContactSpec(
                    "james",
                    "James Whitfield",
                    email="james.whitfield@kestrelnetworks.example",
                    phone="+442079460321",
                    time_zone="Europe/London",
                    channels=("email",),
                ),
                ContactSpec(
                    "amara",
                    "Amara Okoye",
                    email="amara.okoye@kestrelnetworks.example",
                    time_zone="Europe/London",
                    channels=("email",),
                ),
            ),
        ),
        CustomerSpec(
            "cascade",
            "Cascade Outdoor Co",
            "partner",
            email_domain="cascadeoutdoor.example",
            reference="P-2290",
            contacts=(
                ContactSpec(
                    "ryan",
                    "Ryan Fisher",
                    email="ryan@cascadeoutdoor.example",
                    phone="+15035550166",
                    time_zone="America/Los_Angeles",
                    channels=("sms", "email"),
                ),
            ),
        ),
    ),
    orders=(
        OrderSpec(
            "northwind",
            "laura",
            "Q3 webinar series",
            days_ago=28.6,
            lines=(WEBINAR(2), REGISTRATION(1)),
            notes="Two 45-minute sessions on commercial solar financing. We will supply the speakers.",
            steps=(
                assign("specialist", by="manager", after=1),
                move(
                    "pending_approval",
                    "Quote: USD 5,450 for two sessions, valid 30 days; completion in three weeks.",
                    after=5,
                ),
                move("approved", by="customer", after=20),
                estimate(21),
                move("in_progress", after=18),
                notes("Speakers: Laura Chen and Northwind's CFO. Slides due three days before each session."),
                move("scheduled", after=96),
                move("executing", after=72),
                move(
                    "complete",
                    "Both sessions ran: 214 registrants, 131 attended. Recordings are in the comments.",
                    after=120,
                ),
                archive(after=48),
            ),
        ),
        OrderSpec(
            "kestrel",
            "james",
            "LinkedIn paid social, 14 days",
            days_ago=26.2,
            start="pending_approval",
            lines=(PAID_SOCIAL(1), AD_SPEND(1)),
            steps=(
                move("approved", by="manager", after=4),
                assign("designer", by="manager", after=0.5),
                estimate(20),
                move("not_started", "Creative is booked for next week.", after=2),
                move("in_progress", after=48),
                move(
                    "complete",
                    "Campaign finished: 412 clicks and 37 form fills. The report is in the comments.",
                    after=336,
                ),
            ),
        ),
        OrderSpec(
            "cascade",
            "ryan",
            "Trade show lead capture, Outdoor Retailer Summer",
            days_ago=23.5,
            lines=(LEAD_CAPTURE(1),),
            steps=(
                assign("specialist", by="manager", after=2),
                cancel(
                    "We're skipping the show this year, so we no longer need this.", by="customer", after=30
                ),
            ),
        ),
        OrderSpec(
            "atelier",
            "elise",
            "Campagne e-mail de relance (4 e-mails)",
            days_ago=21.3,
            start="pending_approval",
            lines=(NURTURE_FLAT(1),),
            notes="Cible : installateurs en France et en Belgique. Textes en français.",
            steps=(
                move("approved", by="manager", after=3),
                assign("designer", by="manager"),
                estimate(18),
                move("in_progress", after=26),
                notes("Élise wants French copy in a formal tone (vous). Use the spring palette."),
                move(
                    "waiting_for_partner",
                    "We're waiting for your logo files and the product names for email 2 "
                    "before we can finish the build.",
                    after=70,
                ),
            ),
        ),
        OrderSpec(
            "northwind",
            "tom",
            "Co-branded case study",
            days_ago=18.4,
            lines=(CASE_STUDY(1),),
            steps=(
                assign("specialist", by="manager", after=1),
                move("approved", "Quote accepted as discussed on the call.", by="customer", after=8),
                estimate(14),
                move("in_progress", after=20),
                move("scheduled", "Publication scheduled for the partner newsletter on the 1st.", after=150),
            ),
        ),
        OrderSpec(
            "kestrel",
            "amara",
            "Webinar: zero-trust networking for small businesses",
            days_ago=15.2,
            lines=(WEBINAR(1), LEAD_EXPORT(1)),
            steps=(
                assign("specialist", by="manager"),
                move("pending_approval", "Quote: USD 2,550, valid 30 days.", after=6),
                move("approved", by="customer", after=16),
                estimate(12),
                move("in_progress", after=4),
                move("scheduled", after=100),
                recipient("events@kestrelnetworks.example", by="manager", after=1),
                people(
                    "participant",
                    "Amara|Okoye|amara.okoye@kestrelnetworks.example|+442079460322|Kestrel Networks|Partner",
                    "Daniel|Reyes|daniel.reyes@kestrelnetworks.example||Kestrel Networks|Solutions engineer",
                    by="customer",
                    after=2,
                ),
                move("executing", "Registration is live and the reminder emails are running.", after=48),
                people(
                    "participant",
                    "Sofia|Marsh|sofia@brightmoor-it.example||Brightmoor IT|IT manager",
                    "Kenji|Watanabe|kenji.w@harborlogistics.example|+14155550188|Harbor Logistics|CTO",
                    "Grace|Oduya|grace@oduya-law.example||Oduya Law|Office manager",
                    by="customer",
                    after=20,
                ),
                people(
                    "lead",
                    "Kenji|Watanabe|kenji.w@harborlogistics.example|+14155550188|Harbor Logistics|CTO",
                    "Martin|Kowalski||+12065550177|Pinecrest Dental|Practice owner",
                    "Helen|Brooks|helen.brooks@fernvale.example||Fernvale Schools|IT director",
                    by="specialist",
                    after=4,
                ),
            ),
        ),
        OrderSpec(
            "cascade",
            "ryan",
            "Landing page and lead form",
            days_ago=12.1,
            start="pending_approval",
            lines=(LANDING(1),),
            steps=(
                move("approved", by="manager", after=2),
                assign("designer", by="manager"),
                estimate(10),
                move("in_progress", after=30),
                notes("Ryan wants the hero photo from the spring catalogue; ask him for the high-res file."),
            ),
        ),
        OrderSpec(
            "atelier",
            "hugo",
            "Télé-qualification des contacts du salon",
            days_ago=9.0,
            lines=(TELEQUAL(120),),
            steps=(
                assign("specialist", by="manager", after=1),
                move("approved", by="customer", after=20),
                move("not_started", "Calls start once you upload the lead list.", after=3),
                estimate(14),
            ),
        ),
        OrderSpec(
            "northwind",
            "laura",
            "Partner newsletter feature",
            days_ago=6.3,
            start="pending_approval",
            lines=(NEWSLETTER(1),),
            steps=(move("approved", by="manager", after=5), assign("designer", by="manager")),
        ),
        OrderSpec(
            "kestrel",
            "james",
            "Email nurture, 3 emails",
            days_ago=3.2,
            lines=(NURTURE_EMAIL(3),),
            steps=(
                assign("specialist", by="manager", after=2),
                move(
                    "pending_approval",
                    "Quote: three emails, copy and build, USD 3,600, valid 30 days.",
                    after=20,
                ),
            ),
        ),
        OrderSpec(
            "cascade",
            "ryan",
            "Search ads setup for the autumn range",
            days_ago=1.1,
            lines=(SEARCH_ADS(1),),
            notes="Budget around USD 5k a month. Can you quote the setup and the first month of management?",
        ),
        OrderSpec(
            "atelier",
            "elise",
            "Kit de stand pour salon professionnel",
            days_ago=0.3,
            start="pending_approval",
            lines=(BOOTH_KIT(1),),
        ),
        OrderSpec(
            "northwind",
            "tom",
            "Printed brochure, 2,000 copies",
            days_ago=25.0,
            start="pending_approval",
            lines=(BROCHURE(1),),
            steps=(
                assign("designer", by="manager", after=1),
                cancel("Northwind chose a local printer for this run.", by="manager", after=20),
                archive(after=72),
            ),
        ),
    ),
)
