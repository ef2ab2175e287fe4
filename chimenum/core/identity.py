"""Who a run's credentials are: STS ``GetCallerIdentity`` and ``AssumeRole``, for the estate.

Both are asked once per profile (or per account assumed into), through the run's own STS client
(:meth:`chimenum.core.run.Run.sts`), within the same deadline as credential resolution
(``CHIMENUM_CREDENTIALS_TIMEOUT``): STS is where credentials come from, and a run must not hang
on it. A failure is a :class:`~chimenum.core.errors.ChimenumError` carrying its classified
:class:`~chimenum.core.errors.Failure` (AccessDenied: 6; unreachable: 11; no credentials: 10).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from chimenum.core.errors import CONFIG_ERROR, ChimenumError, ExitCode, Failure, classify
from chimenum.core.pool import Deadline, DeadlinePassed, call_by

if TYPE_CHECKING:
    from chimenum.core.run import Run

R = TypeVar("R")

#: An AWS account id: twelve digits.
ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)


def _asked(run: Run, what: str, call: Callable[[], R]) -> R:
    timeout = run.settings.credentials_timeout
    try:
        return call_by(call, Deadline.after(timeout))
    except DeadlinePassed:
        raise ChimenumError(
            Failure(
                CONFIG_ERROR,
                f"STS {what} did not answer within {timeout:g}s (see CHIMENUM_CREDENTIALS_TIMEOUT)",
                ExitCode.CONFIG,
            )
        ) from None
    except ChimenumError:
        raise
    except Exception as exc:
        failure = classify(exc)
        raise ChimenumError(
            Failure(failure.code, f"STS {what}: {failure.message}", failure.exit_code)
        ) from exc


def caller_account(run: Run) -> str:
    """The AWS account id the run's credentials belong to (``GetCallerIdentity``)."""

    def ask() -> str:
        sts: Any = run.sts()
        answer: dict[str, Any] = sts.get_caller_identity()
        return str(answer.get("Account") or "")

    account = _asked(run, "GetCallerIdentity", ask)
    if not ACCOUNT_ID.fullmatch(account):
        raise ChimenumError(
            Failure(
                "MalformedResponse",
                "STS GetCallerIdentity answered without a 12-digit Account",
                ExitCode.SERVICE_FAILURE,
            )
        )
    return account


def assume_role(run: Run, role_arn: str, account: str) -> tuple[str, str, str]:
    """Credentials ``(key, secret, token)`` for ``role_arn`` with ``{account}`` filled in,
    assumed with the run's credentials under the session name ``chimenum-ACCOUNT``."""
    arn = role_arn.replace("{account}", account)

    def ask() -> tuple[str, str, str]:
        sts: Any = run.sts()
        answer = sts.assume_role(RoleArn=arn, RoleSessionName=f"chimenum-{account}")
        found = answer.get("Credentials") or {}
        return (
            str(found.get("AccessKeyId") or ""),
            str(found.get("SecretAccessKey") or ""),
            str(found.get("SessionToken") or ""),
        )

    credentials = _asked(run, f"AssumeRole into {account}", ask)
    if not all(credentials):
        raise ChimenumError(
            Failure(
                "MalformedResponse",
                f"STS AssumeRole into {account} answered without credentials",
                ExitCode.SERVICE_FAILURE,
            )
        )
    from chimenum.core import secrets

    secrets.add([credentials[1], credentials[2]], key_ids=[credentials[0]])
    return credentials


def _as_is(document: dict[str, Any]) -> dict[str, Any]:
    return document


def voice_regions(run: Run) -> list[str]:
    """The regions Chime SDK Voice lists for voice connectors
    (``ListAvailableVoiceConnectorRegions``), asked under the run's request policy."""
    from chimenum.core.resources import usable_regions

    client: Any = run.client("voice")
    policy = run.policy(client)
    outcome = policy.run(lambda: client.list_available_voice_connector_regions(), _as_is)
    if outcome.document is None:
        assert outcome.failure is not None
        failure = outcome.failure
        raise ChimenumError(
            Failure(
                failure.code,
                f"ListAvailableVoiceConnectorRegions: {failure.message}",
                failure.exit_code,
            )
        )
    regions, _ = usable_regions(list(outcome.document.get("VoiceConnectorRegions") or []))
    return regions
