"""Shared fixtures: an isolated AWS environment and the loopback fake of the Chime API.

Every test runs with AWS configuration pointing at empty files in a temporary folder, static test
credentials, no instance metadata lookups, and TZ=UTC, so nothing on the machine leaks in.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chimenum.cli import cli
from chimenum.demo import DEMO_TIMELINE, sample_numbers, sample_voice_numbers
from chimenum.demo.resources import sample_resources
from testing import forkserver
from testing.botocore_data import share_botocore_data_files, share_botocore_handler_checks
from testing.fakechime import FakeChime

TEST_ACCESS_KEY = "AKIDCHIMENUMTEST0000"
TEST_SECRET_KEY = "chimenum-test-secret"


def pytest_configure(config: pytest.Config) -> None:
    share_botocore_data_files()
    share_botocore_handler_checks()


def pytest_unconfigure(config: pytest.Config) -> None:
    forkserver.stop_shared()


def foreign(name: str) -> bool:
    """A variable of the machine's that would leak into a test's AWS configuration."""
    return name.startswith(("AWS_", "CHIMENUM_")) or name in ("NO_COLOR", "CLICOLOR_FORCE")


def isolated_variables(folder: Path) -> dict[str, str]:
    """What every test's environment sets: AWS configuration in empty files under ``folder``,
    static test credentials, no instance metadata, TZ=UTC, 200 columns."""
    config = folder / "aws-config"
    credentials = folder / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    return {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": TEST_SECRET_KEY,
        "XDG_CACHE_HOME": str(folder / "cache"),
        "TZ": "UTC",
        "COLUMNS": "200",
    }


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if foreign(name):
            monkeypatch.delenv(name)
    for name, value in isolated_variables(tmp_path).items():
        monkeypatch.setenv(name, value)
    time.tzset()
    return tmp_path


def demo_fake() -> FakeChime:
    """The fake with the demo's numbers and related resources (not started)."""
    voice = sample_voice_numbers()
    return FakeChime(sample_numbers(), voice_records=voice, resources=sample_resources(voice))


def endpoint_variables(server: FakeChime) -> dict[str, str]:
    """The variables that point chimenum (and botocore) at ``server``."""
    return {
        "AWS_ENDPOINT_URL_CHIME": server.url,
        "AWS_ENDPOINT_URL_CHIME_SDK_VOICE": server.voice_url,
        "AWS_ENDPOINT_URL_STS": server.sts_url,
    }


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChime]:
    """The fake Chime API with the demo numbers, and the environment pointed at it.

    It answers as Amazon Chime on ``server.url`` and as Chime SDK Voice (the demo's voice
    numbers) on ``server.voice_url``; AWS_ENDPOINT_URL_CHIME_SDK_VOICE points at the latter. Both
    serve the demo's related resources (voice connectors, SIP rules, accounts...) per region.
    Those are its default account's (``123456789012``), which answers every access key; a test
    adds accounts to ``server.accounts`` (access key -> :class:`~testing.fakechime.Account`).
    STS answers on ``server.sts_url``, where AWS_ENDPOINT_URL_STS points.
    """
    with demo_fake() as server:
        for name, value in endpoint_variables(server).items():
            monkeypatch.setenv(name, value)
        yield server


#: What the ``voice`` fixture sets.
VOICE = {"CHIMENUM_API": "voice", "AWS_REGION": "us-east-1"}


@pytest.fixture
def voice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chime SDK Voice in us-east-1, as `CHIMENUM_API=voice AWS_REGION=us-east-1` sets it."""
    for name, value in VOICE.items():
        monkeypatch.setenv(name, value)


@dataclass
class Run:
    """What a user sees from one CLI run."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str, input: str | None = None) -> Run:
    result: Result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def chimenum() -> Callable[..., Run]:
    """Run the CLI in-process as a user would: ``chimenum("get", "+12065550100")``."""
    return invoke


@pytest.fixture(scope="session")
def fork_server() -> forkserver.ForkServer:
    """This worker's fork server (testing/forkserver.py), started on first use, stopped at the
    end of the session."""
    return forkserver.shared()


@pytest.fixture(scope="session")
def chimenum_exe(fork_server: forkserver.ForkServer) -> str:
    """``chimenum`` as a process, forked from the fork server: the same argv, environment,
    stdin/stdout/stderr, signals, exit status and stderr as the console script, without a
    Python start-up and botocore's import per run."""
    return str(fork_server.launcher)


