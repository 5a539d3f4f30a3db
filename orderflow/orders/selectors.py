"""Reads of orders that the seller's pages (and later the API) share.

Every function takes the seller it reads for, so no query can reach another tenant's rows, and loads
what its callers display in a fixed number of queries (no N+1 over orders, lines or events).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db import connection
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy, RawSQL
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Contact, Customer, Membership, Seller
from orderflow.catalog.models import Availability, Item, ItemKind, search_key
from orderflow.orders.models import CustomerSearch, Order, OrderCount, OrderEvent, OrderSearch, Refund
from orderflow.workflows.definition import State
from orderflow.workflows.models import OrderType, WorkflowVersion

# Sort keys offered to people (and API clients) -> the order field behind them.
SORT_FIELDS = {
    "submitted": "submitted_at",
    "last_activity": "last_activity_at",
    "estimated_completion": "estimated_completion",
}
DEFAULT_SORT = "-last_activity"
SORT_CHOICES = [
    ("-last_activity", _("Latest activity first")),
    ("last_activity", _("Oldest activity first")),
    ("-submitted", _("Newest first")),
    ("submitted", _("Oldest first")),
    ("estimated_completion", _("Due soonest first")),
    ("-estimated_completion", _("Due latest first")),
]


@dataclass(frozen=True)
class OrderFilters:
    """What the order list is narrowed to. Empty values mean "no filter"."""

    search: str = ""
    order_type: OrderType | None = None
    category: str = ""
    state: str = ""
    assignee: Membership | Literal["unassigned"] | None = None
    customer: Customer | None = None
    include_archived: bool = False
    sort: str = DEFAULT_SORT


def order_list(seller: Seller, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """The seller's orders, filtered and sorted, with the rows a list row names joined in. Not the
    workflow version: its definition is kilobytes of JSON, decoded again for every row; give a page its
    versions with `with_workflow_versions`."""
    filters = filters or OrderFilters()
    orders = Order.objects.filter(seller=seller).select_related(
        "customer", "placed_by", "order_type", "assignee__user"
    )
    if not filters.include_archived:
        orders = orders.filter(archived=False)
    if filters.search:
        orders = orders.filter(search(filters.search, seller))
    if filters.order_type is not None:
        orders = orders.filter(order_type=filters.order_type)
    if filters.category:
        orders = orders.filter(state_category=filters.category)
    if filters.state:
        orders = orders.filter(state=filters.state)
    if filters.assignee == "unassigned":
        orders = orders.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        orders = orders.filter(assignee=filters.assignee)
    if filters.customer is not None:
        orders = orders.filter(customer=filters.customer)
    return orders.order_by(*_ordering(filters.sort))


# Words shorter than this are matched only when the search has no longer word: a trigram index (both
# engines) needs three characters to narrow anything.
MIN_WORD = 3
# A search finding at most this many orders hands the list their ids (the documents' own indexes find
# them, the orders' primary key fetches them); one finding more lets the database walk the list's sort
# index and keep the orders that match, which reaches a page's fifty soonest when matches are that
# common. PostgreSQL cannot tell which case it is in from its statistics.
SEARCH_IDS = 2000
_FTS = "SELECT rowid FROM orders_ordersearch_fts WHERE orders_ordersearch_fts MATCH %s"


def search(text: str, seller: Seller) -> Q:
    """The seller's orders whose number, title, notes, lines (SKU, description), customer (name, account
    number) or customer's contacts (names, emails) contain every word of `text`, without regard to
    accents or case ("elise" finds "Élise"); "#42" is order 42 exactly. An empty search matches every
    order.

    Each word may be found in the order's own document (`OrderSearch`) or in its customer's
    (`CustomerSearch`, one per customer). The customers matching each word are read first (a few rows
    of the seller's customers); the orders then fall into groups by which words their customer has:
    those whose customer has every word (read by the orders' customer index), those whose own text has
    every word (trigram GIN index on PostgreSQL, FTS5 on SQLite), and those whose customer has some
    words and whose own text has the others. Up to SEARCH_IDS matches the list gets their ids, found
    with one query per group; past it, the same groups as one condition."""
    words = _words(text)
    if not words:
        return Q()
    customers = _customers_by_words(words, seller)
    ids: set[int] = set()
    branches = _branches(words, customers)
    for branch in branches:
        if isinstance(branch, list):  # every word in the orders' own text
            ids.update(_text_ids(branch, seller))
        else:
            ids.update(
                Order.objects.filter(branch, seller=seller).values_list("pk", flat=True)[: SEARCH_IDS + 1]
            )
        if len(ids) > SEARCH_IDS:
            return _match(words, branches)
    return _among("pk", ids)


def _among(field: str, ids: Iterable[int]) -> Q:
    """`field` is one of the ids. PostgreSQL: one array parameter rather than hundreds or thousands,
    which Django and psycopg would prepare one by one."""
    values = sorted(ids)
    if connection.vendor == "postgresql" and values:
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", [values])})
    return Q(**{f"{field}__in": values})


def _customers_by_words(words: list[str], seller: Seller) -> dict[int, frozenset[str]]:
    """The seller's customers whose document has any of the words, with the words it has."""
    found: dict[int, set[str]] = {}
    for word in words:
        matching = CustomerSearch.objects.filter(seller=seller, text__contains=word)
        for customer_id in matching.values_list("customer_id", flat=True):
            found.setdefault(customer_id, set()).add(word)
    return {customer_id: frozenset(has) for customer_id, has in found.items()}


def _branches(words: list[str], customers: dict[int, frozenset[str]]) -> list[Q | list[str]]:
    """The groups a matching order falls in: a list of words (all in the order's own text), or a
    condition on the orders (the customer has some words, the order's text the others)."""
    groups: dict[frozenset[str], list[int]] = {}
    for customer_id, has in customers.items():
        groups.setdefault(has, []).append(customer_id)
    branches: list[Q | list[str]] = [words]
    for has, ids in sorted(groups.items(), key=lambda item: sorted(item[0])):
        branch = _among("customer_id", ids)
        for word in words:
            if word not in has:
                branch &= Q(search__order_text__contains=word)
        branches.append(branch)
    return branches


def _match(words: list[str], branches: list[Q | list[str]]) -> Q:
    """Every group (`_branches`) as one condition on the orders."""
    match = Q()
    for word in words:
        match &= Q(search__order_text__contains=word)
    for branch in branches:
        if isinstance(branch, Q):
            match |= branch
    return match


def _text_ids(words: list[str], seller: Seller) -> list[int]:
    """Up to SEARCH_IDS + 1 ids of orders whose own text has every word (of this seller on SQLite)."""
    if connection.vendor == "sqlite" and all(len(word) >= MIN_WORD for word in words):
        phrases = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)
        return list(
            Order.objects.filter(seller=seller, pk__in=RawSQL(_FTS, [phrases])).values_list("pk", flat=True)[
                : SEARCH_IDS + 1
            ]
        )
    # Every seller's documents (the list keeps the seller's orders): joined to the orders for their
    # seller, each matching document would cost a probe more.
    documents = OrderSearch.objects.all()
    for word in words:
        documents = documents.filter(order_text__contains=word)
    return list(documents.values_list("order_id", flat=True)[: SEARCH_IDS + 1])


def _words(text: str) -> list[str]:
    words = []
    for word in search_key(text).split():
        if word.startswith("#") and word[1:].isdigit():
            word = f"{word}#"  # the number as the document holds it: #42# is not #421#
        words.append(word)
    return [word for word in words if len(word) >= MIN_WORD] or words


def _ordering(sort: str) -> list[str | OrderBy]:
    descending = sort.startswith("-")
    field = SORT_FIELDS.get(sort.removeprefix("-"), SORT_FIELDS["last_activity"])
    if field == "estimated_completion":
        # Orders without an estimate go last whichever way the list is sorted: stored sort keys (see
        # `Order.due_soonest`) that an index of each order holds.
        return [F("due_latest").desc(), "-number"] if descending else [F("due_soonest").asc(), "-number"]
    # Plain, so that PostgreSQL reads the (seller, archived, -field) index up to the page's end.
    return [F(field).desc() if descending else F(field).asc(), "-number"]


@dataclass(frozen=True, slots=True)
class ListRow:
    """What a row of the order list shows (orderflow.web.order_rows), read as plain values: a page of
    fifty rows built as model instances, with their customers, contacts, types and assignees, cost more
    CPU than the rest of the page."""

    number: int
    title: str
    archived: bool
    state: State  # with its labels in each language
    state_category: str
    customer_id: int
    customer_name: str
    contact_name: str
    order_type_name: str
    assignee_name: str  # "" when unassigned
    submitted_at: datetime.datetime
    last_activity_at: datetime.datetime
    estimated_completion: datetime.date | None


_ROW_COLUMNS = (
    "pk", "number", "title", "archived", "state", "state_category", "customer_id", "placed_by_id",
    "workflow_version_id", "order_type__name", "assignee__user__first_name", "assignee__user__last_name",
    "assignee__user__username", "submitted_at", "last_activity_at", "estimated_completion",
)  # fmt: skip


def order_page(orders: QuerySet[Order], *, start: int, size: int) -> list[ListRow]:
    """Rows `start` to `start + size` of a list (`order_list`): the page's ids first, through the filter
    and sort indexes alone (the rows an offset skips are never joined to anything), then `list_rows`."""
    return list_rows(list(orders.values_list("pk", flat=True)[start : start + size]))


def list_rows(ids: list[int]) -> list[ListRow]:
    """The rows of these orders, in this order: the orders with their order types and assignees (small
    tables), their customers' and contacts' names by id, and their workflow versions. Joined to fifty
    orders, the thousands of customers and contacts were hashed whole."""
    if not ids:
        return []
    # The names of customers and contacts are looked up row by row (an index probe each): joined, the
    # planner hashes all of the seller's customers and contacts for fifty rows.
    found = {
        values[0]: values
        for values in Order.objects.filter(pk__in=ids)
        .annotate(
            customer_name=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("name")),
            contact_name=Subquery(Contact.objects.filter(pk=OuterRef("placed_by_id")).values("name")),
        )
        .values_list(*_ROW_COLUMNS, "customer_name", "contact_name")
    }
    versions = WorkflowVersion.objects.filter(pk__in={values[8] for values in found.values()})
    workflows = {version.pk: version.workflow for version in versions}
    rows = []
    for pk in ids:
        if pk not in found:  # deleted meanwhile
            continue
        (_pk, number, title, archived, state, category, customer_id, _contact_id, version_id, type_name,
         first_name, last_name, username, submitted_at, last_activity_at, estimate, customer_name,
         contact_name) = found[pk]  # fmt: skip
        rows.append(
            ListRow(
                number=number,
                title=title,
                archived=archived,
                state=workflows[version_id].state(state),
                state_category=category,
                customer_id=customer_id,
                customer_name=customer_name or "",
                contact_name=contact_name or "",
                order_type_name=type_name,
                assignee_name=f"{first_name or ''} {last_name or ''}".strip() or (username or ""),
                submitted_at=submitted_at,
                last_activity_at=last_activity_at,
                estimated_completion=estimate,
            )
        )
    return rows


