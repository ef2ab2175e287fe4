"""Peak memory of a run whose every related lookup fails with a huge error message.

    .venv/bin/python bench/errors_memory.py              # 2,000 numbers, 100 KB messages
    .venv/bin/python bench/errors_memory.py --numbers 500

``chimenum --api voice audit --json --tags --max-attempts 1`` runs twice as its own process
against the loopback fake (in this process), whose every related lookup of the generated numbers
answers ``ServiceFailureException``: the voice connector they share, each number's own order and
its tags (two failures a number). Once the messages are short, once 100 KB each. A failure keeps
at most 1,024 characters of its message (``MESSAGE_LIMIT``, docs/faults.md), so the two peaks
must be within 30 MB of each other; the figures are printed. Issue 18 measured 2.0 GB for 2,000
numbers before the cut.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import run as bench  # noqa: E402  (bench/run.py: one process timed and measured)

if TYPE_CHECKING:
    from testing.fakechime import FakeChime

#: How much more the huge messages' run may peak at, in MB.
WITHIN_MB = 30.0


def failing_fake(count: int, message: str) -> FakeChime:
    """The fake, started, with ``count`` voice numbers whose related lookups all fail."""
    from chimenum.demo import resources as demo
    from chimenum.demo import sample_voice_numbers
    from testing.fakechime import FakeChime, generate_numbers

    numbers = list(generate_numbers(count, voice=True))
    fake = FakeChime(
        voice_records=numbers, resources=demo.sample_resources(sample_voice_numbers())
    ).start()
    routes = [f"voice-connectors/{demo.VC_MAIN}", "tags"]
    routes += [f"phone-number-orders/{n['OrderId']}" for n in numbers]
    for route in routes:
        fake.inject(route, "ServiceFailureException", message=message)
    return fake


def audit(count: int, message: str) -> bench.Run:
    fake = failing_fake(count, message)
    try:
        bench.ENV["AWS_ENDPOINT_URL_CHIME_SDK_VOICE"] = fake.voice_url
        return bench.run(
            [bench.CHIMENUM, "--api", "voice", "audit", "--json", "--tags", "--max-attempts", "1"]
        )
    finally:
        fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=2000)
    parser.add_argument("--message-kb", type=int, default=100)
    args = parser.parse_args()
    huge = "x" * (args.message_kb * 1000)
    print(f"peak RSS, `audit --json --tags` of {args.numbers:,} numbers, every related lookup")
    print("failing (ServiceFailureException), short messages vs", f"{args.message_kb} KB messages")
    runs = {"short": audit(args.numbers, "short"), "huge": audit(args.numbers, huge)}
    for name, result in runs.items():
        assert result.code == 9, result.stderr[-2000:]  # ServiceFailureException's exit code
        size = "short messages" if name == "short" else f"{args.message_kb} KB messages"
        bench.show(f"chimenum, {size}", result)
    growth = runs["huge"].rss_mb - runs["short"].rss_mb
    ok = growth <= WITHIN_MB
    print(f"  growth: {growth:+.1f} MB ({'PASS' if ok else 'MISS'}: within {WITHIN_MB:.0f} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
