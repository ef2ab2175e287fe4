"""Muted findings (``--mutelist``) and an earlier audit to compare with (``--baseline``).

A mutelist is a YAML or JSON file of rules, each matching findings on some of :data:`MATCH_KEYS`
(every key given must match), with a required ``Reason``. A muted finding is still reported,
marked ``Muted`` with its ``MuteReason``, and never counts for ``--fail-on``. A rule past its
``Expires`` date mutes nothing and is reported as a ``MUTE_EXPIRED`` finding; a rule that
matched nothing is listed in the audit's summary. docs/mutelist.md is the user's side of this.

A finding's identity across runs is its number, code and resource id (and, when the finding
carries them, its AWS account and region): what ``--baseline`` compares.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from chimenum.core.findings import CODES, DESCRIBE, ERROR, Finding, severity

#: What a rule matches on; ``Number`` is a glob (``*``, ``?``, ``[...]``), the others equal.
MATCH_KEYS = ("Code", "Number", "ResourceId", "Profile", "AwsAccountId", "Region")
RULE_KEYS = (*MATCH_KEYS, "Reason", "Owner", "Expires")
#: The finding's field each match key is compared with.
_FIELDS = {"Number": "PhoneNumberId"}
EXPIRED = "MUTE_EXPIRED"
#: A mutelist is small: a bigger file is refused rather than read.
MAX_MUTELIST_BYTES = 1 << 20
#: An ``audit --json`` keeps at most 10,000 findings: a few megabytes.
MAX_BASELINE_BYTES = 64 << 20


class MutelistError(ValueError):
    """A mutelist or baseline chimenum refuses (exit 2); the message names the line."""


@dataclass(frozen=True)
class Rule:
    position: int
    line: int | None
    match: dict[str, str]
    reason: str
    owner: str | None = None
    expires: date | None = None

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line else f"rule {self.position}"

    def matches(self, finding: Finding, context: Mapping[str, str]) -> bool:
        for key, wanted in self.match.items():
            value = finding.get(_FIELDS.get(key, key)) or context.get(key)
            if not isinstance(value, str):
                return False
            if not (fnmatchcase(value, wanted) if key == "Number" else value == wanted):
                return False
        return True

    def shown(self) -> dict[str, Any]:
        """The rule as the summary lists it."""
        extra = {"Owner": self.owner, "Expires": self.expires and str(self.expires)}
        return {
            "Line": self.line,
            **self.match,
            "Reason": self.reason,
            **{k: v for k, v in extra.items() if v},
        }


def could_mute_error(match: Mapping[str, str]) -> bool:
    """A rule with no ``Code``, or one whose code is an error for describe or audit."""
    code = match.get("Code")
    return code is None or ERROR in (CODES[code].describe, CODES[code].audit)


def _decode(text: str) -> tuple[Any, dict[int, int]]:
    """The document, and the line of each mapping in it (by ``id``)."""
    lines: dict[int, int] = {}
    if text.lstrip()[:1] in ("[", "{"):
        return _decode_json(text, lines), lines
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Loader, node: yaml.MappingNode) -> Iterator[dict[Any, Any]]:
        data: dict[Any, Any] = {}
        lines[id(data)] = node.start_mark.line + 1
        yield data
        data.update(loader.construct_mapping(node))

    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    try:
        return yaml.load(text, Loader=Loader), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise MutelistError(f"{where}not YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise MutelistError(f"not YAML: {exc}") from None


def _decode_json(text: str, lines: dict[int, int]) -> Any:
    from json import decoder, scanner

    parser = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        # The pure-Python scanner calls this for every object: where it starts is its line.
        found, end = decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
        lines[id(found)] = s_and_end[0].count("\n", 0, s_and_end[1]) + 1
        return found, end

    parser.parse_object = parse_object  # type: ignore[attr-defined]
    parser.scan_once = scanner.py_make_scanner(parser)  # type: ignore[attr-defined]
    try:
        return parser.decode(text)
    except json.JSONDecodeError as exc:
        raise MutelistError(f"line {exc.lineno}: not JSON: {exc.msg}") from None


def _date(value: object, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise MutelistError(f"{where}: Expires {value!r} is not a date (YYYY-MM-DD)") from None


def _rule(position: int, item: object, line: int | None) -> Rule:
    where = f"line {line}" if line else f"rule {position}"
    if not isinstance(item, dict):
        raise MutelistError(f"{where}: a rule is a mapping of {', '.join(RULE_KEYS)}")
    unknown = [str(key) for key in item if key not in RULE_KEYS]
    if unknown:
        raise MutelistError(
            f"{where}: unknown key {unknown[0]!r} (a rule has {', '.join(RULE_KEYS)})"
        )
    match: dict[str, str] = {}
    for key in MATCH_KEYS:
        if key in item:
            value = item[key]
            if not isinstance(value, str) or not value:
                # YAML reads +12065550100 and 012345678901 as numbers, losing the + or the 0.
                raise MutelistError(f"{where}: {key} must be a non-empty string (quote it)")
            match[key] = value
    if not match:
        raise MutelistError(f"{where}: a rule matches on at least one of {', '.join(MATCH_KEYS)}")
    if "Code" in match and match["Code"] not in CODES:
        raise MutelistError(f"{where}: {match['Code']!r} is not a finding code (docs/describe.md)")
    reason = item.get("Reason")
    if not isinstance(reason, str) or not reason.strip():
        raise MutelistError(f"{where}: Reason is required (why the finding is accepted)")
    owner = item.get("Owner")
    if owner is not None and not isinstance(owner, str):
        raise MutelistError(f"{where}: Owner must be a string")
    expires = _date(item["Expires"], where) if item.get("Expires") is not None else None
    if expires is None and could_mute_error(match):
        raise MutelistError(
            f"{where}: Expires is required for a rule that could mute an error"
            " (no Code, or an error's Code)"
        )
    return Rule(position, line, match, reason.strip(), owner, expires)


def parse(text: str) -> list[Rule]:
    """The rules of a mutelist: a list of rules, or ``{"Mutes": [...]}``; raises
    :class:`MutelistError` naming the line."""
    data, lines = _decode(text)
    if isinstance(data, dict) and set(data) == {"Mutes"}:
        data = data["Mutes"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise MutelistError('line 1: a mutelist is a list of rules, or {"Mutes": [rules]}')
    return [_rule(n, item, lines.get(id(item))) for n, item in enumerate(data, 1)]


def read_text(path: str, what: str, limit: int = MAX_MUTELIST_BYTES) -> str:
    """A file's text, at most ``limit`` bytes, or :class:`MutelistError`."""
    try:
        with Path(path).open("rb") as file:
            raw = file.read(limit + 1)
    except OSError as exc:
        raise MutelistError(f"cannot read it: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise MutelistError(f"a {what} is at most {limit} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise MutelistError(f"line {line}: not UTF-8") from None


@dataclass(frozen=True)
class Mutelist:
    """A mutelist file as read, before a run judges it (``--mutelist``)."""

    source: str
    rules: list[Rule]

    @classmethod
    def read(cls, path: str) -> Mutelist:
        return cls(path, parse(read_text(path, "mutelist")))

    def for_run(self, today: date, context: dict[str, str]) -> Mutes:
        return Mutes(self.rules, today, self.source, context)


@dataclass
class Mutes:
    """The rules of a run, judged against ``today``; ``context`` holds the ``Profile`` and
    ``Region`` of a one-pair run, which count as every finding's that does not carry its own."""

    rules: list[Rule]
    today: date
    source: str
    context: dict[str, str] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)
    muted: int = 0

    @property
    def active(self) -> list[Rule]:
        return [r for r in self.rules if r.expires is None or r.expires >= self.today]

    @property
    def expired(self) -> list[Rule]:
        return [r for r in self.rules if r.expires is not None and r.expires < self.today]

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """Each finding, marked ``Muted`` with the first active rule that matches it."""
        active = self.active
        out = []
        for finding in findings:
            rule = next((r for r in active if r.matches(finding, self.context)), None)
            if rule is None:
                out.append(finding)
                continue
            self.used.add(rule.position)
            self.muted += 1
            owner = {"MuteOwner": rule.owner} if rule.owner else {}
            out.append({**finding, "Muted": True, "MuteReason": rule.reason, **owner})
        return out

    def expired_findings(self, command: str = DESCRIBE) -> list[Finding]:
        from chimenum.core.findings import Message

        return [
            {
                "PhoneNumberId": None,
                "Severity": severity(EXPIRED, command),
                "Code": EXPIRED,
                "ResourceKind": "MuteRule",
                "ResourceId": f"{self.source}:{rule.where.removeprefix('line ')}",
                "Message": Message(
                    (
                        f"the mute rule at {rule.where} of {self.source} expired on"
                        f" {rule.expires} and mutes nothing: {rule.reason}",
                    )
                ),
            }
            for rule in self.expired
        ]

    def summary(self) -> dict[str, Any]:
        return {
            "Rules": len(self.rules),
            "Muted": self.muted,
            "Expired": len(self.expired),
            "MatchedNothing": [
                rule.shown() for rule in self.active if rule.position not in self.used
            ],
        }


