"""``python -m testing.fakechime``: the fake in its own process, for the benchmark."""

from __future__ import annotations

import contextlib
import json

from testing.fakechime import FakeChime, generate_numbers


def main(argv: list[str] | None = None) -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m testing.fakechime",
        description="Serve the loopback fake Chime API until stdin closes or Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=0, help="Amazon Chime port")
    parser.add_argument("--voice-port", type=int, default=0, help="Chime SDK Voice port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--latency-jitter", type=float, default=0.0)
    parser.add_argument("--throttle-rate", type=float, default=None, help="requests/s")
    parser.add_argument("--throttle-burst", type=int, default=10)
    parser.add_argument("--fail-ratio", type=float, default=0.0, help="share of 503 answers")
    parser.add_argument("--generate", type=int, default=0, help="extra generated numbers")
    parser.add_argument(
        "--related",
        action="store_true",
        help="generated numbers share 3 voice connectors, 2 SIP rules and 4 orders",
    )
    parser.add_argument(
        "--report-counts",
        action="store_true",
        help="when stdin closes, print the requests per operation as one JSON line",
    )
    args = parser.parse_args(argv)
    from chimenum.demo import sample_numbers, sample_voice_numbers
    from chimenum.demo.resources import sample_resources
    from testing.fakechime.related import share_related

    chime = list(generate_numbers(args.generate))
    voice = list(generate_numbers(args.generate, voice=True))
    resources = sample_resources(sample_voice_numbers())
    if args.related:
        chime, store = share_related(chime)
        voice, voice_store = share_related(voice)
        resources["us-east-1"].update({**store, **voice_store})
    fake = FakeChime(
        [*sample_numbers(), *chime],
        voice_records=[*sample_voice_numbers(), *voice],
        resources=resources,
        latency=args.latency,
        latency_jitter=args.latency_jitter,
        throttle_rate=args.throttle_rate,
        throttle_burst=args.throttle_burst,
        fail_ratio=args.fail_ratio,
        port=args.port,
        voice_port=args.voice_port,
    )
    with fake:
        sys.stdout.write(f"{fake.url}\n{fake.voice_url}\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
        if args.report_counts:
            counts: dict[str, int] = {}
            for request in fake.requests:
                counts[request.operation] = counts.get(request.operation, 0) + 1
            sys.stdout.write(json.dumps(counts) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