def with_workflow_versions(orders: Iterable[Order]) -> list[Order]:
    """The orders with their workflow versions set, each version read once: one query."""
    orders = list(orders)
    ids = {order.workflow_version_id for order in orders}
    versions = {version.pk: version for version in WorkflowVersion.objects.filter(pk__in=ids)} if ids else {}
    for order in orders:
        order.workflow_version = versions[order.workflow_version_id]
    return orders


@dataclass(frozen=True)
class Counts:
    """The seller's counters (`OrderCount`: orders per order type, state and archived), read once: the
    list's total and the attention badge come from the same few rows."""

    rows: tuple[tuple[int, str, bool, str, int], ...]  # order type id, state, archived, category, count

    def total(self, filters: OrderFilters) -> int | None:
        """How many orders the list holds, exactly, when its filters are ones the counters know (order
        type, status, stage, archived); None for the others (search, assignee, customer)."""
        if filters.search or filters.assignee is not None or filters.customer is not None:
            return None
        type_id = filters.order_type.pk if filters.order_type is not None else None
        return sum(
            count
            for order_type_id, state, archived, category, count in self.rows
            if (filters.include_archived or not archived)
            and (type_id is None or order_type_id == type_id)
            and (not filters.category or category == filters.category)
            and (not filters.state or state == filters.state)
        )

    @property
    def attention(self) -> int:
        """Orders needing someone's attention: new ones nobody has moved on yet (category "open"), not
        archived."""
        return sum(
            count for _t, _s, archived, category, count in self.rows if category == "open" and not archived
        )


