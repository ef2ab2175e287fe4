"""Peak memory of ``chimenum diff`` of two big snapshots against two small ones.

    .venv/bin/python bench/diff_memory.py                 # 20,000 numbers against 100
    .venv/bin/python bench/diff_memory.py --numbers 50000

OLD is a ``list --json`` document and NEW a ``list -o ndjson`` one, of the fake's generated
numbers, NEW with one number in a hundred removed, one added and one unassigned.
``chimenum diff OLD NEW --json`` runs as its own process on both pairs; diff keeps a digest per
number of OLD and streams NEW (each ``--json`` document an array element at a time), so the big
pair must peak within 30 MB of the small one; the figures are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import run as bench  # noqa: E402  (bench/run.py: one process timed and measured)

#: How much more the big pair's diff may peak at, in MB.
WITHIN_MB = 30.0
#: One number in this many is removed, one added, one changed.
EVERY = 100


def snapshots(count: int, folder: Path) -> tuple[Path, Path]:
    """OLD (``--json``) and NEW (ndjson) of ``count`` generated numbers, written to ``folder``
    a number at a time: this process stays small, and so does the child it forks."""
    from testing.fakechime import generate_numbers

    old, new = folder / f"old-{count}.json", folder / f"new-{count}.ndjson"
    added = generate_numbers(max(1, count // EVERY), first=12070000000, voice=True)
    with old.open("w") as before, new.open("w") as after:
        before.write('{\n    "PhoneNumbers": [')
        for index, number in enumerate(generate_numbers(count, voice=True)):
            element = json.dumps(number, indent=4).replace("\n", "\n        ")
            before.write(("," if index else "") + "\n        " + element)
            if index % EVERY == 1:
                continue
            if index % EVERY == 2:
                number = {**number, "Status": "Unassigned"}
            after.write(json.dumps({"PhoneNumber": number}) + "\n")
        before.write("\n    ]\n}\n")
        after.writelines(json.dumps({"PhoneNumber": number}) + "\n" for number in added)
    return old, new


def diff(old: Path, new: Path) -> bench.Run:
    return bench.run([bench.CHIMENUM, "diff", str(old), str(new), "--json"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=100)
    args = parser.parse_args()
    print(f"peak RSS, `diff OLD.json NEW.ndjson --json`, {args.numbers:,} numbers vs {args.small}")
    with tempfile.TemporaryDirectory() as folder:
        runs = {size: diff(*snapshots(size, Path(folder))) for size in (args.small, args.numbers)}
    for size, result in runs.items():
        assert result.code == 17, result.stderr[-2000:]  # something changed
        bench.show(f"chimenum diff, {size:,} numbers", result)
    growth = runs[args.numbers].rss_mb - runs[args.small].rss_mb
    ratio = runs[args.numbers].rss_mb / runs[args.small].rss_mb
    ok = growth <= WITHIN_MB
    verdict = "PASS" if ok else "MISS"
    print(f"  growth: {growth:+.1f} MB, {ratio:.2f}x ({verdict}: within {WITHIN_MB:.0f} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
