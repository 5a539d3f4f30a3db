"""Who did something: a staff member of a seller, a customer's contact, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from orderflow.accounts.models import Contact, Membership

ActorKind = Literal["staff", "customer", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    membership: Membership | None = None
    contact: Contact | None = None
    name: str = "System"

    @classmethod
    def staff(cls, membership: Membership) -> Actor:
        return cls(kind="staff", membership=membership, name=membership.display_name)

    @classmethod
    def customer(cls, contact: Contact) -> Actor:
        return cls(kind="customer", contact=contact, name=contact.name)

    @classmethod
    def system(cls, name: str = "System") -> Actor:
        return cls(kind="system", name=name)

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None
