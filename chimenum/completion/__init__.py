"""Shell completion: the scripts, and the values that are not in the click app itself.

The bash, zsh and fish scripts are click's, generated from the app (``chimenum completion SHELL``)
and committed under ``completions/``. Each TAB runs ``chimenum`` with ``_CHIMENUM_COMPLETE`` set;
click resolves what is being completed and calls the completers here for values it cannot know:

- ``--profile``: the profiles of the user's AWS config and credentials files (``AWS_CONFIG_FILE``,
  ``AWS_SHARED_CREDENTIALS_FILE``, default ``~/.aws/config`` and ``~/.aws/credentials``);
- ``--region``: botocore's region list for Chime SDK Voice, read from botocore's own
  ``data/endpoints.json`` without importing botocore (Amazon Chime itself is global: botocore lists
  no region for it, and the regional API is the one a region means anything to);
- phone-number ids: the account's numbers from ``ListPhoneNumbers`` (every page), for the
  profile, region, API and endpoint on the command line so far.

The id list is cached per profile/region/API/endpoint in ``$XDG_CACHE_HOME/chimenum`` (default
``~/.cache/chimenum``) for ``CHIMENUM_COMPLETION_TTL`` seconds (default 120). A TAB never waits
on the network for more than ``CHIMENUM_COMPLETION_TIMEOUT`` seconds (default 0.8, about a second
with Python's start-up): when the list call is slower, the stale list is served (or nothing) and a
detached ``python -m chimenum.completion refresh`` finishes the listing into the cache, so the
next TAB is instant. Completion is silent: any error means fewer candidates, never a message or a
traceback in the prompt. Only ids that are valid E.164 numbers are offered, since a completed
word is inserted into the user's command line as it is.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import json
import os
import secrets
import stat
import sys
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chimenum.core.session import SERVICE_NAMES, Settings

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "chimenum"
COMPLETE_VAR = "_CHIMENUM_COMPLETE"

DEFAULT_TTL = 120.0
DEFAULT_TIMEOUT = 0.8
#: The detached refresher's own limits: it is not holding up a prompt, but must still end.
REFRESH_TIMEOUT = 30.0
REFRESH_LOCK_AGE = 60.0
MAX_PAGES = 1000

#: botocore's endpoint prefix for each API (the key of its data/endpoints.json).
ENDPOINT_PREFIXES = {"chime": "chime", "voice": "voice-chime"}
REGIONAL_PREFIX = "voice-chime"


def script(app: click.Command, shell: str) -> str:
    """The completion script of ``app`` for ``shell``, as committed in ``completions/``."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None or shell not in SHELLS:
        raise ValueError(f"no completion for {shell!r}")
    comp = cls(app, {}, PROG_NAME, COMPLETE_VAR)
    # The template directly: BashComplete.source() would also run bash to check its version.
    return comp.source_template % comp.source_vars()


def register() -> None:
    """Install chimenum's fish completer: click's, plus ``--option=value`` words.

    fish hands over the whole ``--output=j`` token and keeps only candidates that extend it,
    so values completed after ``=`` must carry the ``--output=`` prefix (bash and zsh split the
    word at ``=`` themselves). The fish script itself is click's, unchanged.
    """
    from click.shell_completion import CompletionItem, FishComplete, add_completion_class

    class ChimenumFishComplete(FishComplete):
        def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
            items = super().get_completions(args, incomplete)
            name, sep, _ = incomplete.partition("=")
            if not (sep and name.startswith("-")):
                return items
            return [
                CompletionItem(f"{name}={item.value}", type=item.type, help=item.help)
                if item.type == "plain"
                else item
                for item in items
            ]

    add_completion_class(ChimenumFishComplete, "fish")


