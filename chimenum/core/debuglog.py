"""``--debug``: botocore's request/response log on stderr, with every secret redacted.

botocore logs at DEBUG the headers it sends (``Authorization`` with its ``Signature``,
``X-Amz-Security-Token``), the canonical request (which carries the session token) and the
signature, and the bodies of the credential calls it makes itself (SSO ``GetRoleCredentials``
answers hold a secret key and a session token). The log goes through :class:`RedactingFormatter`,
which rewrites the *formatted* line, so a secret is caught whatever logged it and however:

- every credential value chimenum resolved (secret key, session token), raw or percent-encoded;
- ``Signature=...``, ``X-Amz-Signature=...`` and the hex digest botocore logs after
  ``Signature:``;
- the value of any header, field or parameter named like a secret (``X-Amz-Security-Token``,
  ``x-amz-sso_bearer_token``, ``SecretAccessKey``, ``SessionToken``, ``accessToken``,
  ``refreshToken``, ``clientSecret``, ``aws_secret_access_key``...).

The access key id stays visible: it is not a secret (AWS prints it in errors and CloudTrail),
and it tells which credentials were used. Control characters in a log line are shown as escapes
(:func:`~chimenum.core.safe.visible`); backslashes are left alone so that the ``repr`` of
the bodies botocore logs stays readable.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

from chimenum.core.safe import visible

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
)

_lock = threading.Lock()
_secrets: set[str] = set()
_handler: logging.Handler | None = None


def add_secrets(values: Iterable[str | None]) -> None:
    """Redact these exact values (and their percent-encoded forms) from now on."""
    with _lock:
        for value in values:
            if value and len(value) >= 4:
                _secrets.add(value)
                _secrets.add(quote(value, safe=""))


def redact(text: str) -> str:
    """``text`` with every secret chimenum knows of, or can recognise, replaced."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return visible(redact(super().format(record)))


def install(stream: TextIO, logger_name: str = "botocore") -> None:
    """Log ``logger_name`` at DEBUG to ``stream`` through the redacting formatter."""
    global _handler
    uninstall()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    _handler = handler


def uninstall(logger_name: str = "botocore") -> None:
    """Undo :func:`install` (in-process runs, such as tests, must not keep logging)."""
    global _handler
    if _handler is not None:
        logger = logging.getLogger(logger_name)
        logger.removeHandler(_handler)
        logger.setLevel(logging.NOTSET)
        _handler = None
    with _lock:
        _secrets.clear()
