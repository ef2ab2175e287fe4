"""Region names: their shape, the regions botocore knows, and a typo named as one.

A region that is not region-shaped (``us west 2``, ``us-west-2,``) is refused before anything
else. A region-shaped one is accepted when botocore lists Chime SDK Voice in it. One it does not
list may be new, or in a partition botocore's data has not caught up with: it is used as given
when the host name of its Chime SDK Voice endpoint resolves, and refused as an unknown region,
with the nearest known name, only when that name does not exist. Nothing is looked up when an
endpoint is configured (``--endpoint-url``, ``AWS_ENDPOINT_URL*``, a profile's), and a sandbox
(the demo) has no DNS: its own regions are the list.

With ``--api chime`` every call goes to the global endpoint in us-east-1; the region names where
the Chime SDK Voice resources a Chime number points at (voice connectors) are looked for. There
any region botocore knows is accepted; an unknown one is checked as above.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Collection
from typing import Any

from chimenum.core.errors import ChimenumError, ExitCode, Failure
from chimenum.core.settings import Settings

#: ``us-east-1``, ``us-gov-west-1``, ``eusc-de-east-1``: a partition's prefix, words, a number.
REGION_SHAPE = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,3}")

#: Whether a host name resolves: True, False (the name does not exist), or None (could not tell:
#: no DNS server answered). A test hands the run object its own.
Resolver = Callable[[str], "bool | None"]

INVALID_REGION = "InvalidRegion"


def shape_problem(name: str) -> str | None:
    """Why ``name`` cannot be a region name (None: it can)."""
    if REGION_SHAPE.fullmatch(name):
        return None
    return f"{name!r} is not a region name (such as us-west-2)"


def host_resolves(host: str, timeout: float = 5.0) -> bool | None:
    """Whether ``host`` has an address, asking the system's resolver within ``timeout``.

    Names under ``.invalid`` never exist and names under ``localhost`` are the machine itself
    (RFC 6761): they are answered without a lookup.
    """
    from chimenum.core.pool import Deadline, DeadlinePassed, call_by

    name = host.rstrip(".").lower()
    if name == "invalid" or name.endswith(".invalid"):
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    missing = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
    try:
        call_by(
            lambda: socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM), Deadline.after(timeout)
        )
    except socket.gaierror as exc:
        return False if exc.errno in missing else None
    except (OSError, DeadlinePassed):
        return None
    return True


def voice_regions(session: Any) -> list[str]:
    """The regions botocore lists Chime SDK Voice in, in every partition."""
    found: set[str] = set()
    for partition in session.get_available_partitions():
        found.update(session.get_available_regions("chime-sdk-voice", partition))
    return sorted(found)


def known_regions(session: Any) -> list[str]:
    """Every region of every partition in botocore's data."""
    data = session.get_component("data_loader").load_data("endpoints")
    return sorted({name for part in data.get("partitions", []) for name in part.get("regions", {})})


def voice_host(session: Any, region: str) -> str:
    """The host name of AWS's own Chime SDK Voice endpoint in ``region``, as botocore builds it
    (FIPS and dual-stack settings included); no credentials are looked at."""
    from urllib.parse import urlsplit

    from botocore.config import Config

    ignore: dict[str, Any] = {"ignore_configured_endpoint_urls": True}
    probe = session.create_client(
        "chime-sdk-voice",
        region_name=region,
        aws_access_key_id="probe",
        aws_secret_access_key="probe",
        config=Config(**ignore),
    )
    return urlsplit(probe.meta.endpoint_url).hostname or ""


def source_of(settings: Settings, region: str) -> str:
    """Where the region came from, for the message."""
    if settings.region == region:
        return "--region"
    if settings.environ_region == region:
        return "AWS_REGION"
    return "the profile's region"


def check(
    session: Any,
    settings: Settings,
    region: str,
    *,
    sandbox_regions: Collection[str] | None = None,
    configured: bool = False,
    resolve: Resolver = host_resolves,
) -> None:
    """Refuse (exit 2) a region that cannot be one, before any request.

    ``sandbox_regions``: a sandbox's own list (no DNS then). ``configured``: an endpoint is
    configured, so only the shape is checked.
    """
    problem = shape_problem(region)
    if problem:
        raise _usage(f"{source_of(settings, region)}: {problem}")
    if configured and sandbox_regions is None:
        return
    listed = list(sandbox_regions) if sandbox_regions is not None else voice_regions(session)
    if region in listed:
        return
    known = known_regions(session)
    if settings.api == "chime" and region in known:
        return
    if sandbox_regions is None and resolve(voice_host(session, region)) is not False:
        return  # a new region, or one no DNS server could tell about: the request will say
    if region in known:
        raise _usage(
            f"Chime SDK Voice is not offered in region {region!r}{_nearest(region, listed, listed)}"
        )
    candidates = listed if settings.api == "voice" else sorted({*listed, *known})
    raise _usage(f"unknown region {region!r}{_nearest(region, candidates, listed)}")


def _nearest(region: str, candidates: list[str], listed: list[str]) -> str:
    """The closest of ``candidates`` as a question, else the regions Chime SDK Voice is in."""
    import difflib

    close = difflib.get_close_matches(region, candidates, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]}?)"
    return f" (Chime SDK Voice is in {', '.join(listed)})" if listed else ""


def _usage(message: str) -> ChimenumError:
    return ChimenumError(Failure(INVALID_REGION, message, ExitCode.USAGE))
