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
  ``refreshToken``, ``clientSecret``, ``aws_secret_access_key``...);
- the value in "Invalid header value b'...'" and the password of a URL.

The patterns and the run's secrets live in :mod:`chimenum.core.secrets`, shared with the
ordinary error lines.

The access key id stays visible: it is not a secret (AWS prints it in errors and CloudTrail),
and it tells which credentials were used. Control characters in a log line are shown as escapes
(:func:`~chimenum.core.safe.visible`); backslashes are left alone so that the ``repr`` of
the bodies botocore logs stays readable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

from chimenum.core import secrets
from chimenum.core.safe import visible
from chimenum.core.secrets import REDACTED, redact

__all__ = ["REDACTED", "RedactingFormatter", "add_secrets", "install", "redact", "uninstall"]

_handler: logging.Handler | None = None


def add_secrets(values: Iterable[str | None]) -> None:
    """Redact these exact values (and their percent-encoded forms) from now on."""
    secrets.add(values)


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
    secrets.forget()
