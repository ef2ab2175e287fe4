"""The demo's STS: ``GetCallerIdentity`` and ``AssumeRole`` on a loopback port of their own.

The wire is botocore's ``sts`` model's: the query protocol, a form-encoded ``POST /`` naming its
``Action``, answered with XML (``<{Action}Response>`` holding ``<{Action}Result>`` and
``ResponseMetadata``), errors as an ``<ErrorResponse>`` with a ``Type``, ``Code`` and
``Message``. The caller is the account its access key selects
(:meth:`~chimenum.demo.server.DemoServer.account_for`); ``AssumeRole`` into an account the
server has issues fresh temporary credentials whose key selects that account from then on, and
is refused (``AccessDenied``) for any other account id, as a role that does not exist or does not
trust the caller is.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from chimenum.demo.resources import wire_time

if TYPE_CHECKING:
    from chimenum.demo.server import DemoServer

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"

#: STS's error codes, with the HTTP status it answers them with.
STS_ERRORS: dict[str, int] = {
    "AccessDenied": 403,
    "ExpiredToken": 403,
    "InvalidClientTokenId": 403,
    "MissingAuthenticationToken": 403,
    "ValidationError": 400,
    "InvalidAction": 400,
    "Throttling": 400,
    "ServiceUnavailable": 503,
    "InternalFailure": 500,
}

ROLE_ARN = re.compile(
    r"arn:aws:iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})"
)
#: The model's RoleSessionName: 2 to 64 of these characters.
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
#: How long temporary credentials last when AssumeRole names no DurationSeconds.
DEFAULT_DURATION = 3600


def _elements(values: dict[str, Any]) -> str:
    return "".join(
        f"<{name}>{_elements(value) if isinstance(value, dict) else escape(str(value))}</{name}>"
        for name, value in values.items()
    )


def xml_answer(action: str, result: dict[str, Any]) -> bytes:
    """An answer as the query protocol has it: the result wrapped, the request id after it."""
    return (
        f'<{action}Response xmlns="{NAMESPACE}"><{action}Result>{_elements(result)}'
        f"</{action}Result><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>"
        f"</ResponseMetadata></{action}Response>"
    ).encode()


def xml_error(code: str, message: str) -> tuple[int, bytes]:
    """``(status, body)`` of an STS error; the caller's fault (``Sender``) unless a 5xx."""
    status = STS_ERRORS[code]
    kind = "Receiver" if status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
        "</ErrorResponse>"
    )
    return status, body.encode()


def answer(server: DemoServer, form: dict[str, str], access_key: str | None) -> tuple[int, bytes]:
    """``(status, XML body)`` of one STS request, ``form`` its decoded parameters."""
    if access_key is None:
        return xml_error("MissingAuthenticationToken", "Request is missing Authentication Token")
    caller = server.account_for(access_key)
    if caller is None:
        return xml_error(
            "InvalidClientTokenId", "The security token included in the request is invalid."
        )
    with server.lock:
        arn, user_id = server.sessions.get(access_key) or (caller.arn, caller.user_id)
    action = form.get("Action", "")
    if action == "GetCallerIdentity":
        identity = {"UserId": user_id, "Account": caller.account_id, "Arn": arn}
        return 200, xml_answer(action, identity)
    if action != "AssumeRole":
        return xml_error("InvalidAction", f"Could not find operation {action} for version")
    role_arn, session = form.get("RoleArn", ""), form.get("RoleSessionName", "")
    role = ROLE_ARN.fullmatch(role_arn)
    if role is None or not SESSION_NAME.fullmatch(session):
        return xml_error("ValidationError", "RoleArn or RoleSessionName is not valid.")
    target = server.account_by_id(role["account"])
    if target is None:
        message = (
            f"User: {arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )
        return xml_error("AccessDenied", message)
    try:
        duration = int(form.get("DurationSeconds") or DEFAULT_DURATION)
    except ValueError:
        return xml_error("ValidationError", "DurationSeconds is not a number.")
    key = "ASIA" + secrets.token_hex(8).upper()
    role_id = f"AROA{role['account']}{role['name'].upper()[:5]:X<5}:{session}"
    session_arn = f"arn:aws:sts::{role['account']}:assumed-role/{role['name']}/{session}"
    secret, token = secrets.token_urlsafe(30), secrets.token_urlsafe(96)
    with server.lock:
        server.accounts[key] = target
        server.sessions[key] = (session_arn, role_id)
        server.issued[key] = (secret, token)
    expires = datetime.now(timezone.utc) + timedelta(seconds=duration)
    result = {
        "Credentials": {
            "AccessKeyId": key,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": wire_time(expires),
        },
        "AssumedRoleUser": {"AssumedRoleId": role_id, "Arn": session_arn},
    }
    return 200, xml_answer(action, result)
