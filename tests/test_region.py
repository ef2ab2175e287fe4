"""A region typo is named as one: not region-shaped, or unknown (with the nearest name), exit 2.

No test here looks up a real AWS host name. The CLI tests point botocore's partitions at the
``.invalid`` top-level domain (``AWS_DATA_PATH``, read by botocore as the AWS CLI reads it), whose
names never exist and are answered without a lookup (RFC 6761); the run object's tests hand it
a resolver that records what it was asked.
"""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from chimenum.core.errors import ChimenumError, ExitCode
from chimenum.core.regions import host_resolves, shape_problem
from chimenum.core.run import Run
from chimenum.core.settings import Settings
from testing.fakechime import FakeChime

NOT_REGIONS = ["us west 2", "us_west_2", "US-WEST-2", "us-west-2,", "uswest2", "https://x", "-"]


@pytest.fixture
def unresolvable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every partition's endpoints under ``.invalid``: AWS's host names do not exist."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    for partition in data["partitions"]:
        partition["outputs"]["dnsSuffix"] = "invalid"
        partition["outputs"]["dualStackDnsSuffix"] = "invalid"
    folder = tmp_path / "botocore-data"
    folder.mkdir()
    (folder / "partitions.json").write_text(json.dumps(data))
    monkeypatch.setenv("AWS_DATA_PATH", str(folder))


# -- the shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOT_REGIONS)
def test_a_name_that_is_not_region_shaped_is_refused_before_any_request(
    fake: FakeChime, chimenum, name: str
) -> None:
    run = chimenum("--api", "voice", "--region", name, "get", "+12065550111")
    assert (run.exit_code, run.stdout) == (2, "")
    assert f"Invalid value for '--region': {name!r} is not a region name" in run.stderr
    assert fake.requests == []


def test_every_region_botocore_knows_is_region_shaped() -> None:
    import botocore.session

    loader = botocore.session.Session().get_component("data_loader")
    for source in ("endpoints", "partitions"):
        for partition in loader.load_data(source)["partitions"]:
            for region in partition["regions"]:
                if not region.startswith("aws-"):  # aws-global and its kin: no place at all
                    assert shape_problem(region) is None, region


@pytest.mark.parametrize("where", ["AWS_REGION", "profile"])
def test_a_configured_region_is_checked_too(
    fake: FakeChime, chimenum, aws_env: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "AWS_REGION":
        monkeypatch.setenv("AWS_REGION", "us west 2")
    else:
        (aws_env / "aws-config").write_text("[default]\nregion = us_west_2\n")
    run = chimenum("--api", "voice", "get", "+12065550111")
    assert run.exit_code == 2
    source = "AWS_REGION: 'us west 2'" if where == "AWS_REGION" else "region: 'us_west_2'"
    assert f"{source} is not a region name (such as us-west-2)" in run.stderr
    assert fake.requests == []


# -- an unknown region -------------------------------------------------------------------------


VOICE = ["--api", "voice"]
TYPO = "unknown region 'us-west-9' (did you mean us-west-2?)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*VOICE, "--region", "us-west-9"], TYPO),
        (["--region", "us-west-9"], TYPO),
        (
            [*VOICE, "--region", "eu-west-3"],
            "Chime SDK Voice is not offered in region 'eu-west-3' (did you mean eu-west-2?)",
        ),
        (
            [*VOICE, "--region", "zz-nowhere-1"],
            "unknown region 'zz-nowhere-1' (Chime SDK Voice is in ap-northeast-1, ",
        ),
    ],
)
def test_an_unknown_region_is_named_with_the_nearest_one(
    unresolvable: None, chimenum, args: list[str], message: str
) -> None:
    run = chimenum(*args, "get", "+12065550111")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr.startswith(f"chimenum: {message}")
    assert len(run.stderr.splitlines()) == 1
    assert "network" not in run.stderr and "resolve" not in run.stderr