@pytest.fixture(scope="session")
def chimenum_script() -> str:
    """The installed console script itself, for a test about the script or Python's start-up."""
    exe = Path(sys.executable).parent / "chimenum"
    found = str(exe) if exe.exists() else shutil.which("chimenum")
    assert found, "the chimenum console script is not installed (pip install -e .)"
    return found


@pytest.fixture
def documented(request: pytest.FixtureRequest) -> Callable[[str], tuple[str, dict[str, str]]]:
    """How a documented example runs: ``(command, environment)``, the demo account with
    ``chimenum`` first on PATH (the fork server's launcher, then the venv's tools).

    A ``wait`` example runs against the fake instead (``--demo`` dropped), where the demo's
    timeline has already played: its first poll finds the status it waits for. The demo plays
    its timeline in seconds; waiting them out would test the clock, not the example. Waiting
    itself is tested in test_wait.py, with polls counted.
    """
    path = [str(forkserver.shared().bin), str(Path(sys.executable).parent), os.environ["PATH"]]
    env = {**os.environ, "PATH": os.pathsep.join(path)}

    def example(command: str) -> tuple[str, dict[str, str]]:
        if not re.search(r"\bchimenum\b.* wait ", command):
            return command, {**env, "CHIMENUM_DEMO": "1"}
        fake: FakeChime = request.getfixturevalue("fake")
        for api, phone_number_id, _, status in DEMO_TIMELINE:
            fake.move(phone_number_id, status, after_requests=0, api=api)
        endpoints = {
            # The demo's region when none is given; the fake answers in any.
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_CHIME": fake.url,
            "AWS_ENDPOINT_URL_CHIME_SDK_VOICE": fake.voice_url,
        }
        return command.replace(" --demo", ""), {**env, **endpoints}

    return example


#: What ``--fast`` leaves out: the markers registered in pyproject.toml.
SLOW_MARKERS = ("slow", "tooling", "shell")
#: Run before all others, in this order: the quick start (two venvs installed with pip, a
#: minute), then the runs that wait out a real 8 s read timeout (tests/test_deadlines.py), so that
#: neither starts late and leaves the other workers idle at the end.
LONGEST = (
    "test_quick_start_as_written_leaves_a_command_and_its_man_page",
    "test_get_a_trickled_head_is_that_ids_timeout",
    "test_list_a_trickled_page_stops_the_listing_and_keeps_the_pages_before",
    "test_describe_a_trickled_related_lookup_fails_that_lookup_only",
    "test_audit_a_trickled_related_lookup_fails_that_lookup_only",
    "test_wait_a_trickled_poll_is_that_ids_timeout",
)
#: Where ``chimenum_exe`` tests stay in the fast subset. Forked from the fork server, a process
#: costs milliseconds, not a Python start-up; these files check what only a process shows: the
#: exit codes of signals, closed streams and broken pipes. Elsewhere a process test drives a
#: terminal, a big batch, a documented example or the real script beside the launcher: ``slow``.
FAST_PROCESS_FILES = ("test_exit_codes.py", "test_signals.py")
#: ... but for the matrix of every stop signal over every format of every kind (78 runs).
SLOW_PROCESS_TESTS = ("test_stop_signals_flush_every_format_of_every_command",)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help="the fast subset: leave out tests marked slow, tooling or shell",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "chimenum_exe" not in getattr(item, "fixturenames", ()):
            continue
        name = getattr(item, "originalname", item.name)
        if item.path.name not in FAST_PROCESS_FILES or name in SLOW_PROCESS_TESTS:
            item.add_marker(pytest.mark.slow)

    # Long tests first (a stable sort: files stay in order within each group), so that the
    # workers end together on short tests rather than waiting on one worker's last long one.
    # The longest of all leads: worksteal hands each worker a contiguous share of this order, and
    # a minute of pip that starts late is a minute the other workers spend idle at the end.
    def order(item: pytest.Item) -> tuple[int, bool]:
        name = getattr(item, "originalname", item.name)
        first = LONGEST.index(name) if name in LONGEST else len(LONGEST)
        return first, not any(item.get_closest_marker(m) for m in SLOW_MARKERS)

    items.sort(key=order)
    if not config.getoption("--fast"):
        return
    kept = [i for i in items if not any(i.get_closest_marker(m) for m in SLOW_MARKERS)]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept
