"""What is wrong with a number and the path calls to it take: findings with stable codes.

:mod:`.codes` is the table of every code with its severity per command (``describe``, ``audit``),
what raises it and the AWS behaviour it rests on (``docs/describe.md`` is generated from it);
:mod:`.number` holds the rules about the number and its order, :mod:`.rules` those about the
resources it leads to. Severities:

- ``error``: calls to the number cannot reach a working target;
- ``warning``: degraded, pending, or not known (a resource that may not be read, or could not be);
- ``info``: worth knowing, nothing broken.
"""

from chimenum.core.findings.codes import (
    AUDIT,
    CODES,
    COMMANDS,
    DESCRIBE,
    ERROR,
    INFO,
    SEVERITIES,
    WARNING,
    Code,
    rank,
    severity,
)
from chimenum.core.findings.number import Message, age, e164
from chimenum.core.findings.rules import (
    STALE_PING_AFTER,
    Finding,
    at_least,
    at_or_above,
    evaluate,
)

__all__ = [
    "AUDIT",
    "CODES",
    "COMMANDS",
    "DESCRIBE",
    "ERROR",
    "INFO",
    "SEVERITIES",
    "STALE_PING_AFTER",
    "WARNING",
    "Code",
    "Finding",
    "Message",
    "age",
    "at_least",
    "at_or_above",
    "e164",
    "evaluate",
    "rank",
    "severity",
]
