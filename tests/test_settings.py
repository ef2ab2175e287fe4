"""Settings from one table: every variable read in settings.py, named alike everywhere.

The table in ``chimenum.core.settings.ENVIRONMENT`` must list every ``CHIMENUM_*``/``AWS_*``
variable the source names, every ``$VARIABLE`` ``--help`` names, and what the man page and
docs/configuration.md say; and nothing outside settings.py reads the environment.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import click
import pytest

from chimenum.cli import cli
from chimenum.core.settings import ENVIRONMENT, SettingError, Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "chimenum").rglob("*.py"))
NAMED = re.compile(r"(?<![A-Za-z0-9_])(?:CHIMENUM|AWS)_[A-Z0-9_]*[A-Z0-9]")
READS = re.compile(r"os\.environ|os\.getenv|envvar=|auto_envvar")
TABLE = {name for row in ENVIRONMENT for name in row.names}


def _strings(path: Path) -> str:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return "\n".join(t.string for t in tokens if t.type == tokenize.STRING)


def test_only_settings_reads_the_environment() -> None:
    readers = {str(p.relative_to(ROOT)) for p in SOURCES if READS.search(p.read_text())}
    assert readers == {"chimenum/core/settings.py"}


def test_every_variable_the_source_names_is_in_the_table() -> None:
    named = {name for path in SOURCES for name in NAMED.findall(_strings(path))}
    assert named - TABLE == set()


def _help_texts(command: click.Command, parent: click.Context | None = None) -> list[str]:
    ctx = click.Context(command, parent=parent, info_name=command.name)
    texts = [command.help or "", command.epilog or ""]
    texts += [getattr(p, "help", None) or "" for p in command.params]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            texts += _help_texts(sub, ctx)
    return texts


def test_every_variable_help_names_is_in_the_table() -> None:
    named = {m for text in _help_texts(cli) for m in re.findall(r"\$([A-Z][A-Z0-9_]+)", text)}
    assert named, "the help names variables"
    assert named - TABLE == set()


def test_the_man_page_and_the_docs_list_the_table() -> None:
    from tools.reference import environment_text, roff

    man = (ROOT / "man/chimenum.1").read_text()
    docs = (ROOT / "docs/configuration.md").read_text()
    for row in ENVIRONMENT:
        assert roff(row.label) in man and roff(environment_text(row)) in man
        assert all(f"`{name}`" in docs for name in row.names) and row.doc in docs


def test_from_environ_reads_every_setting() -> None:
    settings = Settings.from_environ(
        {
            "AWS_PROFILE": "ops",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_ENDPOINT_URL_CHIME_SDK_VOICE": "http://127.0.0.1:8",
            "CHIMENUM_API": "voice",
            "CHIMENUM_DEMO": "1",
            "CHIMENUM_CREDENTIALS_TIMEOUT": "0.5",
            "CHIMENUM_PROGRESS_DELAY": "0",
            "CHIMENUM_COMPLETION_TTL": "30",
            "XDG_CACHE_HOME": "/tmp/c",
        }
    )
    assert (settings.profile, settings.environ_region, settings.api) == (
        "ops",
        "eu-west-1",
        "voice",
    )
    assert settings.environ_endpoints == {
        "chime": "http://127.0.0.1:9",
        "voice": "http://127.0.0.1:8",
    }
    assert settings.demo and settings.credentials_timeout == 0.5
    assert settings.progress_delay == 0 and settings.completion_ttl == 30
    assert settings.cache_home == "/tmp/c"


@pytest.mark.parametrize(
    ("name", "value"), [("CHIMENUM_API", "legacy"), ("CHIMENUM_DEMO", "maybe")]
)
def test_a_bad_variable_is_refused_naming_it(
    name: str, value: str, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SettingError):
        Settings.from_environ({name: value})
    monkeypatch.setenv(name, value)
    run = chimenum("get", "+12065550100")
    assert run.exit_code == 2
    assert f"${name}" in run.stderr and repr(value) in run.stderr
    assert "Traceback" not in run.stderr


def test_an_option_wins_over_its_variable(chimenum, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIMENUM_API", "voice")
    run = chimenum("--demo", "--api", "chime", "get", "+12065550100", "--json")
    assert run.exit_code == 0, run.stderr
    assert "PhoneNumberArn" not in run.stdout  # answered by Amazon Chime, not Chime SDK Voice


def test_the_terminal_is_read_with_the_settings() -> None:
    """NO_COLOR, CLICOLOR_FORCE, COLUMNS and TERM are read here too, and never fail."""
    terminal = Settings.from_environ(
        {"NO_COLOR": "1", "CLICOLOR_FORCE": "1", "COLUMNS": "90", "TERM": "dumb"}
    ).terminal
    assert terminal.no_color and terminal.clicolor_force and terminal.columns == 90
    assert terminal.terminal_type == (("TERM", "dumb"),)
    for bad in ("0", "-5", "abc", ""):
        assert Settings.from_environ({"COLUMNS": bad}).terminal.columns is None
    assert not Settings.from_environ({"CLICOLOR_FORCE": "0", "NO_COLOR": ""}).terminal.no_color
