"""The README's example: the demo customer's reply (orderflow/demo/reply.eml) piped to receive_email
lands in the demo thread, once."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from django.core.management import call_command

from orderflow.conversations.models import Message
from orderflow.demo.data import SELLERS
from orderflow.demo.loader import load_demo

REPLY = Path(__file__).resolve().parent.parent / "reply.eml"


def test_the_demo_reply_file_lands_in_the_demo_thread_once(db, settings, monkeypatch, capsys):
    # The demo runs with the development secret key (make demo sets DEBUG=true): its reply address too.
    settings.SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    load_demo(sellers=(SELLERS[0],))

    for _ in range(2):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(REPLY.read_bytes())))
        call_command("receive_email")

    posted = Message.objects.filter(author_kind="customer", body__startswith="Thursday morning is fine")
    assert posted.count() == 1
    assert "wrote:" not in posted.get().body
    assert capsys.readouterr().out.splitlines()[0].startswith("posted")
