"""The run object: one client per API and region, one rate limiter per endpoint.

Through botocore and the loopback fake: a region that throttles is paced on its own, and another
region's requests are never slowed by it.
"""

from __future__ import annotations

from chimenum.core.fetch import policy_pool
from chimenum.core.resources import FOUND, Resources
from chimenum.core.run import Run
from chimenum.core.settings import Settings
from chimenum.demo.resources import HOME_REGION, VC_MAIN, VC_WEST, WEST_REGION
from testing.fakechime import FakeChime


def test_a_throttled_region_does_not_pace_another(fake: FakeChime) -> None:
    waits: list[float] = []
    run = Run(Settings(api="voice", region=HOME_REGION), sleep=waits.append)
    fake.inject(f"voice-connectors/{VC_MAIN}", "ThrottledClientException", times=3)
    resources = Resources(run)

    # Lookups are pool jobs (a throttled one is tried again at its time, not slept through).
    asked = [(VC_MAIN, HOME_REGION), (VC_WEST, WEST_REGION)]
    pool = policy_pool(
        run.policy(run.client()),
        lambda item: lambda: resources.fetch("VoiceConnector", *item),
        1,
    )
    home, west = pool.map(asked)

    assert home.status == west.status == FOUND
    home_limiter = run.limiter(run.client("voice", HOME_REGION))
    west_limiter = run.limiter(run.client("voice", WEST_REGION))
    assert home_limiter is not west_limiter
    assert home_limiter.cuts, "the throttled region's limiter engaged"
    assert west_limiter.ceiling is None and west_limiter.cuts == []
    assert west_limiter.rate() is None  # unlimited: nothing paces the other region
    west_requests = [r for r in fake.requests if r.region == WEST_REGION]
    assert [r.status for r in west_requests] == [200]
    assert [r.status for r in fake.requests if r.region == HOME_REGION] == [429, 429, 429, 200]


def test_one_client_and_one_policy_per_endpoint(fake: FakeChime) -> None:
    run = Run(Settings(api="voice", region=HOME_REGION))
    home = run.client()
    assert run.client("voice", None) is home
    assert run.policy(home) is run.policy(home)
    other_api = run.client("chime")
    assert run.limiter(other_api) is not run.limiter(home)
    assert run.policy(home, max_attempts=1).limiter is run.policy(home).limiter


def test_stopping_the_run_stops_every_endpoint_but_a_batch_stops_its_own(fake: FakeChime) -> None:
    run = Run(Settings(api="voice", region=HOME_REGION))
    home, west = run.client(), run.client("voice", WEST_REGION)
    run.policy(home).stop()  # a batch abandoned at its deadline
    assert run.policy(home).stopped.is_set()
    assert not run.policy(home, max_attempts=1).stopped.is_set()
    assert not run.policy(west).stopped.is_set()
    run.stop()
    assert run.policy(west).stopped.is_set()
    assert run.policy(run.client("chime")).stopped.is_set()  # made after the stop


def test_policies_and_clients_are_built_by_the_run_alone() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    builders = {
        pattern: sorted(
            str(path.relative_to(root))
            for path in (root / "chimenum").rglob("*.py")
            if pattern in path.read_text()
        )
        for pattern in ("RequestPolicy(", "make_client(", "RateLimiter(")
    }
    assert builders == {
        "RequestPolicy(": ["chimenum/core/run.py"],
        "make_client(": ["chimenum/core/run.py", "chimenum/core/session.py"],
        # policy.py: the limiter of a policy built outside a run (a test's own).
        "RateLimiter(": ["chimenum/core/policy.py", "chimenum/core/run.py"],
    }