def test_the_environment_region_is_named_as_unknown(
    unresolvable: None, chimenum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-southeast-9")
    run = chimenum("--api", "voice", "list")
    assert run.exit_code == 2
    assert "unknown region 'ap-southeast-9' (did you mean ap-southeast-" in run.stderr


def test_a_chime_run_accepts_any_region_botocore_knows(
    unresolvable: None, fake: FakeChime, chimenum
) -> None:
    """--api chime calls us-east-1 whatever the region; eu-west-3 is a region, only not voice's."""
    run = chimenum("--region", "eu-west-3", "get", "+12065550100", "--json")
    assert run.exit_code == 0, run.stderr
    assert [r.region for r in fake.requests] == ["us-east-1"]


@pytest.mark.parametrize("how", ["--endpoint-url", "AWS_ENDPOINT_URL_CHIME_SDK_VOICE"])
def test_no_region_check_with_a_configured_endpoint(
    unresolvable: None, fake: FakeChime, chimenum, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME")
    extra = []
    if how == "--endpoint-url":
        monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME_SDK_VOICE")
        extra = ["--endpoint-url", fake.voice_url]
    run = chimenum("--api", "voice", "--region", "us-west-9", *extra, "get", "+12065550111")
    assert run.exit_code == 0, run.stderr
    assert [(r.api, r.region) for r in fake.requests] == [("voice", "us-west-9")]


# -- the run object: what is looked up, and when -----------------------------------------------


class Resolver:
    def __init__(self, answer: bool | None) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, host: str) -> bool | None:
        self.asked.append(host)
        return self.answer


def test_a_listed_region_is_never_looked_up() -> None:
    resolver = Resolver(False)
    run = Run(Settings(api="voice", region="eu-west-2"), resolve=resolver)
    assert run.client().meta.region_name == "eu-west-2"
    assert resolver.asked == []


@pytest.mark.parametrize("answer", [True, None])
def test_an_unlisted_region_that_resolves_or_cannot_be_told_is_used_as_given(
    answer: bool | None,
) -> None:
    """A new region (or no DNS server answering): the request itself will say."""
    resolver = Resolver(answer)
    run = Run(Settings(api="voice", region="us-west-9"), resolve=resolver)
    client = run.client()
    assert client.meta.region_name == "us-west-9"
    assert resolver.asked == ["voice-chime.us-west-9.amazonaws.com"]
    run.client(region="eu-west-1")
    run.client("chime")
    assert resolver.asked == ["voice-chime.us-west-9.amazonaws.com"]  # the run's region, once


def test_an_unlisted_region_that_does_not_resolve_is_refused() -> None:
    resolver = Resolver(False)
    run = Run(Settings(api="voice", region="us-west-9"), resolve=resolver)
    with pytest.raises(ChimenumError) as raised:
        run.client()
    assert raised.value.failure.exit_code is ExitCode.USAGE
    assert str(raised.value) == "unknown region 'us-west-9' (did you mean us-west-2?)"


def test_reserved_names_are_answered_without_a_lookup() -> None:
    assert host_resolves("voice-chime.us-west-9.invalid") is False
    assert host_resolves("voice-chime.us-west-9.localhost.") is True


# -- the demo ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["--region", "us-west-9"], 2, "unknown region 'us-west-9' (did you mean us-west-2?)"),
        (["--api", "voice", "--region", "us-west-9"], 2, "unknown region 'us-west-9'"),
        (["--api", "voice", "--region", "eu-west-3"], 2, "not offered in region 'eu-west-3'"),
        (["--api", "voice", "--region", "eu-west-2"], 0, ""),
        (["--region", "eu-west-3"], 0, ""),
    ],
)
def test_the_demo_checks_regions_the_same_way(
    chimenum, args: list[str], exit_code: int, message: str
) -> None:
    run = chimenum("--demo", *args, "list", "--json")
    assert run.exit_code == exit_code, run.stderr
    assert message in run.stderr
    assert bool(run.stdout) is (exit_code == 0)
