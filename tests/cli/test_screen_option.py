"""`tui-crm --screen NAME` opens the app on that screen."""

from __future__ import annotations

import pytest

from tui_crm import cli
from tui_crm.ui.app import CrmApp


@pytest.mark.parametrize("screen", ["leads", "customers", "pipeline", "forecast"])
def test_screen_option_picks_the_first_screen(monkeypatch, tmp_path, screen):
    opened = []
    monkeypatch.setattr(CrmApp, "run", lambda app: opened.append(app.start_mode))
    assert cli.main(["--db", str(tmp_path / "crm.db"), "--screen", screen]) == 0
    assert opened == [screen]


def test_app_opens_on_leads_by_default(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(CrmApp, "run", lambda app: opened.append(app.start_mode))
    assert cli.main(["--db", str(tmp_path / "crm.db")]) == 0
    assert opened == ["leads"]


def test_unknown_screen_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--db", str(tmp_path / "crm.db"), "--screen", "board"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_every_screen_choice_is_a_mode_of_the_app():
    assert set(cli.SCREENS) == set(CrmApp.MODES)

