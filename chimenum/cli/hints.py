"""The one extra request that turns "not found" into "it is under the other API".

Amazon Chime ended support on 2026-02-20 and its numbers live on in Chime SDK Voice; a number
asked for under the wrong API answers NotFound, which sends people looking for a number that
exists. When a run asked for exactly one id and it was not found, :func:`other_api_hint` asks
the other API once (one attempt, the run's timeouts) and says what it answered. It never sends
that request to an endpoint nobody configured: when the run's own endpoint is a configured one
(``--endpoint-url``, ``AWS_ENDPOINT_URL_*``, a profile, the demo) the other API's must be
configured too, so a test or proxy set-up never leaks a request to AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from chimenum.cli import context
from chimenum.core.apis import Api
from chimenum.core.errors import ExitCode

if TYPE_CHECKING:
    from botocore.client import BaseClient

_NAMES: dict[str, str] = {"chime": "Amazon Chime", "voice": "Chime SDK Voice"}
_HINT_ASKED = "chimenum.other-api-asked"


def other_api_hint(
    ctx: click.Context, own_client: BaseClient, phone_number_id: str, code: ExitCode
) -> str:
    """``""``, or ``"it exists under Chime SDK Voice: use --api voice"`` and the like, for the
    error line of a single id that ``own_client`` answered ``code`` for. Asks at most once per
    run, and only after a NotFound."""
    if code is not ExitCode.NOT_FOUND or ctx.meta.get(_HINT_ASKED):
        return ""
    ctx.meta[_HINT_ASKED] = True
    run = context.run_of(ctx)
    other: Api = "voice" if run.settings.api == "chime" else "chime"
    from chimenum.core.fetch import Fetcher

    try:
        other_client = run.client(other)
    except Exception:  # the other API cannot even be configured here: nothing to ask
        return ""
    if run.endpoint_configured(own_client) and not run.endpoint_configured(other_client):
        return ""
    answer = Fetcher(other_client, run.policy(other_client, max_attempts=1)).get(phone_number_id)
    if answer.document is not None:
        return f"it exists under {_NAMES[other]}: use --api {other}"
    if answer.failure is not None and answer.failure.exit_code is ExitCode.NOT_FOUND:
        return f"not under {_NAMES[other]} either"
    return ""
