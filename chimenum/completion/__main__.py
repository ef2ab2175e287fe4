"""``python -m chimenum.completion refresh CACHE_DIR SETTINGS_JSON``: the detached refresher."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from chimenum.completion import refresh
from chimenum.core.session import Settings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] == "refresh":
        try:
            return refresh(Path(args[1]), Settings(**json.loads(args[2])))
        except Exception:
            return 1
    sys.stderr.write("usage: python -m chimenum.completion refresh CACHE_DIR SETTINGS_JSON\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
