"""The account's phone-number ids for completion: listed with a deadline, cached per target.

The list is cached per profile/region/API/endpoint in ``$XDG_CACHE_HOME/chimenum`` (default
``~/.cache/chimenum``) for ``CHIMENUM_COMPLETION_TTL`` seconds; a TAB waits at most
``CHIMENUM_COMPLETION_TIMEOUT`` seconds, then serves the stale list and leaves a detached
refresher to finish. The cache is untrusted input: ids are checked again when read back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from chimenum.core.settings import Settings

#: The detached refresher's own limits: it is not holding up a prompt, but must still end.
REFRESH_TIMEOUT = 30.0
REFRESH_LOCK_AGE = 60.0
MAX_PAGES = 1000


def cache_dir(base: str = "") -> Path:
    """``$XDG_CACHE_HOME/chimenum`` (``base``: the variable's value, from the Settings)."""
    # The XDG spec says a relative path is invalid and must be ignored.
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "chimenum"


@dataclass(frozen=True)
class Target:
    """What the id list depends on: the account (profile), region, API and endpoint."""

    profile: str
    region: str
    api: str
    endpoint: str
    demo: bool

    @classmethod
    def of(cls, settings: Settings) -> Target:
        return cls(
            profile=settings.profile or "default",
            region=settings.region or settings.environ_region or "",
            api=settings.api,
            endpoint=settings.endpoint_url or settings.environ_endpoints.get(settings.api) or "",
            demo=settings.demo,
        )

    @property
    def key(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class Entry:
    phone_number_id: str
    description: str


@dataclass
class IdCache:
    #: ``cache_dir(settings.cache_home)``: where ``$XDG_CACHE_HOME`` says.
    directory: Path

    def path(self, target: Target) -> Path:
        return self.directory / f"ids-{target.key}.json"

    def read(self, target: Target) -> tuple[float, list[Entry]] | None:
        """The cached ids, each checked again: the file is input like any other, and a word
        offered for completion is inserted into the user's command line as it is."""
        from chimenum.core.ids import InvalidId, normalise

        try:
            doc = json.loads(self.path(target).read_text(encoding="utf-8"))
            entries = []
            for phone_id, description in doc["ids"]:
                try:
                    if normalise(str(phone_id)) != phone_id:
                        continue
                except InvalidId:
                    continue
                entries.append(Entry(phone_id, _safe_words(str(description))))
            return float(doc["created"]), entries
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def private_directory(self) -> bool:
        """Create the cache directory for the user alone; ``False`` if it is not ours to use
        (a symlink, a file, or another user's directory planted in its place)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(self.directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        if stat.S_IMODE(info.st_mode) != 0o700:
            self.directory.chmod(0o700)
        return True

    def write(self, target: Target, entries: list[Entry]) -> None:
        if not self.private_directory():
            return
        doc = {
            "created": time.time(),
            "target": asdict(target),
            "ids": [[e.phone_number_id, e.description] for e in entries],
        }
        path = self.path(target)
        # A new file of our own, never an existing one nor a symlink planted under its name.
        partial = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(partial, flags, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(doc, out)
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise


def _safe_words(text: str) -> str:
    """Only letters, digits, spaces and '/': nothing a shell or a terminal acts on."""
    # Not a comma: click's fish script splits candidates on commas.
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch in " /"))[:60]


def _description(number: dict[str, Any]) -> str:
    """Status and product type, reduced to characters no shell or terminal acts on."""
    words = [number.get("Status"), number.get("ProductType")]
    return _safe_words(" / ".join(w for w in words if isinstance(w, str) and w))


def list_ids(settings: Settings, timeout: float) -> list[Entry]:
    """Every phone number of the account, following ``NextToken``; raises on any failure."""
    from chimenum.core.ids import InvalidId, e164_of, normalise
    from chimenum.core.listing import Lister
    from chimenum.core.run import Run
    from chimenum.demo import sandbox_for

    # --debug on the line being completed must not log into the user's prompt.
    quiet = replace(settings, connect_timeout=timeout, read_timeout=timeout, debug=False)
    run = Run(quiet, sandbox=sandbox_for(quiet))
    client = run.client()
    # One try per page: a TAB waits for nobody's backoff.
    lister = Lister(client, settings.api, run.policy(client, max_attempts=1))
    entries: dict[str, Entry] = {}
    for page in lister.pages(limit=MAX_PAGES * lister.page_size):
        for number in page.numbers:
            try:
                phone_id = normalise(e164_of(number))
            except InvalidId:
                continue  # never offer a word the shell could act on
            entries.setdefault(phone_id, Entry(phone_id, _description(number)))
    return list(entries.values())


def lookup_ids(
    settings: Settings,
    *,
    cache: IdCache | None = None,
    ttl: float | None = None,
    timeout: float | None = None,
    refresh_in_background: bool = True,
) -> list[Entry]:
    """The account's ids for completion: fresh cache, else a list call with a deadline."""
    cache = cache or IdCache(cache_dir(settings.cache_home))
    ttl = settings.completion_ttl if ttl is None else ttl
    timeout = settings.completion_timeout if timeout is None else timeout
    target = Target.of(settings)
    cached = cache.read(target)
    if cached is not None and 0 <= time.time() - cached[0] < ttl:
        return cached[1]
    stale = cached[1] if cached is not None else []

    from chimenum.core.pool import Deadline, DeadlinePassed, call_by

    try:
        # On a daemon thread: when the deadline passes, the process exits without waiting.
        entries = call_by(lambda: list_ids(settings, max(timeout, 0.1)), Deadline.after(timeout))
    except DeadlinePassed:
        if refresh_in_background:
            start_refresh(settings, cache)
        return stale
    except Exception:
        return stale
    with contextlib.suppress(OSError):
        cache.write(target, entries)
    return entries


def start_refresh(settings: Settings, cache: IdCache) -> None:
    """Start a detached process that lists the ids into the cache, unless one is running."""
    import subprocess

    with contextlib.suppress(OSError):
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chimenum.completion",
                "refresh",
                str(cache.directory),
                json.dumps(asdict(settings)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )


def refresh(directory: Path, settings: Settings) -> int:
    """Body of the detached refresher: one listing at a time per target, into the cache."""
    cache = IdCache(directory)
    target = Target.of(settings)
    if not cache.private_directory():
        return 0
    lock = directory / f"ids-{target.key}.lock"
    with contextlib.suppress(OSError):
        if time.time() - lock.stat().st_mtime > REFRESH_LOCK_AGE:
            lock.unlink()  # left by a refresher that died
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(lock, flags, 0o600))
    except FileExistsError:
        return 0
    try:
        cache.write(target, list_ids(settings, REFRESH_TIMEOUT))
    finally:
        lock.unlink(missing_ok=True)
    return 0
