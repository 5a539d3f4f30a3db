"""The demo: five sellers, one per workflow preset, described as plain data (see `spec`).

Every phone number is in a range reserved for fiction and every email domain ends in `.example`,
so nothing the demo triggers can reach a real person.
"""

from __future__ import annotations

from orderflow.demo.data import brightlane, erables, harbour, northgate, pauls_doors
from orderflow.demo.spec import SellerSpec

# The one password of every demo login, the admin's included. Demo only: never reuse it.
PASSWORD = "demo-orderflow"
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@orderflow.example"

SELLERS: tuple[SellerSpec, ...] = (
    harbour.SELLER,
    brightlane.SELLER,
    erables.SELLER,
    pauls_doors.SELLER,
    northgate.SELLER,
)
