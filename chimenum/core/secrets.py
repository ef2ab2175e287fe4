"""The run's secrets, and the one scrub that keeps them out of everything chimenum prints.

A run learns its credentials when it resolves them
(:func:`chimenum.core.session.resolve_credentials`) and the session token of every request it
signs (a refreshed one included). Text that can carry a
secret goes through :func:`scrub` in exactly two places, both fed raw text:

- :func:`chimenum.core.errors.classify`, where every exception becomes a :class:`Failure`: so a
  service's error message that echoes the run's credentials is clean wherever the failure goes
  (the ``error:`` line, the ``{Code, Message}`` of a JSON document, a finding);
- :meth:`chimenum.output.env.Environment.error`, the one sink of stderr lines, as the last net
  (and the ``--debug`` log through :mod:`chimenum.core.debuglog`).

What is replaced, by :data:`REDACTED`:

- the secret access key and the session token, raw or percent-encoded;
- the access key id too, in :func:`scrub` (a server echoing it back is no answer to show) but not
  in :func:`redact`, the ``--debug`` log's, where it tells which credentials signed;
- a signature (``Signature=...``, the hex botocore logs after ``Signature:``), the value of any
  header, field or parameter named like a secret (``X-Amz-Security-Token``, ``SessionToken``,
  ``password``...), the value in botocore's "Invalid header value b'...'";
- the password of a URL (``http://user:PASS@host``: ``--endpoint-url``, ``AWS_ENDPOINT_URL*``,
  ``HTTPS_PROXY``), wherever such a URL is quoted;
- the content of any XML element and the value of any JSON key named like a credential
  (``<SecretAccessKey>``, ``<SessionToken>``, ``"accessToken"``, ``"apiKey"``; a pagination
  token is none): the bodies botocore logs at DEBUG, STS ``AssumeRole``'s and SSO's included.
  The STS client also learns the credentials it is answered with before the answer is parsed
  (:func:`watch_sts`), so they are scrubbed as values wherever they are quoted later.

The registry is per process and emptied by :func:`forget` when a run ends (the error boundary).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

REDACTED = "<redacted>"

_SECRET_NAMES = (
    r"x-amz-security-token|x-amz-sso_bearer_token|x-amz-signature|"
    r"secret_?access_?key|session_?token|access_?token|refresh_?token|client_?secret|"
    r"aws_secret_access_key|aws_session_token|password"
)
#: Names of an answer's XML elements and JSON keys whose value is a credential: anything named
#: like a secret, a password, a private or API key, or a token other than a pagination one.
_CREDENTIAL_FIELD = (
    r"(?![\w.-]*(?:next|starting|continuation|pagination)_?token\b)"
    r"[\w.-]*(?:secret|password|token|private_?key|signing_?key|api_?key)[\w.-]*"
)
#: ``<SecretAccessKey>...</SecretAccessKey>`` (an STS or IMDS answer), namespaced or not.
_XML_CREDENTIAL = re.compile(rf"(?i)(<(?:[\w.-]+:)?{_CREDENTIAL_FIELD}(?:\s[^<>]*)?>)([^<]+)")
#: ``"sessionToken": "..."`` (a JSON answer, or the repr of a parsed one).
_JSON_CREDENTIAL = re.compile(
    rf"""(?i)((["']){_CREDENTIAL_FIELD}\2\s*:\s*b?(["']))(.*?)(?<!\\)\3"""
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_XML_CREDENTIAL, rf"\g<1>{REDACTED}"),
    (_JSON_CREDENTIAL, rf"\g<1>{REDACTED}\g<3>"),
    # 'X-Amz-Security-Token': b'...', "sessionToken": "...", x-amz-security-token:..., a=b&...
    (
        re.compile(rf"""(?i)(["']?\b(?:{_SECRET_NAMES})\b["']?\s*[:=]\s*b?["']?)[^"'\s,;&}}\]]+"""),
        rf"\g<1>{REDACTED}",
    ),
    # Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=<hex>
    (re.compile(r"(?i)\b(Signature=)[0-9a-f]+"), rf"\g<1>{REDACTED}"),
    # botocore.auth logs "Signature:\n<hex>"
    (re.compile(r"(?i)(\bSignature:\s*)[0-9a-f]{16,}"), rf"\g<1>{REDACTED}"),
    # http.client refusing a header (a credential with a stray CR): the value is a credential.
    (re.compile(r"(Invalid header (?:value|name) )(b?(['\"]).*?\3|\S+)"), rf"\g<1>{REDACTED}"),
    # scheme://user:password@host: the user stays, the password goes.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]*@"), rf"\g<1>{REDACTED}@"),
)

_lock = threading.Lock()
_secrets: set[str] = set()
_key_ids: set[str] = set()


def _forms(value: str) -> set[str]:
    return {value, quote(value, safe="")}


def add(values: Iterable[str | None], *, key_ids: Iterable[str | None] = ()) -> None:
    """Scrub these secret values (and their percent-encoded forms) from now on; ``key_ids``
    (access key ids) from service messages only."""
    with _lock:
        for value in values:
            if value and len(value) >= 4:
                _secrets.update(_forms(value))
        for key_id in key_ids:
            if key_id and len(key_id) >= 4:
                _key_ids.update(_forms(key_id))


def forget() -> None:
    """The run is over: its secrets are nobody's business any more."""
    with _lock:
        _secrets.clear()
        _key_ids.clear()


def _replace(text: str, values: Iterable[str]) -> str:
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(text: str) -> str:
    """``text`` with every secret value and pattern replaced; access key ids are kept."""
    with _lock:
        values = set(_secrets)
    return _replace(text, values)


def scrub(text: str) -> str:
    """``text`` (a service's message, a line for stderr) with the run's credentials, access key
    id included, and every secret pattern replaced."""
    with _lock:
        values = _secrets | _key_ids
    return _replace(text, values)


def learn_token(request: object, **_: object) -> None:
    """botocore ``before-send`` handler: the token a request is signed with is a secret, even
    one refreshed after the run resolved its credentials."""
    headers = getattr(request, "headers", None)
    token = headers.get("X-Amz-Security-Token") if headers is not None else None
    if token:
        add([token.decode("latin-1") if isinstance(token, bytes) else str(token)])


#: Shorter values in a credential field are flags or lengths, not keys (an STS secret key is 40
#: characters, a session token hundreds): scrubbing "true" everywhere would hide the answers.
_LEARNT_LENGTH = 16


def learn_answer(response_dict: dict[str, object], **_: object) -> None:
    """botocore ``before-parse`` handler for the STS client: the credentials an answer carries
    (``AssumeRole``'s) are secrets from before its parser logs the body at DEBUG, wherever
    else they are quoted later."""
    body = response_dict.get("body")
    if not isinstance(body, bytes | str) or not body:
        return
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    found = [m[2] for m in _XML_CREDENTIAL.finditer(text)]
    found += [m[4] for m in _JSON_CREDENTIAL.finditer(text)]
    add(value for value in found if len(value) >= _LEARNT_LENGTH)


def watch_sts(client: Any) -> None:
    """Learn the secrets an STS client signs with and is answered with, before botocore sends
    the request and before it parses (and logs) the answer."""
    events = client.meta.events
    events.register_first("before-send", learn_token)
    events.register_first("before-parse", learn_answer)
