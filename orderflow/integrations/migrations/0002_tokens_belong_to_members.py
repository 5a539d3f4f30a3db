"""Tokens belong to a member. An existing token goes to the member who created it when they are still
active staff of the seller (it already acted as them). Every other token (made on the command line, or
whose creator left) acted as the system, with rights no member gave it: it is revoked, with the reason
shown on the Integrations page, rather than handed to someone (say the first owner) who never chose to
answer for it. Make a new one with `create_api_token --seller S --user U`."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def assign_or_revoke(apps, schema_editor):
    ApiToken = apps.get_model("integrations", "ApiToken")
    Membership = apps.get_model("accounts", "Membership")
    now = timezone.now()
    for token in ApiToken.objects.filter(membership__isnull=True):
        member = None
        if token.created_by_id is not None:
            member = Membership.objects.filter(
                seller_id=token.seller_id, user_id=token.created_by_id, is_active=True, user__is_active=True
            ).first()
        if member is not None:
            token.membership = member
            token.save(update_fields=["membership"])
        elif token.revoked_at is None:
            token.revoked_at = now
            token.revoked_reason = "no_member"
            token.save(update_fields=["revoked_at", "revoked_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_contact_messenger_url'),
        ('integrations', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='last_used_from',
            field=models.GenericIPAddressField(blank=True, help_text='The client address of the last recorded use', null=True),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='membership',
            field=models.ForeignKey(blank=True, help_text='The member the token acts as', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='api_tokens', to='accounts.membership'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_reason',
            field=models.CharField(blank=True, choices=[('revoked', 'revoked by an owner or manager'), ('no_member', 'made before tokens belonged to a member')], max_length=20),
        ),
        migrations.RunPython(assign_or_revoke, migrations.RunPython.noop),
    ]
