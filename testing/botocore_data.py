"""botocore's bundled JSON, decoded once per process: the suite's in-process runs and the fork
server (testing/forkserver.py) share it."""

from __future__ import annotations

import os
from typing import Any


def share_botocore_data_files() -> None:
    """Decode each of botocore's bundled JSON files once per process, not once per run.

    Every run builds its own botocore session, whose loader decodes endpoints.json,
    partitions.json, the endpoint rules and the service model again: three quarters of a
    ``get``'s CPU in the suite. botocore already shares these documents between the clients of
    one session (its loader caches them), so sharing them between sessions assumes nothing new.
    Only files under botocore's own data folder are kept; a file a test writes is read each time.
    """
    from botocore.loaders import JSONFileLoader, Loader

    unshared = JSONFileLoader.load_file
    if getattr(unshared, "shared", False):
        return
    decoded: dict[str, Any] = {}

    def load_file(self: JSONFileLoader, file_path: str) -> Any:
        if not file_path.startswith(Loader.BUILTIN_DATA_PATH + os.sep):
            return unshared(self, file_path)
        if file_path not in decoded:
            decoded[file_path] = unshared(self, file_path)
        return decoded[file_path]

    load_file.shared = True  # type: ignore[attr-defined]
    JSONFileLoader.load_file = load_file  # type: ignore[method-assign]
