"""Timestamps as chimenum writes them: the one module that formats a ``datetime``.

Two forms, one for machines and one for people, both here so neither is written twice:
:func:`iso_time` (JSON, ndjson, text, CSV: ISO 8601 with its offset, as the AWS CLI prints
it) and :func:`human_time` (the tables, the describe tree, the audit summary, findings: the
run's zone or UTC with ``--utc``, guarded at the edges of the calendar). A finding's message
keeps its times as data (:class:`~chimenum.core.findings.Message`) until :func:`message_text`.
"""

from __future__ import annotations

import datetime as dt

from chimenum.core.findings import Message
from chimenum.core.safe import inert


def iso_time(value: dt.datetime) -> str:
    """THE machine timestamp: ISO 8601 with its offset, as botocore parsed it."""
    return value.isoformat()


def human_time(value: dt.datetime, *, utc: bool, date_only: bool = False) -> str:
    """THE human timestamp: in the run's zone (UTC with ``--utc``), to the second, with its
    zone's name."""
    try:
        when = value.astimezone(dt.timezone.utc) if utc else value.astimezone()
    except (OverflowError, ValueError, OSError):
        # A date at the edge of the calendar (0001-01-01T00:00Z from a broken backend)
        # cannot move to another zone: show it in the zone it came in.
        when = value
    # %Y is not zero-padded everywhere (glibc writes year 1 as "1"): the year is padded here.
    rest = when.strftime("-%m-%d" if date_only else "-%m-%d %H:%M:%S %Z")
    return inert(f"{when.year:04d}{rest}")


def message_text(value: object, *, utc: bool = True) -> str:
    """A finding's message as text, its timestamps by :func:`human_time`: in the run's zone for
    people (``utc`` is ``--utc``), in UTC in JSON, ndjson, text and CSV, so a document reads
    the same on every machine."""
    if isinstance(value, Message):
        return value.shown(lambda when: human_time(when, utc=utc))
    return "" if value is None else str(value)
