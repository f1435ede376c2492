"""The command line: every command is registered, and its help says what it does with an example."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from etl.cli.main import cli

COMMANDS = ["build", "inspect", "indicators", "export", "add"]


def test_every_command_is_registered():
    assert sorted(cli.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    res = CliRunner().invoke(cli, [name, "--help"])
    assert res.exit_code == 0, res.output
    assert "Example:" in res.output and "python -m etl " + name in res.output
