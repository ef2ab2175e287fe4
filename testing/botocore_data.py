"""botocore's bundled JSON decoded, and its handlers checked, once per process: the suite's
in-process runs and the fork server (testing/forkserver.py) share them."""

from __future__ import annotations

import os
from typing import Any


def share_botocore_data_files(*folders: str) -> None:
    """Decode each of botocore's bundled JSON files (and those under ``folders``) once per
    process, not once per run.

    Every run builds its own botocore session, whose loader decodes endpoints.json,
    partitions.json, the endpoint rules and the service model again: three quarters of a
    ``get``'s CPU in the suite. botocore already shares these documents between the clients of
    one session (its loader caches them), so sharing them between sessions assumes nothing new.
    Only files under botocore's own data folder (and ``folders``) are kept; a file a test writes
    is read each time. It patches the botocore that ``import botocore`` answers with: in the AWS
    CLI oracle's server (tests/aws_cli.py), awscli's own copy.
    """
    from botocore.loaders import JSONFileLoader, Loader

    unshared = JSONFileLoader.load_file
    if getattr(unshared, "shared", False):
        return
    decoded: dict[str, Any] = {}
    kept = tuple(folder.rstrip(os.sep) + os.sep for folder in (Loader.BUILTIN_DATA_PATH, *folders))

    def load_file(self: JSONFileLoader, file_path: str) -> Any:
        if not file_path.startswith(kept):
            return unshared(self, file_path)
        if file_path not in decoded:
            decoded[file_path] = unshared(self, file_path)
        return decoded[file_path]

    load_file.shared = True  # type: ignore[attr-defined]
    JSONFileLoader.load_file = load_file  # type: ignore[method-assign]


def share_botocore_handler_checks() -> None:
    """Check each of botocore's event handlers and alias each event name once per process.

    A botocore session registers some 120 built-in handlers; for each, botocore runs
    ``inspect.getfullargspec`` (does it take ``**kwargs``?) and, for event names that need no
    alias, walks its whole alias table again (its own cache keeps only the names it changed).
    That is two thirds of a session's start. Both answers
    depend only on the function and on the name under botocore's own alias table, so they are
    kept across sessions; a session with another alias table is asked as before.
    """
    from types import CodeType

    import botocore.hooks as hooks
    from botocore.utils import EVENT_ALIASES

    if getattr(hooks.accepts_kwargs, "shared", False):
        return
    unshared_alias = hooks.EventAliaser._alias_event_name
    aliased: dict[str, str] = {}

    def alias_event_name(self: hooks.EventAliaser, event_name: str) -> str:
        if self._event_aliases is not EVENT_ALIASES:
            return unshared_alias(self, event_name)  # type: ignore[no-any-return]
        if event_name not in aliased:
            aliased[event_name] = unshared_alias(self, event_name)
        return aliased[event_name]

    unshared_accepts = hooks.accepts_kwargs
    accepts: dict[CodeType, Any] = {}

    def accepts_kwargs(func: Any) -> Any:
        # Keyed by code alone: a handler, a bound method's self or a closure's cells may hold a
        # client and its open connections, which a cache must not keep alive.
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        if not isinstance(code, CodeType) or hasattr(func, "__signature__"):
            return unshared_accepts(func)
        if code not in accepts:
            accepts[code] = unshared_accepts(func)
        return accepts[code]

    accepts_kwargs.shared = True  # type: ignore[attr-defined]
    hooks.EventAliaser._alias_event_name = alias_event_name  # type: ignore[method-assign]
    hooks.accepts_kwargs = accepts_kwargs
