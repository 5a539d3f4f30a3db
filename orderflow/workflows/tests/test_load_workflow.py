from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from orderflow.workflows.loader import PRESETS_DIR


def test_a_valid_file_is_checked_without_publishing(capsys):
    call_command("load_workflow", str(PRESETS_DIR / "distributor.toml"))
    assert "valid workflow 'distributor' with 5 states and 4 transitions" in capsys.readouterr().out


def test_a_malformed_file_is_refused_naming_the_fault(tmp_path, order_types):
    bad = tmp_path / "bad.toml"
    text = (PRESETS_DIR / "distributor.toml").read_text().replace('to = "delivered"', 'to = "delivred"')
    bad.write_text(text)
    with pytest.raises(
        CommandError, match="transition confirmed -> delivred: to names unknown state 'delivred'"
    ):
        call_command("load_workflow", str(bad), "--seller", "acme", "--order-type", "distributor")
    assert order_types["distributor"].versions.count() == 1


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("states = [ {")
    with pytest.raises(CommandError, match=r"bad\.toml: not valid TOML"):
        call_command("load_workflow", str(bad))


def test_publishing_creates_a_new_version_and_placed_orders_keep_theirs(tmp_path, make_order, capsys):
    placed = make_order("distributor")
    edited = tmp_path / "distributor.toml"
    edited.write_text(
        (PRESETS_DIR / "distributor.toml")
        .read_text()
        .replace(
            'label = { en = "Mark delivered", fr = "Marquer comme livrée" }',
            'label = { en = "Delivered!", fr = "Livrée!" }',
        )
    )

    call_command(
        "load_workflow", str(edited), "--seller", "acme", "--order-type", "distributor", "--note", "Renamed"
    )

    assert "Published Wholesale order version 2." in capsys.readouterr().out
    new = make_order("distributor")
    assert new.workflow_version.number == 2
    assert new.workflow.transition("confirmed", "delivered").label() == "Delivered!"
    assert new.workflow.transition("confirmed", "delivered").label("fr") == "Livrée!"
    placed.refresh_from_db()
    assert placed.workflow_version.number == 1


def test_an_unknown_order_type_is_reported(acme):
    with pytest.raises(CommandError, match="No order type 'nope' for seller 'acme'"):
        call_command(
            "load_workflow", str(PRESETS_DIR / "shop.toml"), "--seller", "acme", "--order-type", "nope"
        )
