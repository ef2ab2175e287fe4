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
  ``HTTPS_PROXY``), wherever such a URL is quoted.

The registry is per process and emptied by :func:`forget` when a run ends (the error boundary).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "<redacted>"

_SECRET_NAMES = (
    r"x-amz-security-token|x-amz-sso_bearer_token|x-amz-signature|"
    r"secret_?access_?key|session_?token|access_?token|refresh_?token|client_?secret|"
    r"aws_secret_access_key|aws_session_token|password"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
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
