"""`refund_amount` and `total` now carry their currency as the recipient writes it (`7,25 $ CA`): a
seller's wording that wrote the code after them (`{{ refund_amount }} {{ currency }}`) would say it
twice, so the code goes."""

from __future__ import annotations

import re

from django.db import migrations

AMOUNT_THEN_CODE = re.compile(r"\{\{\s*(refund_amount|total)\s*\}\}[ \t\xa0]*\{\{\s*currency\s*\}\}")


def drop_the_code_after_amounts(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for template in MessageTemplate.objects.all():
        changed = {
            part: AMOUNT_THEN_CODE.sub(r"{{ \1 }}", getattr(template, part))
            for part in ("subject", "body", "sms")
        }
        if any(changed[part] != getattr(template, part) for part in changed):
            MessageTemplate.objects.filter(pk=template.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_reply_grant")]

    operations = [migrations.RunPython(drop_the_code_after_amounts, migrations.RunPython.noop)]