def order_counts(seller: Seller) -> Counts:
    """The seller's counters: one small query whatever the number of orders."""
    rows = OrderCount.objects.filter(seller=seller).values_list(
        "order_type_id", "state", "archived", "state_category", "count"
    )
    return Counts(tuple(rows))


def attention_count(seller: Seller) -> int:
    """The badge of every seller page (see `Counts.attention`)."""
    return order_counts(seller).attention


def counted_total(seller: Seller, filters: OrderFilters) -> int | None:
    """See `Counts.total`."""
    return order_counts(seller).total(filters)


def order_count(
    seller: Seller,
    filters: OrderFilters,
    *,
    up_to: int,
    orders: QuerySet[Order] | None = None,
) -> int:
    """How many orders the list holds: exact from the counters where they apply, else counted, but
    never past `up_to` (a number above it means "more than that"). `orders`: the list already made."""
    total = counted_total(seller, filters)
    if total is not None:
        return total
    orders = order_list(seller, filters) if orders is None else orders
    return orders.order_by()[: up_to + 1].count()


def order_for_staff(seller: Seller, number: int) -> Order | None:
    """One order of the seller by its number, with lines, refunds and the activity log loaded."""
    return (
        Order.objects.filter(seller=seller, number=number)
        .select_related("seller", "customer", "placed_by", "order_type", "workflow_version", "assignee__user")
        .prefetch_related(
            "lines",
            Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "pk")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
        )
        .first()
    )


