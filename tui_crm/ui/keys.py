"""Keys are handled one at a time, in the order they were typed.

Textual reads a key, runs the priority bindings, then posts the key to the focused
widget's queue and reads the next key at once. The key then travels up, queue by
queue (the widget, its containers, the screen), and the app runs the other
bindings when it gets back there. In a burst (a fast typist, a paste, a script,
tmux) the next keys are read while the first is still on its way: the text typed
after `tab` goes to the field being left, `ctrl+s` (a priority binding) reads the
form before the characters typed just before it have reached their field, and a key
typed after `enter` opens a form goes to the screen underneath.

``KeysInOrder`` makes the app read the next key (or paste) only once the previous
one has been handled all the way: it follows the key up the path it takes, posting
a callback to each queue behind it (each queue is first in, first out, so the
callback runs once that node is done with the key), then behind the app's own
bindings, then behind the current screen's queue (a screen the key opened has
composed, mounted and focused its first field before its queue runs). Only then is
the next key read. Everything else (mouse, resize, workers' messages) goes on as
before, and everything is public Textual API: ``call_later``, ``ancestors_with_self``,
``is_forwarded``.

In the command palette the path goes on through its list of commands (where `enter`
selects), and a key waits while the palette searches for what was typed before it:
`ctrl+p` "Trash" `enter` `down` `enter` in one burst opens the Trash and restores its
second record.

A key that starts a change (a write, or a read that replaces what the next keys act
on) has the keys typed meanwhile held: ``hold_keys()`` until ``release_keys()``, once
the screen shows what the change left; they then reach whatever it left focused, as if
typed after it (``ChangesInTurn`` in ``ui/screens/base.py`` does this for the data
screens, ``RecordForm`` for a save). ``drop_held_keys()`` forgets them when the change
failed: they counted on it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

from textual import events
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.message_pump import MessagePump
from textual.worker import WorkerState

# A key whose journey was cut short (a node closed with the key's callback still in
# its queue) no longer holds up the keys after it beyond this.
STUCK_AFTER_S = 3.0
HELD_AT_MOST_S = 10.0  # keys held for a change are let go after this, change or not
MAX_WALKS = 5  # a key that keeps moving the focus further is let go after this
SEARCH_LOOK_S = 0.01  # how often a key waiting for the palette's search looks again
SEARCHING = (WorkerState.PENDING, WorkerState.RUNNING)


class KeysInOrder(App):
    """An App whose keys and pastes are handled strictly one after another."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keys_waiting: deque[events.Event] = deque()
        self.key_in_hand: object | None = None  # a token for the key on its way
        self.key_in_hand_since = 0.0
        self.keys_held = 0  # changes on their way that hold the keys typed meanwhile
        self.keys_held_since = 0.0
        self.search_waited_since: float | None = None  # the next key waits for the palette

    @property
    def keys_pending(self) -> bool:
        """Whether keys typed are still being handled or waiting their turn."""
        return self.key_in_hand is not None or bool(self.keys_waiting)

    def on_mount(self) -> None:
        self.set_interval(STUCK_AFTER_S, self.release_stuck_key)

    def release_stuck_key(self) -> None:
        if self.key_in_hand is not None \
                and time.monotonic() - self.key_in_hand_since > STUCK_AFTER_S:
            self.key_in_hand = None
            self.call_later(self.handle_next_key)
        if self.keys_held and time.monotonic() - self.keys_held_since > HELD_AT_MOST_S:
            self.keys_held = 0
            self.call_later(self.handle_next_key)

    def hold_keys(self) -> None:
        """Keys typed from now on wait (a change is on its way that decides where they
        go) until ``release_keys``."""
        if not self.keys_held:
            self.keys_held_since = time.monotonic()
        self.keys_held += 1

    def release_keys(self) -> None:
        """The change is shown: the keys typed meanwhile go on, in order."""
        self.keys_held = max(self.keys_held - 1, 0)
        if not self.keys_held:
            self.call_later(self.handle_next_key)

    def drop_held_keys(self) -> None:
        """Forget the keys typed while held: the change they waited for did not happen,
        and they counted on it (`>` then `w` must not close the deal left unmoved)."""
        if self.keys_held:
            self.keys_waiting.clear()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            self.keys_waiting.append(event)
            await self.handle_next_key()
            return
        await super().on_event(event)

    async def handle_next_key(self) -> None:
        """Hand the next waiting key to Textual, unless one is still on its way."""
        if self.key_in_hand is not None or self.keys_held or not self.keys_waiting:
            return
        if self.palette_searching():
            self.set_timer(SEARCH_LOOK_S, self.handle_next_key)
            return
        self.search_waited_since = None
        event = self.keys_waiting.popleft()
        token = self.key_in_hand = object()
        self.key_in_hand_since = time.monotonic()
        path = self.focus_path()  # where Textual sends a key no priority binding takes
        try:
            await super().on_event(event)
        except BaseException:
            self.key_in_hand = None  # the app is failing: hold nothing back
            raise
        self.follow(token, path, self.look_again, 0)

    def palette_searching(self) -> bool:
        """Whether the command palette is still searching for what was typed in it
        (its search runs in its workers): the next key acts on what it finds (`enter`
        typed straight after "Trash" runs "Trash", not a hit for "Tra"), unless the
        search has kept it waiting too long."""
        palette = self.screen
        if not isinstance(palette, CommandPalette) or not any(
                worker.node is palette and worker.state in SEARCHING
                for worker in self.workers):
            return False
        if self.search_waited_since is None:
            self.search_waited_since = time.monotonic()
        return time.monotonic() - self.search_waited_since < HELD_AT_MOST_S

    def focus_path(self) -> list[MessagePump]:
        """The focused widget (or the screen) and its containers up to the screen; in
        the command palette, then its list of commands and the list's containers: the
        palette answers `enter` by selecting there, and runs the command chosen when
        the list's message has come back up (a key typed after it must wait for the
        command, not reach the palette)."""
        target = self.focused or self.screen
        path = [node for node in target.ancestors_with_self if node is not self]
        if isinstance(self.screen, CommandPalette):
            for commands in self.screen.query(CommandList):
                path += [node for node in commands.ancestors_with_self if node is not self]
        return path

    def follow(self, token: object, path: Sequence[MessagePump],
               then: Callable[[object, int], None], passes: int) -> None:
        """Run behind what each queue of ``path`` holds, one after the other, then
        behind what the app's queue holds (the bindings of a key that came back up),
        and call ``then``."""
        if token is not self.key_in_hand:
            return
        if path:
            if not path[0].call_later(self.follow, token, path[1:], then, passes):
                self.follow(token, path[1:], then, passes)  # gone: on to the next
        elif not self.call_later(then, token, passes):
            self.key_done(token)

    def look_again(self, token: object, passes: int) -> None:
        """Walk the focus path again, so what the key set off there (an Input's
        Submitted, a dialog's answer, a screen it opened or closed) is done too;
        until a walk ends where it started."""
        if token is not self.key_in_hand:
            return
        where = (self.screen, self.focused)

        def walked(token: object, passes: int) -> None:
            if (self.screen, self.focused) == where or passes >= MAX_WALKS:
                self.key_done(token)
            else:
                self.look_again(token, passes + 1)

        self.follow(token, self.focus_path(), walked, passes)

    def key_done(self, token: object) -> None:
        if token is self.key_in_hand:
            self.key_in_hand = None
            self.call_later(self.handle_next_key)
