"""Benchmark chimenum against the tools people use instead, in one run, on this machine.

    .venv-dev/bin/python bench/run.py            # the full run (a few minutes)
    .venv-dev/bin/python bench/run.py --quick    # smaller samples (about a minute)

Every peer runs as its own process against the loopback fake (``python -m testing.fakechime``),
which itself runs as a separate process with a simulated per-request latency. Wall time is
measured around each process, peak memory is the process's own peak RSS (``wait4``), and every
figure that matters is a ratio between tools measured in this same run, so a busy machine
shifts all of them alike. Peers (see ``bench/peers/``):

- chimenum (the installed console script);
- the quick boto3 script a user would write (one client, a sequential loop);
- a tuned botocore thread pool at the same concurrency (the near-limit yardstick): 1,000 ids at
  20 ms, both at 32, and 200 ids at 200 ms, both at 64;
- a bare botocore script doing one fetch (the floor for a single id);
- a bare botocore ``ListPhoneNumbers`` loop, as is and with only a faster timestamp parser;
- ``aws chime get-phone-number`` in a loop (a small sample, extrapolated);
- chimenum and the pool against a fake that throttles (token bucket), and one that fails 20%
  of requests with 503;
- ``list`` of 20,000 numbers in every format, against ndjson (time) and against a listing of
  100 numbers (peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CHIMENUM = str(BIN / "chimenum")
AWS = str(BIN / "aws")
FIRST = 12065560000


@dataclass
class Run:
    wall: float
    rss_mb: float
    code: int
    lines: int
    errors: int
    stderr: str


@dataclass
class Target:
    name: str
    ok: bool
    detail: str


def ids(count: int) -> list[str]:
    return [f"+{FIRST + n}" for n in range(count)]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CHIMENUM_"))}
    # Bytecode caching as on any installed Python (pip compiles botocore's at install time):
    # without it, chimenum's own modules would be compiled from source on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        AWS_ACCESS_KEY_ID="AKIDCHIMENUMBENCH000",
        AWS_SECRET_ACCESS_KEY="chimenum-bench-secret",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_PAGER="",
    )
    return env


ENV = environment()


@contextmanager
def fake(count: int, *options: str) -> Iterator[str]:
    """The loopback fake in its own process; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "testing.fakechime", "--generate", str(count), *options],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(cmd: Sequence[str], shell: bool = False) -> Run:
    """Run one process; wall time, its own peak RSS, exit code, output lines and error lines."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd if not shell else cmd[0],
            shell=shell,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=ENV,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = errors = 0
        for line in out:
            lines += 1
            errors += b'"ErrorCode"' in line
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # For a shell loop, wait4 reports the largest of the shell and the commands it ran.
    return Run(wall, usage.ru_maxrss / 1024, proc.returncode, lines, errors, stderr)


def write_ids(folder: Path, count: int) -> str:
    path = folder / f"ids-{count}.txt"
    if not path.exists():
        path.write_text("".join(f"{i}\n" for i in ids(count)))
    return str(path)


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]


def show(label: str, r: Run, note: str = "") -> None:
    print(f"  {label:<46} {r.wall:8.2f} s {r.rss_mb:7.1f} MB  {note}")


def check(targets: list[Target], name: str, ok: bool, detail: str) -> None:
    targets.append(Target(name, ok, detail))


def chimenum_batch(url: str, ids_file: str, concurrency: int, fmt: str = "ndjson") -> list[str]:
    return [
        CHIMENUM, "get", "-f", ids_file, "-o", fmt, "--concurrency", str(concurrency),
        "--endpoint-url", url,
    ]  # fmt: skip


def pool_batch(url: str, ids_file: str, concurrency: int) -> list[str]:
    return [
        sys.executable,
        str(HERE / "peers" / "botocore_pool.py"),
        url,
        ids_file,
        str(concurrency),
    ]


def batches(args: argparse.Namespace, folder: Path, targets: list[Target]) -> None:
    """The batch at equal concurrency with the tuned pool: many ids at a short latency (where
    the cost per request shows), then few ids at a long one with more in flight (where keeping
    every request slot busy shows)."""
    batch(args, folder, targets, args.batch, args.latency, args.pool_concurrency, 0.85, peers=True)
    batch(args, folder, targets, args.wide_batch, args.wide_latency, args.wide_concurrency, 1.1)


def batch(
    args: argparse.Namespace,
    folder: Path,
    targets: list[Target],
    n: int,
    lat: float,
    c: int,
    target: float,
    *,
    peers: bool = False,
) -> None:
    ids_file = write_ids(folder, n)
    print(
        f"\n{n} ids, {lat * 1000:.0f} ms latency, chimenum and the pool both at concurrency {c}"
        f" (median of {args.reps} runs, load {os.getloadavg()[0]:.1f})"
    )
    with fake(n, "--latency", str(lat)) as url:
        ours, pools = [], []
        for _ in range(args.reps):
            ours.append(run(chimenum_batch(url, ids_file, c)))
            pools.append(run(pool_batch(url, ids_file, c)))
        mine, pool = median_run(ours), median_run(pools)
        assert mine.code == 0 and mine.lines == n and mine.errors == 0, mine.stderr
        assert pool.code == 0 and pool.lines == n, pool.stderr
        ratio_pool = mine.wall / pool.wall
        show("chimenum get -f FILE -o ndjson", mine)
        show(
            f"tuned botocore thread pool ({c} threads)", pool, f"chimenum/pool = {ratio_pool:.2f}x"
        )
        check(
            targets,
            f"{n} ids @ {lat * 1000:.0f} ms, both {c} in flight: <= {target:g}x the tuned pool",
            ratio_pool <= target,
            f"{ratio_pool:.2f}x",
        )
        pool_full = "Connection pool is full" in mine.stderr
        check(
            targets,
            f"{n} ids: no 'Connection pool is full' warning",
            not pool_full,
            "none" if not pool_full else "seen",
        )
        if peers:
            sequential_and_aws(args, folder, targets, url, n, mine)


def sequential_and_aws(
    args: argparse.Namespace, folder: Path, targets: list[Target], url: str, n: int, mine: Run
) -> None:
    sample = min(n, args.sequential_sample)
    seq = run(
        [
            sys.executable,
            str(HERE / "peers" / "boto3_sequential.py"),
            url,
            write_ids(folder, sample),
        ]
    )
    assert seq.code == 0 and seq.lines == sample, seq.stderr
    seq_wall = seq.wall * n / sample
    aws_ids = ids(args.aws_sample)
    loop = "".join(
        f"{AWS} chime get-phone-number --phone-number-id '{i}' --endpoint-url {url} "
        "--region us-east-1 --output json >/dev/null || exit 1; "
        for i in aws_ids
    )
    aws = run([loop], shell=True)
    assert aws.code == 0, aws.stderr
    aws_wall = aws.wall * n / len(aws_ids)
    extrapolated = "" if sample == n else f" ({sample} ids x {n / sample:g})"
    print(
        f"  {'boto3 sequential loop' + extrapolated:<46} {seq_wall:8.2f} s {seq.rss_mb:7.1f} MB  "
        f"{seq_wall / mine.wall:.1f}x slower than chimenum"
    )
    print(
        f"  {f'aws chime get-phone-number loop ({len(aws_ids)} ids, extrapolated)':<46} "
        f"{aws_wall:8.2f} s {aws.rss_mb:7.1f} MB  {aws.wall / len(aws_ids):.2f} s/id, "
        f"{aws_wall / mine.wall:.0f}x slower than chimenum"
    )
    check(
        targets,
        f"{n} ids: >= 10x faster than sequential boto3",
        seq_wall / mine.wall >= 10,
        f"{seq_wall / mine.wall:.1f}x",
    )


def single(args: argparse.Namespace, targets: list[Target]) -> None:
    reps = args.single_reps
    print(f"\none id, `get ID --json` (mean of {reps} runs each, interleaved, after 2 warm-ups)")
    one = ids(1)[0]
    with fake(10, "--latency", str(args.latency)) as url:
        ours_cmd = [CHIMENUM, "get", one, "--json", "--endpoint-url", url]
        floor_cmd = [sys.executable, str(HERE / "peers" / "botocore_one.py"), url, one]
        aws_cmd = [
            AWS, "chime", "get-phone-number", "--phone-number-id", one,
            "--endpoint-url", url, "--region", "us-east-1", "--output", "json",
        ]  # fmt: skip
        for _ in range(2):
            run(ours_cmd), run(floor_cmd)
        ours, floor = [], []
        for _ in range(reps):
            ours.append(run(ours_cmd))
            floor.append(run(floor_cmd))
        aws = [run(aws_cmd) for _ in range(max(3, reps // 4))]
    for r in (*ours, *floor, *aws):
        assert r.code == 0, r.stderr
    mean_ours = statistics.mean(r.wall for r in ours)
    mean_floor = statistics.mean(r.wall for r in floor)
    mean_aws = statistics.mean(r.wall for r in aws)
    median_ratio = statistics.median(r.wall for r in ours) / statistics.median(
        r.wall for r in floor
    )
    print(
        f"  {'chimenum get ID --json':<46} {mean_ours * 1000:8.0f} ms"
        f" {statistics.mean(r.rss_mb for r in ours):5.1f} MB  "
        f"min {min(r.wall for r in ours) * 1000:.0f} ms,"
        f" stdev {statistics.stdev(r.wall for r in ours) * 1000:.0f} ms"
    )
    print(
        f"  {'bare botocore: import, client, one fetch':<46} {mean_floor * 1000:8.0f} ms"
        f" {statistics.mean(r.rss_mb for r in floor):5.1f} MB  "
        f"min {min(r.wall for r in floor) * 1000:.0f} ms,"
        f" stdev {statistics.stdev(r.wall for r in floor) * 1000:.0f} ms"
    )
    print(
        f"  {f'aws chime get-phone-number ({len(aws)} runs)':<46} {mean_aws * 1000:8.0f} ms"
        f" {statistics.mean(r.rss_mb for r in aws):5.1f} MB"
    )
    ratio = mean_ours / mean_floor
    print(
        f"  chimenum/floor = {ratio:.2f}x (medians: {median_ratio:.2f}x);"
        f" aws CLI/chimenum = {mean_aws / mean_ours:.1f}x"
    )
    check(targets, "one id: within 1.1x of the bare botocore floor", ratio <= 1.1, f"{ratio:.2f}x")


def throttling(args: argparse.Namespace, folder: Path, targets: list[Target]) -> None:
    n, rate, burst = args.throttled, 50, 10
    ideal = n / rate
    ids_file = write_ids(folder, n)
    print(
        f"\n{n} ids against a fake that throttles ({rate} requests/s, burst {burst}),"
        f" {args.latency * 1000:.0f} ms latency"
    )
    opts = (
        "--latency",
        str(args.latency),
        "--throttle-rate",
        str(rate),
        "--throttle-burst",
        str(burst),
    )
    with fake(n, *opts) as url:
        mine = run(chimenum_batch(url, ids_file, args.concurrency))
    with fake(n, *opts) as url:
        pool = run(pool_batch(url, ids_file, args.pool_concurrency))
    show(
        "chimenum",
        mine,
        f"exit {mine.code}, {mine.lines - mine.errors} of {n} fetched;"
        f" ideal {ideal:.0f} s, {mine.wall / ideal:.2f}x",
    )
    show(
        "tuned botocore pool (botocore retries)",
        pool,
        f"{pool.errors} of {n} ids lost to throttling",
    )
    lost = n - (mine.lines - mine.errors)
    check(
        targets,
        f"{n} ids throttled: none lost, exit 0",
        lost == 0 and mine.code == 0,
        f"{lost} lost, exit {mine.code}",
    )
    check(
        targets,
        f"{n} ids throttled: within 1.25x of the ideal {ideal:.0f} s",
        mine.wall <= 1.25 * ideal,
        f"{mine.wall / ideal:.2f}x",
    )


def flaky(args: argparse.Namespace, folder: Path, targets: list[Target]) -> None:
    n = args.batch
    ids_file = write_ids(folder, n)
    print(
        f"\n{n} ids against a fake failing 20% of requests with 503, {args.latency * 1000:.0f} ms"
    )
    with fake(n, "--latency", str(args.latency), "--fail-ratio", "0.2") as url:
        mine = run(chimenum_batch(url, ids_file, args.concurrency))
        pool = run(pool_batch(url, ids_file, args.pool_concurrency))
    show("chimenum", mine, f"exit {mine.code}, {mine.lines - mine.errors} of {n} fetched")
    show("tuned botocore pool (botocore retries)", pool, f"{pool.errors} of {n} ids lost")
    lost = n - (mine.lines - mine.errors)
    check(
        targets,
        f"{n} ids, 20% 503: none lost, exit 0",
        lost == 0 and mine.code == 0,
        f"{lost} lost, exit {mine.code}",
    )


def listing(args: argparse.Namespace, targets: list[Target]) -> None:
    n = args.listing
    print(f"\n`list -o ndjson` of {n:,} numbers, no latency (median of {args.reps} runs)")
    with fake(n) as url:
        total = n + 14  # the fake's sample numbers come on top of the generated ones
        ours_cmd = [CHIMENUM, "list", "-o", "ndjson", "--endpoint-url", url]
        loop_cmd = [sys.executable, str(HERE / "peers" / "botocore_list.py"), url]
        fast_cmd = [*loop_cmd, "--fast-timestamps"]
        ours, loops, fasts = [], [], []
        for _ in range(args.reps):
            ours.append(run(ours_cmd))
            loops.append(run(loop_cmd))
            fasts.append(run(fast_cmd))
        mine, loop, fast = median_run(ours), median_run(loops), median_run(fasts)
    for r in (mine, loop, fast):
        assert r.code == 0 and r.lines == total, (r.lines, r.stderr)
    ratio, ratio_fast = mine.wall / loop.wall, mine.wall / fast.wall
    show("chimenum list -o ndjson", mine)
    show("bare botocore ListPhoneNumbers loop", loop, f"chimenum/loop = {ratio:.2f}x")
    show(
        "the same loop, fast timestamp parser",
        fast,
        f"chimenum/fast loop = {ratio_fast:.2f}x, fast loop/loop = {fast.wall / loop.wall:.2f}x",
    )
    check(
        targets,
        f"{n:,} numbers: list -o ndjson <= 0.4x the botocore loop",
        ratio <= 0.4,
        f"{ratio:.2f}x",
    )


def memory(args: argparse.Namespace, folder: Path, targets: list[Target]) -> None:
    big = args.memory
    print(f"\npeak RSS, `get -f FILE -o ndjson`, 10 ids vs {big:,} ids (no latency)")
    with fake(big) as url:
        small = run(chimenum_batch(url, write_ids(folder, 10), args.concurrency))
        large = run(chimenum_batch(url, write_ids(folder, big), args.concurrency))
    assert small.code == 0 and small.lines == 10, small.stderr
    assert large.code == 0 and large.lines == big, large.stderr
    show("chimenum, 10 ids", small)
    show(f"chimenum, {big:,} ids", large, f"{big / large.wall:,.0f} ids/s")
    growth = large.rss_mb - small.rss_mb
    print(f"  growth: {growth:+.1f} MB")
    check(
        targets, f"{big:,} ids: peak RSS within 25 MB of 10 ids", growth <= 25, f"{growth:+.1f} MB"
    )


@contextmanager
def related_fake(count: int, *options: str) -> Iterator[tuple[str, dict[str, int]]]:
    """The fake with ``count`` numbers sharing 3 voice connectors and 2 SIP rules; yields its
    Chime SDK Voice URL and a dict filled, once the block ends, with requests per operation."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "testing.fakechime", "--generate", str(count), "--related",
         "--report-counts", *options],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    counts: dict[str, int] = {}
    try:
        proc.stdout.readline()
        yield proc.stdout.readline().strip(), counts
    finally:
        proc.stdin.close()
        line = proc.stdout.readline()
        counts.update(json.loads(line) if line.strip() else {})
        proc.wait(timeout=30)


