"""Keys in a real terminal: tmux sends a whole burst in one write, as a paste or a
script does, and the app handles every key of it in order."""

from __future__ import annotations

import datetime as dt
import os
import select
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui_crm.core import customers, deals, leads
from tui_crm.core.db import open_database
from tui_crm.core.models import Lead, Opportunity

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

APP = str(Path(sys.executable).with_name("tui-crm"))


class Terminal:
    """The app in a private tmux server at 120x40. A control-mode client reports each
    write of the app to the terminal, so waiting for the screen is waiting for output,
    never sleeping."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.socket = f"tui-crm-test-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40",
                  " ".join(["exec", *argv]))
        self.tmux("set-option", "-g", "window-size", "manual")  # not the client's size
        self.client = subprocess.Popen(["tmux", "-L", self.socket, "-C", "attach", "-t", "app"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, env=env)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, env=self.env,
                              capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def send(self, *keys: str) -> None:
        """One send-keys: tmux writes the keys to the app in one go."""
        self.tmux("send-keys", "-t", "app", *keys)

    def paste_then(self, text: str, *keys: str) -> None:
        """Paste as a terminal does (bracketed paste: one event for the whole text),
        then ``keys``, in one tmux command: they reach the app together."""
        self.tmux("set-buffer", "--", text)
        self.tmux("paste-buffer", "-p", "-t", "app", ";", "send-keys", "-t", "app", *keys)

    def wait_for(self, ready: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n"
                                     f"{screen}")
            # Wait for the app's next write (or, at worst, look again in a moment).
            readable, _, _ = select.select([self.client.stdout], [], [], min(left, 0.5))
            if readable:
                os.read(self.client.stdout.fileno(), 65536)

    def close(self) -> None:
        self.client.kill()
        self.client.wait()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env,
                       stderr=subprocess.DEVNULL, check=False)


@pytest.fixture
def crm(tmp_path) -> Iterator[Path]:
    path = tmp_path / "crm.db"
    database = open_database(str(path))
    acme = customers.create_customer({"name": "Acme"})
    leads.create_lead({"name": "Jean Torres"})
    deals.create_deal({"name": "Rollout", "amount": "1000", "close_date": dt.date(2026, 12, 1),
                       "stage": "Qualification", "customer_id": acme})
    yield path
    database.close()


@pytest.fixture
def terminal(crm, tmp_path) -> Iterator[Callable[[str], Terminal]]:
    opened: list[Terminal] = []

    def open_on(screen: str) -> Terminal:
        env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "TERM": "xterm-256color"}
        term = Terminal([APP, "--db", str(crm), "--user", "tester", "--screen", screen], env)
        opened.append(term)
        return term

    yield open_on
    for term in opened:
        term.close()


def test_board_enter_tab_amount_save_in_one_send_keys(terminal, crm):
    term = terminal("pipeline")
    term.wait_for(lambda screen: "Rollout" in screen and "Next stage" in screen, "the board")
    term.send("Enter", "Tab", "C-a", "C-k", "7", "7", "7", "C-s")
    term.wait_for(lambda screen: "777.00" in screen and "Next stage" in screen,
                  "the board with the saved amount")
    deal = Opportunity.get(name="Rollout")
    assert deal.amount_cents == 77_700


def test_lead_form_fields_and_save_in_one_send_keys(terminal, crm):
    term = terminal("leads")
    term.wait_for(lambda screen: "Jean Torres" in screen, "the leads list")
    term.send("n", "Ada", "Tab", "Engines", "Tab", "Tab", "555-0199", "C-s")
    term.wait_for(lambda screen: "Ada" in screen and "Engines" in screen and "Save" not in screen,
                  "the list with the new lead")
    lead = Lead.get(name="Ada")
    assert (lead.company, lead.phone) == ("Engines", "555-0199")


def test_a_paste_then_save_straight_away(terminal, crm):
    term = terminal("leads")
    term.wait_for(lambda screen: "Jean Torres" in screen, "the leads list")
    term.send("n")
    term.wait_for(lambda screen: "Save" in screen, "the lead form")
    term.paste_then("Grace Hopper", "C-s")
    term.wait_for(lambda screen: "Grace Hopper" in screen and "Save" not in screen,
                  "the list with the pasted lead")
    assert Lead.select().where(Lead.name == "Grace Hopper").count() == 1
