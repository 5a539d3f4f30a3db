"""Forms of the people import and export pages: they check the shape of the input; the rules are the
transfers actions'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderflow.accounts.models import Membership
from orderflow.transfers.mapping import FIELDS
from orderflow.transfers.models import KINDS, Frequency

FORMAT_CHOICES = [("xlsx", "XLSX"), ("csv", "CSV")]


class PeopleFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Import as"), choices=KINDS, initial="lead")
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, TXT (tab-separated), XLS or XLSX; XLSX up to 1 MB, the others up to 5 MB."),
    )

    def __init__(self, *args: Any, kinds: tuple[str, ...] = ("lead", "participant"), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(key, label) for key, label in KINDS if key in kinds]
        self.fields["kind"] = forms.ChoiceField(label=_("Import as"), choices=choices, initial=choices[0][0])
        if len(choices) == 1:
            self.fields["kind"].widget = forms.HiddenInput()


class MappingForm(forms.Form):
    """One choice per column of the file: the field it goes to, or none."""

    MODES = [
        ("test", _("Test: check every row, save nothing")),
        ("all", _("Import if every row is valid (otherwise nothing changes)")),
        ("valid_only", _("Import the valid rows, refuse the others")),
    ]
    mode = forms.ChoiceField(label=_("What to do"), choices=MODES, initial="test", widget=forms.RadioSelect)

    def __init__(self, *args: Any, headers: list[str], mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —")), *FIELDS.items()]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=mapping.get(str(index), ""),
            )
        self.column_count = len(headers)

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{index}"] for index in range(self.column_count)]

    def mapping(self) -> dict[str, str]:
        return {
            str(index): self.cleaned_data.get(f"column_{index}", "") for index in range(self.column_count)
        }


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("People"), choices=KINDS, initial="lead")
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    file_format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Send to"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipients"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Membership.objects.filter(
            seller_id=membership.seller_id, is_active=True
        ).select_related("user")
        field.label_from_instance = lambda member: member.display_name  # type: ignore[method-assign,assignment]
        field.initial = [membership.pk]


class PauseForm(forms.Form):
    paused = forms.BooleanField(required=False)


class ParticipantsExportForm(forms.Form):
    orders = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    since = forms.DateField(label=_("Only people added since"), required=False)
    file_format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["orders"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.valid_value = lambda value: str(value).isdigit()  # type: ignore[method-assign]