def describe_and_audit(args: argparse.Namespace, folder: Path, targets: list[Target]) -> None:
    """describe against get on the same ids; requests per distinct resource; audit's memory."""
    n, c, lat = args.batch, args.concurrency, args.latency
    ids_file = write_ids(folder, n)
    print(f"\ndescribe vs get, {n} ids on 3 voice connectors and 2 SIP rules, {lat * 1000:.0f} ms")
    voice = ["--api", "voice"]
    gets, describes = [], []
    counts: dict[str, int] = {}
    for rep in range(args.reps):
        with related_fake(n, "--latency", str(lat)) as (url, _):
            gets.append(run([CHIMENUM, *voice, "get", "-f", ids_file, "-o", "ndjson",
                             "--concurrency", str(c), "--endpoint-url", url]))  # fmt: skip
        with related_fake(n, "--latency", str(lat)) as (url, seen):
            describes.append(run([CHIMENUM, *voice, "describe", "-f", ids_file, "-o", "ndjson",
                                  "--fail-on", "never", "--concurrency", str(c),
                                  "--endpoint-url", url]))  # fmt: skip
        if rep == 0:
            counts = seen
    get_run, describe_run = median_run(gets), median_run(describes)
    assert get_run.code == 0 and get_run.lines == n, get_run.stderr
    assert describe_run.code == 0 and describe_run.lines == n, describe_run.stderr
    show("chimenum get", get_run)
    show("chimenum describe", describe_run)
    # 3 connectors x (connector, origination, termination, health) + 2 rules + 2 applications
    # + 4 orders: one request each.
    distinct = 3 * 4 + 2 + 2 + 4
    sent = sum(counts.values())
    print(f"  requests: {sent} (per operation: {counts})")
    check(targets, f"describe {n}: requests = {n} + {distinct} distinct resources",
          sent == n + distinct, f"{sent}")  # fmt: skip
    ratio = describe_run.wall / get_run.wall
    check(targets, "describe time <= 1.3x get of the same ids", ratio <= 1.3, f"{ratio:.2f}x")

    big = args.audit
    print(f"\npeak RSS, `audit -o ndjson`, 100 numbers vs {big:,} (no latency)")
    with related_fake(big) as (url, _):
        audit = [CHIMENUM, *voice, "audit", "-o", "ndjson", "--fail-on", "never",
                 "--endpoint-url", url]  # fmt: skip
        small = run([*audit, "--limit", "100"])
        large = run(audit)
    assert small.code == 0 and large.code == 0, small.stderr + large.stderr
    show("chimenum audit, 100 numbers", small)
    show(f"chimenum audit, {big:,} numbers", large, f"{big / large.wall:,.0f} numbers/s")
    growth = large.rss_mb - small.rss_mb
    check(
        targets, f"audit {big:,}: peak RSS within 30 MB of 100", growth <= 30, f"{growth:+.1f} MB"
    )