def counting(findings: Iterable[Finding]) -> list[Finding]:
    """The findings ``--fail-on`` counts: not muted, and not in the baseline."""
    return [f for f in findings if not f.get("Muted") and f.get("New", True)]


def identity(finding: Mapping[str, Any]) -> tuple[str, ...]:
    """What makes a finding the same one in another run."""
    keys = ("PhoneNumberId", "Code", "ResourceId", "AwsAccountId", "Region")
    return tuple(str(finding.get(key) or "") for key in keys)


class Baseline:
    """An earlier ``audit --json``: which findings are new, unchanged and resolved."""

    def __init__(self, document: object) -> None:
        if not (
            isinstance(document, dict)
            and isinstance(document.get("Summary"), dict)
            and "Numbers" in document["Summary"]
            and isinstance(document.get("Findings"), list)
            and all(isinstance(f, dict) and "Code" in f for f in document["Findings"])
        ):
            raise MutelistError("not an audit document (the JSON of an earlier `audit --json`)")
        self.known = {identity(f) for f in document["Findings"]}
        self.seen: set[tuple[str, ...]] = set()
        self.new = self.unchanged = 0
        by_severity = document["Summary"].get("FindingsBySeverity") or {}
        total = sum(n for n in by_severity.values() if isinstance(n, int))
        #: Findings the earlier run counted but its document does not list (``--severity``,
        #: the 10,000 kept): they cannot be told from new ones.
        self.unlisted = max(0, total - len(document["Findings"]))

    @classmethod
    def read(cls, path: str) -> Baseline:
        text = read_text(path, "baseline", MAX_BASELINE_BYTES)
        try:
            return cls(json.loads(text))
        except json.JSONDecodeError as exc:
            raise MutelistError(f"line {exc.lineno}: not JSON: {exc.msg}") from None

    def mark(self, findings: Iterable[Finding]) -> list[Finding]:
        out = []
        for finding in findings:
            key = identity(finding)
            new = key not in self.known
            if new:
                self.new += 1
            else:
                self.unchanged += 1
                self.seen.add(key)
            out.append({**finding, "New": new})
        return out

    def summary(self) -> dict[str, int]:
        resolved = len(self.known - self.seen)
        return {"New": self.new, "Unchanged": self.unchanged, "Resolved": resolved}
