"""The README stays honest: its quick start and every CLI command are real."""
import re
from pathlib import Path

from etl.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_two_commands_that_exist():
    block = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert commands == ["./start.sh", "./test.sh"]
    for cmd in commands:
        script = ROOT / cmd[2:]
        assert script.exists() and script.stat().st_mode & 0o111, cmd
    assert "test.sh" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_documented():
    documented = set(re.findall(r"python -m etl ([a-z][a-z-]*)", README))
    assert set(cli.commands) <= documented, set(cli.commands) - documented


def test_documented_command_options_exist():
    """Every `--option` written after `python -m etl <command>` in the README is an option of it."""
    for cmd, rest in re.findall(r"python -m etl ([a-z][a-z-]*)([^\n`#]*)", README):
        if cmd not in cli.commands:
            continue
        known = {o for p in cli.commands[cmd].params for o in p.opts} | {"--help", "-h"}
        assert set(re.findall(r"(?<!\w)(--[a-z][a-z-]*)", rest)) <= known, (cmd, rest)


def test_every_environment_variable_is_in_the_settings_and_the_readme():
    """One place for each setting: every STADSDEL_ variable the code or the tests read is
    declared in etl/settings.py, and the README's table lists exactly those."""
    from etl.settings import VARIABLES

    declared = {v.name for v in VARIABLES}
    used = set()
    for folder in ("etl", "dashboard", "pages", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"\bSTADSDEL_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    used |= set(re.findall(r"\bSTADSDEL_[A-Z_]+\b", (ROOT / "app.py").read_text(encoding="utf-8")))
    assert used <= declared, used - declared
    table = README.split("## Settings (environment variables)", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `(STADSDEL_[A-Z_]+)` \|", table, re.M)) == declared
    outside = set()
    for folder in ("etl", "dashboard", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name != "settings.py" and re.search(r"os\.environ(\.get)?\(?\[?[\"']STADSDEL_", path.read_text(encoding="utf-8")):
                outside.add(path.name)
    assert outside == set(), f"read outside etl/settings.py: {outside}"