def staff_of(seller: Seller, *, active_only: bool = True) -> QuerySet[Membership]:
    """The seller's staff with their users, by name: assignment choices and assignee filters."""
    memberships = Membership.objects.filter(seller=seller).select_related("user")
    if active_only:
        memberships = memberships.filter(is_active=True)
    return memberships.order_by("user__first_name", "user__last_name", "user__username")


def customers_of(seller: Seller) -> QuerySet[Customer]:
    return Customer.objects.filter(seller=seller).order_by("name", "pk")


def order_types_of(seller: Seller) -> QuerySet[OrderType]:
    """The seller's order types with their workflow versions loaded (for `states_of`)."""
    return OrderType.objects.filter(seller=seller).prefetch_related("versions").order_by("name", "pk")


def states_of(order_type: OrderType) -> dict[str, State]:
    """Every state an order of this type can be in: those of the current workflow version first,
    then any that only older versions (still pinned by older orders) have."""
    versions = sorted(order_type.versions.all(), key=lambda version: version.number, reverse=True)
    states: dict[str, State] = {}
    for version in versions:
        for key, state in version.workflow.states.items():
            states.setdefault(key, state)
    return states


# ----------------------------------------------------------------------------------------------
# Taking orders: what can be put on one


CATALOGUE_PAGE = 100


def catalogue_for_ordering(seller: Seller, search: str = "") -> list[Item]:
    """The seller's items that may appear on a new order's form (discontinued ones never do), by name,
    with their suggested backup; out-of-stock ones are listed, and `Item.orderable` says whether they
    can be ordered. At most CATALOGUE_PAGE: a search narrows a big catalogue."""
    items = (
        Item.objects.filter(seller=seller)
        .exclude(availability=Availability.DISCONTINUED)
        .select_related("seller", "backup_item__seller", "order_type")
        .order_by("name", "pk")
    )
    search = search.strip()
    if search:
        items = items.filter(
            Q(name__icontains=search) | Q(sku__icontains=search) | Q(description__icontains=search)
        )
    return list(items[:CATALOGUE_PAGE])


def items_by_id(seller: Seller, ids: Iterable[int]) -> dict[int, Item]:
    """The seller's items among `ids` (another seller's are simply not there)."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    found: dict[int, Item] = (
        Item.objects.filter(seller=seller, pk__in=wanted)
        .select_related("seller", "backup_item__seller", "order_type")
        .in_bulk()
    )
    return found


def backup_choices(seller: Seller) -> list[Item]:
    """Items a customer may pick as a backup: orderable products and flat-fee services."""
    items = (
        Item.objects.filter(seller=seller)
        .exclude(availability=Availability.DISCONTINUED)
        .exclude(kind=ItemKind.QUOTE)
        .select_related("seller")
        .order_by("name", "pk")
    )
    return [item for item in items[:500] if item.orderable]


def order_type_for(seller: Seller, item: Item | None) -> OrderType | None:
    """The order type an item is ordered under: its own, else the seller's first active one."""
    if item is not None and item.order_type_id is not None:
        return item.order_type
    return OrderType.objects.filter(seller=seller, is_active=True).order_by("pk").first()


def customer_search(seller: Seller, search: str, *, limit: int = 20) -> list[Customer]:
    """Customers of the seller whose name, or a contact's name, email or phone, matches."""
    search = search.strip()
    customers = Customer.objects.filter(seller=seller)
    if search:
        customers = customers.filter(
            Q(name__icontains=search)
            | Q(contacts__name__icontains=search)
            | Q(contacts__email__icontains=search)
            | Q(contacts__phone__icontains=search)
        ).distinct()
    return list(customers.order_by("name", "pk")[:limit])
