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
import json
from pathlib import Path
from typing import TYPE_CHECKING

from chimenum.completion.ids import (
    Entry,
    IdCache,
    Target,
    lookup_ids,
    refresh,
)
from chimenum.core.settings import SettingError, Settings

__all__ = ["SHELLS", "Entry", "IdCache", "Target", "lookup_ids", "refresh", "regions", "script"]

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "chimenum"
COMPLETE_VAR = "_CHIMENUM_COMPLETE"


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


# -- profiles and regions ------------------------------------------------------------------------


def _sections(path: str) -> list[str]:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read(Path(path).expanduser(), encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []
    return parser.sections()


def profiles(settings: Settings) -> list[str]:
    """Profile names from the AWS config and credentials files, as botocore reads them."""
    names: dict[str, None] = {}
    for section in _sections(settings.config_file):
        if section == "default":
            names["default"] = None
        elif section.startswith("profile "):
            name = section[len("profile ") :].strip()
            if name:
                names[name] = None
    for section in _sections(settings.credentials_file):
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


# -- click completers ----------------------------------------------------------------------------


def _settings(ctx: click.Context) -> Settings:
    """The line's settings; the environment's when no option was parsed (a TAB never fails)."""
    found = ctx.find_object(Settings)
    if found is not None:
        return found
    try:
        return Settings.from_environ()
    except SettingError:
        return Settings()


def complete_profiles(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    try:
        return [CompletionItem(p) for p in profiles(_settings(ctx)) if p.startswith(incomplete)]
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