#: Every -o format of `list`, measured against ndjson, the format that keeps nothing.
LIST_FORMATS = ("ndjson", "table", "wide", "json", "text", "csv")


def list_formats(args: argparse.Namespace, folder: Path, targets: list[Target]) -> None:
    """`list` of a large account in each format: time against ndjson, peak RSS against a
    100-number listing in the same format (streaming keeps it flat)."""
    big = args.listing
    print(f"\n`list -o FORMAT` of {big:,} numbers (no latency), stdout to a file")
    with fake(big) as url:

        def command(fmt: str, *extra: str) -> list[str]:
            return [CHIMENUM, "list", "-o", fmt, "--endpoint-url", url, *extra]

        small = {fmt: run(command(fmt, "--limit", "100")) for fmt in LIST_FORMATS}
        large = {
            fmt: median_run([run(command(fmt)) for _ in range(args.reps)]) for fmt in LIST_FORMATS
        }
    base = large["ndjson"]
    assert base.code == 0 and base.lines >= big, base.stderr  # the demo numbers too
    for fmt in LIST_FORMATS:
        r = large[fmt]
        assert r.code == 0, r.stderr
        ratio = r.wall / base.wall
        growth = r.rss_mb - small[fmt].rss_mb
        show(
            f"chimenum list -o {fmt}",
            r,
            f"{ratio:.2f}x ndjson, {growth:+.1f} MB over 100 numbers ({small[fmt].rss_mb:.1f} MB)",
        )
        if fmt != "ndjson":
            check(targets, f"list -o {fmt}: at most 1.3x ndjson", ratio <= 1.3, f"{ratio:.2f}x")
        check(
            targets,
            f"list -o {fmt}: peak RSS within 30 MB of 100 numbers",
            growth <= 30,
            f"{growth:+.1f} MB",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, about a minute")
    parser.add_argument(
        "--only",
        action="append",
        choices=[
            "batch",
            "listing",
            "single",
            "throttling",
            "flaky",
            "memory",
            "describe",
            "formats",
        ],
        help="run only these parts (repeatable)",
    )
    args = parser.parse_args()
    args.latency = 0.02
    # chimenum runs at its default concurrency where the pool is not the yardstick; in the
    # batch, both run at the pool's 32.
    args.concurrency = 16
    args.pool_concurrency = 32
    args.batch = 1000
    # Few ids, a long latency, more in flight: the engine must keep every slot busy.
    args.wide_batch, args.wide_latency, args.wide_concurrency = 200, 0.2, 64
    args.throttled = 500
    args.reps = 1 if args.quick else 3
    args.sequential_sample = 200 if args.quick else 1000
    args.aws_sample = 3 if args.quick else 5
    args.single_reps = 10 if args.quick else 20
    args.memory = 2000 if args.quick else 10000
    args.audit = 2000 if args.quick else 20000
    args.listing = 5000 if args.quick else 20000

    import botocore

    load = os.getloadavg()
    print(
        f"chimenum benchmark{' (--quick)' if args.quick else ''}:"
        f" Python {platform.python_version()},"
        " "
        f"botocore {botocore.__version__}, {os.cpu_count()} CPUs, load {load[0]:.1f} {load[1]:.1f}"
    )
    print("fake API: its own process on 127.0.0.1; every figure below comes from this one run")
    targets: list[Target] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        parts = {
            "batch": lambda: batches(args, folder, targets),
            "listing": lambda: listing(args, targets),
            "single": lambda: single(args, targets),
            "throttling": lambda: throttling(args, folder, targets),
            "flaky": lambda: flaky(args, folder, targets),
            "memory": lambda: memory(args, folder, targets),
            "describe": lambda: describe_and_audit(args, folder, targets),
            "formats": lambda: list_formats(args, folder, targets),
        }
        for name, part in parts.items():
            if not args.only or name in args.only:
                part()
    print(f"\ntargets ({time.perf_counter() - started:.0f} s in all)")
    for t in targets:
        print(f"  {'PASS' if t.ok else 'MISS'}  {t.name}: {t.detail}")
    return 0 if all(t.ok for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
