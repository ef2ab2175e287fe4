"""An estate in one run against its pairs one at a time: peak memory and requests.

    .venv-dev/bin/python bench/estate.py             # 20 accounts x 2 regions x 1,000 numbers
    .venv-dev/bin/python bench/estate.py --accounts 2 --numbers 20     # does it start?
    .venv-dev/bin/python bench/estate.py --sample 5  # 5 of the 40 one-pair runs, scaled

The loopback fake runs in this process with ``--accounts`` generated accounts
(``testing.fakechime.accounts.generated_accounts``), each with ``--numbers`` Chime SDK Voice
numbers of its own in us-east-1 and as many in us-west-2, on voice connectors, SIP rules and
orders of its own. An AWS config names a profile per account (``p01``...). Then, each as its own
process, measured as bench/run.py measures (wall time, the process's own peak RSS):

- the estate: ``chimenum --api voice --profile p01 ... --profile p20 --region us-east-1
  --region us-west-2 audit --json``;
- every one-pair run, ``--profile pNN --region R audit --json`` (or ``--sample`` of them, their
  requests scaled to all pairs: the accounts are alike, so the estimate is close).

It prints the estate's peak RSS against the median one-pair run's (the target: within 30 MB;
the one-pair runs' least and largest are shown beside it) and the estate's Chime SDK Voice
requests against the sum of the one-pair runs' (the target: equal; the estate's one STS
GetCallerIdentity per profile is counted apart, since a one-pair run reads no account id).
A chimenum that refuses ``--profile`` twice, or takes only the last one, fails with one line
saying so.

Each run is started by a small launcher process (:data:`LAUNCHER`), which reports its peak RSS.
Forked by this process, a run would report this process's peak instead when larger: Linux hands
the parent's high-water mark to a vforked child's ``ru_maxrss`` at exec, and this process holds
the fake with the whole estate's inventories and request log (some 85 MB at 20 accounts). That
is why a one-pair run once "peaked" at 90.7 MB (the bench's own peak, after the estate's run
filled the fake's log) and at ~51 MB in smaller benches: measured alone, a one-pair audit of
1,000 numbers peaks at 51 MB every time (5 runs within 0.2 MB).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import run as bench  # noqa: E402  (bench/run.py: one process timed and measured)

from chimenum.demo.listener import SIGV4  # noqa: E402
from testing.fakechime import FakeChime  # noqa: E402
from testing.fakechime.accounts import bench_key, generated_accounts  # noqa: E402

#: How much more the estate's run may peak at than one pair's, in MB.
WITHIN_MB = 30.0
REGIONS = ("us-east-1", "us-west-2")
SECRET = "chimenum-bench-secret"


def profile(n: int) -> str:
    return f"p{n:02d}"


def write_config(folder: Path, keys: list[str]) -> dict[str, str]:
    """An AWS config and credentials file with a profile per key; the environment naming them."""
    config, credentials = folder / "config", folder / "credentials"
    config.write_text("".join(f"[profile {profile(n)}]\n" for n in range(1, len(keys) + 1)))
    credentials.write_text(
        "".join(
            f"[{profile(n)}]\naws_access_key_id = {key}\naws_secret_access_key = {SECRET}\n"
            for n, key in enumerate(keys, 1)
        )
    )
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}


def audit(profiles: list[str], regions: tuple[str, ...]) -> list[str]:
    options = [*(f"--profile={p}" for p in profiles), *(f"--region={r}" for r in regions)]
    return [bench.CHIMENUM, "--api", "voice", *options, "audit", "--json", "--fail-on", "never"]


#: Requests counted by (api, access key, region, operation).
Requests = Counter[tuple[str, str, str, str]]


#: Runs the command given after the path it writes the command's peak RSS (KiB) to; its exit
#: code is the command's.
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured(fake: FakeChime, cmd: list[str]) -> tuple[bench.Run, Requests]:
    """One run, its own peak RSS (see :data:`LAUNCHER`) and its requests, the fake's log
    cleared first."""
    fake.clear_log()
    with tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        result = bench.run([sys.executable, "-S", "-c", LAUNCHER, str(peak), *cmd])
        result.rss_mb = int(peak.read_text() or 0) / 1024 if peak.exists() else 0.0
    seen: Requests = Counter()
    for request in fake.requests:
        auth = SIGV4.match(request.headers.get("Authorization", ""))
        key = auth["akid"] if auth else ""
        seen[(request.api, key, request.region or "", request.operation)] += 1
    return result, seen


def count(seen: Requests, api: str) -> int:
    return sum(n for (asked, *_), n in seen.items() if asked == api)


def refused(result: bench.Run, seen: Requests, accounts: int) -> str | None:
    """Why the estate run did not run the estate (``None``: it did)."""
    if result.code == 2:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        return f"chimenum refused --profile given {accounts} times (exit 2): {last}"
    # Every pair lists its numbers, signed with its profile's key for its region.
    listed = {(key, region) for api, key, region, op in seen if op == "ListPhoneNumbers"}
    if len(listed) < accounts * len(REGIONS):
        return (
            f"chimenum listed {len(listed)} of {accounts * len(REGIONS)} (profile, region)"
            " pairs: it took one --profile or --region of several"
        )
    if result.code != 0:
        return f"the estate run failed (exit {result.code}): {result.stderr.strip()[-300:]}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--numbers", type=int, default=1000, help="per account and region")
    parser.add_argument("--sample", type=int, default=0, help="one-pair runs (default: all)")
    args = parser.parse_args()
    pairs = [(n, region) for n in range(1, args.accounts + 1) for region in REGIONS]
    sample = pairs[: args.sample] if 0 < args.sample < len(pairs) else pairs
    print(
        f"audit of {args.accounts} accounts x {len(REGIONS)} regions x {args.numbers:,} numbers"
        f" in one run, against {len(sample)} of the {len(pairs)} one-pair runs"
    )
    accounts = generated_accounts(args.accounts, REGIONS, args.numbers)
    with FakeChime(accounts=accounts) as fake, tempfile.TemporaryDirectory() as folder:
        bench.ENV.update(
            write_config(Path(folder), [bench_key(n) for n in range(1, args.accounts + 1)])
        )
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
            bench.ENV.pop(name, None)
        bench.ENV.update(
            AWS_ENDPOINT_URL_CHIME=fake.url,
            AWS_ENDPOINT_URL_CHIME_SDK_VOICE=fake.voice_url,
            AWS_ENDPOINT_URL_STS=fake.sts_url,
        )
        estate, estate_seen = measured(
            fake, audit([profile(n) for n in range(1, args.accounts + 1)], REGIONS)
        )
        why = refused(estate, estate_seen, args.accounts)
        if why is not None:
            print(f"estate.py: {why}", file=sys.stderr)
            return 2
        singles = []
        for n, region in sample:
            single, seen = measured(fake, audit([profile(n)], (region,)))
            assert single.code == 0, f"{profile(n)} {region}: {single.stderr[-300:]}"
            singles.append((single, seen))
    bench.show("chimenum audit, the estate", estate)
    peaks = sorted(single.rss_mb for single, _ in singles)
    typical = statistics.median(peaks)
    median_run = min((single for single, _ in singles), key=lambda r: abs(r.rss_mb - typical))
    bench.show("chimenum audit, the median one-pair run", median_run)
    growth, ratio = estate.rss_mb - typical, estate.rss_mb / typical
    memory_ok = growth <= WITHIN_MB
    print(
        f"  one-pair peaks: least {peaks[0]:.1f} MB, median {typical:.1f} MB, largest"
        f" {peaks[-1]:.1f} MB ({len(peaks)} runs)"
    )
    print(
        f"  peak RSS: estate {estate.rss_mb:.1f} MB against the median one-pair run's,"
        f" {growth:+.1f} MB, {ratio:.2f}x ({'PASS' if memory_ok else 'MISS'}: within"
        f" {WITHIN_MB:.0f} MB)"
    )

    estate_voice = count(estate_seen, "voice")
    single_voice = sum(count(seen, "voice") for _, seen in singles) * len(pairs) / len(sample)
    scaled = "" if len(sample) == len(pairs) else f" (scaled from {len(sample)} runs)"
    requests_ok = estate_voice == single_voice
    print(
        f"  Chime SDK Voice requests: estate {estate_voice:,}, one-pair runs {single_voice:,.0f}"
        f"{scaled}, {estate_voice - single_voice:+,.0f} ({estate_voice / single_voice:.3f}x;"
        f" {'PASS' if requests_ok else 'MISS'}: equal); STS: {count(estate_seen, 'sts')} for"
        f" {args.accounts} profiles"
    )
    operations: Counter[str] = Counter()
    for (_, _, _, operation), n in estate_seen.items():
        operations[operation] += n
    print(f"  the estate's requests by operation: {json.dumps(dict(operations))}")
    return 0 if memory_ok and requests_ok else 1


if __name__ == "__main__":
    sys.exit(main())
