"""What the seller is set up with: order types and their workflows, and the staff orders go to."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from orderflow.accounts.models import Membership
from orderflow.api.auth import context_of
from orderflow.api.errors import reads
from orderflow.orders.selectors import staff_of
from orderflow.workflows.definition import Workflow
from orderflow.workflows.models import OrderType

router = Router()


class StateOut(Schema):
    key: str
    label: str
    customer_label: str
    category: str
    final: bool
    entry: bool = Field(description="A new order may start here (POST /orders `state`)")
    cancel_by: list[str] = Field(description="Who may cancel an order in this state: staff, customer")


class TransitionOut(Schema):
    from_: str = Field(serialization_alias="from")
    to: str
    label: str
    by: list[str] = Field(description="Who may make this move: staff, customer, system")
    roles: list[str] = Field(description="If not empty: only staff with one of these roles")
    note: str = Field(description="none, optional or required")
    auto: str | None = Field(description="Made by the system when this happens (e.g. staff_opens)")


class CancelPolicyOut(Schema):
    to: str
    reason: str
    refund: bool


class WorkflowOut(Schema):
    version: int
    initial: str
    archive: str | None
    cancel: CancelPolicyOut | None
    states: list[StateOut]
    transitions: list[TransitionOut]


class OrderTypeOut(Schema):
    key: str
    name: str
    is_active: bool
    workflow: WorkflowOut | None

    @classmethod
    def from_order_type(cls, order_type: OrderType, locale: str) -> OrderTypeOut:
        version = order_type.current_version
        return cls(
            key=order_type.key,
            name=order_type.name,
            is_active=order_type.is_active,
            workflow=_workflow(version.number, version.workflow, locale) if version is not None else None,
        )


def _workflow(number: int, workflow: Workflow, locale: str) -> WorkflowOut:
    entry = set(workflow.entry_states)
    cancel = workflow.cancel
    return WorkflowOut(
        version=number,
        initial=workflow.initial,
        archive=workflow.archive,
        cancel=CancelPolicyOut(to=cancel.target, reason=cancel.reason, refund=cancel.refund)
        if cancel
        else None,
        states=[
            StateOut(
                key=state.key,
                label=state.label(locale),
                customer_label=state.customer_label(locale),
                category=state.category,
                final=state.final,
                entry=state.key in entry,
                cancel_by=sorted(state.cancel_by),
            )
            for state in workflow.states.values()
        ],
        transitions=[
            TransitionOut(
                from_=t.source,
                to=t.target,
                label=t.label(locale),
                by=sorted(t.by),
                roles=sorted(t.roles),
                note=t.note,
                auto=t.auto,
            )
            for t in workflow.transitions
        ],
    )


class StaffOut(Schema):
    id: int
    name: str
    role: str

    @classmethod
    def from_membership(cls, membership: Membership) -> StaffOut:
        return cls(id=membership.pk, name=membership.display_name, role=membership.role)


@router.get(
    "/order-types",
    response=reads({200: list[OrderTypeOut]}),
    by_alias=True,
    tags=["order types"],
    operation_id="list_order_types",
)
def list_order_types(request: HttpRequest) -> list[OrderTypeOut]:
    """The seller's order types with the workflow new orders start on: states and transitions."""
    seller = context_of(request).seller
    types = OrderType.objects.filter(seller=seller).select_related("current_version").order_by("name", "pk")
    return [OrderTypeOut.from_order_type(order_type, seller.locale) for order_type in types]


@router.get("/staff", response=reads({200: list[StaffOut]}), tags=["staff"], operation_id="list_staff")
def list_staff(request: HttpRequest) -> list[StaffOut]:
    """The seller's active staff: whom orders can be assigned to."""
    return [StaffOut.from_membership(m) for m in staff_of(context_of(request).seller)]