def _number(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


# -- profiles and regions ------------------------------------------------------------------------


def _sections(path: str) -> list[str]:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read(Path(path).expanduser(), encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []
    return parser.sections()


def profiles() -> list[str]:
    """Profile names from the AWS config and credentials files, as botocore reads them."""
    names: dict[str, None] = {}
    for section in _sections(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"):
        if section == "default":
            names["default"] = None
        elif section.startswith("profile "):
            name = section[len("profile ") :].strip()
            if name:
                names[name] = None
    for section in _sections(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"):
        names[section.strip()] = None
    return sorted(n for n in names if n)


def _endpoints_file() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("botocore")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "endpoints.json"


def regions(partition: str = "aws") -> list[str]:
    """What ``get_available_regions("chime-sdk-voice")`` returns, without importing botocore."""
    path = _endpoints_file()
    if path is None:
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    for part in data.get("partitions", []):
        if part.get("partition") != partition:
            continue
        known = part.get("regions", {})
        endpoints = part.get("services", {}).get(REGIONAL_PREFIX, {}).get("endpoints", {})
        return sorted(
            name
            for name, endpoint in endpoints.items()
            if name in known and not endpoint.get("deprecated")
        )
    return []


# -- phone-number ids ----------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
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
        env = os.environ
        service_var = SERVICE_NAMES[settings.api].upper().replace("-", "_")
        return cls(
            profile=settings.profile or env.get("AWS_PROFILE") or "default",
            region=settings.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "",
            api=settings.api,
            endpoint=settings.endpoint_url
            or env.get(f"AWS_ENDPOINT_URL_{service_var}")
            or env.get("AWS_ENDPOINT_URL")
            or "",
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
    directory: Path = field(default_factory=cache_dir)

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
    from chimenum.core.ids import InvalidId, normalise
    from chimenum.core.listing import Lister
    from chimenum.core.policy import RequestPolicy
    from chimenum.core.session import make_client
    from chimenum.demo import resolve

    # --debug on the line being completed must not log into the user's prompt.
    quiet = replace(resolve(settings), connect_timeout=timeout, read_timeout=timeout, debug=False)
    client = make_client(quiet)
    # One try per page: a TAB waits for nobody's backoff.
    lister = Lister(
        client, settings.api, RequestPolicy(str(client.meta.endpoint_url), max_attempts=1)
    )
    entries: dict[str, Entry] = {}
    for page in lister.pages(limit=MAX_PAGES * lister.page_size):
        for number in page.numbers:
            try:
                phone_id = normalise(str(number.get("PhoneNumberId") or ""))
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
    cache = cache or IdCache()
    ttl = _number("CHIMENUM_COMPLETION_TTL", DEFAULT_TTL) if ttl is None else ttl
    timeout = (
        _number("CHIMENUM_COMPLETION_TIMEOUT", DEFAULT_TIMEOUT) if timeout is None else timeout
    )
    target = Target.of(settings)
    cached = cache.read(target)
    if cached is not None and 0 <= time.time() - cached[0] < ttl:
        return cached[1]
    stale = cached[1] if cached is not None else []

    answer: list[list[Entry]] = []

    def work() -> None:
        with contextlib.suppress(Exception):
            answer.append(list_ids(settings, max(timeout, 0.1)))

    # A daemon thread: when the deadline passes, the process exits without waiting for it.
    worker = threading.Thread(target=work, name="chimenum-complete", daemon=True)
    worker.start()
    worker.join(timeout)
    if answer:
        with contextlib.suppress(OSError):
            cache.write(target, answer[0])
        return answer[0]
    if worker.is_alive() and refresh_in_background:
        start_refresh(settings, cache)
    return stale


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


# -- click completers ----------------------------------------------------------------------------


def _settings(ctx: click.Context) -> Settings:
    found = ctx.find_object(Settings)
    return found if found is not None else Settings()


def complete_profiles(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        return [CompletionItem(p) for p in profiles() if p.startswith(incomplete)]
    except Exception:
        return []


def complete_regions(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        return [CompletionItem(r) for r in regions() if r.startswith(incomplete)]
    except Exception:
        return []


def complete_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Ids of the account not already on the command line; ``%2B...`` completes encoded."""
    from click.shell_completion import CompletionItem

    try:
        given = set(ctx.params.get(param.name or "") or ())
        encoded = incomplete[:3].upper() == "%2B"
        items = []
        for entry in lookup_ids(_settings(ctx)):
            if entry.phone_number_id in given:
                continue
            word = "%2B" + entry.phone_number_id[1:] if encoded else entry.phone_number_id
            if word.upper().startswith(incomplete.upper()):
                items.append(CompletionItem(word, help=entry.description or None))
        return items
    except Exception:
        return []
