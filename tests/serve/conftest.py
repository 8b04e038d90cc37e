"""Fixtures for the `tui-crm serve` tests: keys, a real server, terminals running ssh."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.serve.ssh_tools import Keys, Server, Terminals


@pytest.fixture
def keys(tmp_path) -> Keys:
    folder = tmp_path / "ssh"
    folder.mkdir()
    keys = Keys(folder)
    keys.write()
    return keys


@pytest.fixture
def start_server(tmp_path, keys) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(*args: str, db: str | None = None) -> Server:
        server = Server(tmp_path, keys, *args, db=db)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def terminals() -> Iterator[Terminals]:
    terminals = Terminals()
    yield terminals
    terminals.close()
