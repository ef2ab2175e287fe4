"""What changed between two snapshots chimenum wrote: numbers added, removed and changed, and
findings new and resolved.

A snapshot is a document ``list``, ``get`` or ``audit`` wrote with ``--json`` or ``-o ndjson``, read
a record at a time (:mod:`chimenum.core.documents`): no document is ever held whole. OLD becomes a
:class:`Snapshot`, a map from each number's key to a digest of the fields compared (and from each
finding's identity to its severity); NEW is then streamed against it (:class:`Diff`), so memory is
bounded by OLD's digests (and the keys of numbers only NEW has), whatever the size of the documents.

A number's key is ``(AwsAccountId, E.164)``: ``AwsAccountId`` is read from the number itself or
from the record carrying it (a several-account document's ``{"PhoneNumber", "AwsAccountId",
...}``), ``""`` when neither has one. A finding's identity is its account, number, ``Code`` and
``ResourceId``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

from chimenum.core.documents import BadDocument, Item, Reader, account_of, items
from chimenum.core.ids import decoded, e164_of

#: What a snapshot holds: phone numbers (``list``, ``get``) or findings (``audit``).
Kind = Literal["numbers", "audit"]

#: The fields of a number compared, in the order a change lists them.
COMPARED = ("Status", "ProductType", "Associations", "CallingName", "Name", "Capabilities")
#: Fields whose old value is kept (a few distinct values, each string shared): a change of one
#: of them says what it was; the others are kept as a digest only.
KEPT = ("Status", "ProductType")
DIGEST_SIZE = 8


def _canonical(name: str, value: Any) -> bytes:
    if name == "Associations" and isinstance(value, list):
        # When a number was associated is not a change of what it is associated with.
        value = sorted(
            (str(a.get("Name")), str(a.get("Value"))) if isinstance(a, dict) else ("", str(a))
            for a in value
        )
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":")).encode()


def digest(number: dict[str, Any]) -> bytes:
    """One digest per compared field, end to end."""
    return b"".join(
        hashlib.blake2b(_canonical(name, number.get(name)), digest_size=DIGEST_SIZE).digest()
        for name in COMPARED
    )


def _kept(value: Any) -> str | None:
    return sys.intern(value) if isinstance(value, str) else None


NumberKey = tuple[str, str]
FindingKey = tuple[str, str, str, str]
#: What OLD keeps of a number: the values of :data:`KEPT`, then its :func:`digest`.
Entry = tuple[str | None, str | None, bytes]
#: The entry of a number NEW had too (the map keeps its size; what is left is removed).
_SEEN: Entry = (None, None, b"")


def number_key(item: Item) -> NumberKey:
    return item.account, e164_of(item.record)


def finding_key(item: Item) -> FindingKey:
    record = item.record
    number = record.get("PhoneNumberId")
    return (
        item.account,
        decoded(number) if isinstance(number, str) else "",
        str(record.get("Code")),
        str(record.get("ResourceId") or ""),
    )


@dataclass
class Snapshot:
    """What a diff keeps of OLD."""

    name: str
    kind: Kind | None = None
    numbers: dict[NumberKey, Entry] = field(default_factory=dict)
    findings: dict[FindingKey, str | None] = field(default_factory=dict)
    #: Ids the document says failed, and whether it says it is not all there was.
    failed: int = 0
    incomplete: bool = False

    def take(self, item: Item, reader_name: str, *, keep: bool = True) -> None:
        """Note what ``item`` says of the document; keep a number or finding if ``keep``."""
        kind = _kind_of(item)
        if kind is not None:
            if self.kind is not None and kind != self.kind:
                raise BadDocument(
                    reader_name, item.line, f"{kind} records in a {self.kind} document"
                )
            self.kind = kind
        if not keep and item.kind in ("number", "finding"):
            return
        if item.kind == "number":
            number = item.record
            entry = (_kept(number.get("Status")), _kept(number.get("ProductType")), digest(number))
            self.numbers[number_key(item)] = entry
        elif item.kind == "finding":
            self.findings[finding_key(item)] = _kept(item.record.get("Severity"))
        elif item.kind == "failed":
            self.failed += item.record.get("Count", 1)
        elif item.kind == "incomplete":
            self.incomplete = True


def _kind_of(item: Item) -> Kind | None:
    if item.kind in ("number", "numbers"):
        return "numbers"
    if item.kind in ("finding", "audit"):
        return "audit"
    return None


def read(stream: TextIO, name: str) -> Snapshot:
    """OLD, as a diff keeps it; raises :class:`BadDocument`."""
    snapshot = Snapshot(name)
    for item in items(Reader(stream, name)):
        snapshot.take(item, name)
    if snapshot.kind is None:
        raise BadDocument(name, 1, "not a document chimenum wrote (no numbers, no findings)")
    return snapshot


def _where(key: tuple[str, ...]) -> dict[str, str]:
    return {"AwsAccountId": key[0]} if key[0] else {}


class Diff:
    """NEW streamed against OLD's :class:`Snapshot`: the changes, then the counts."""

    def __init__(self, old: Snapshot, new_name: str) -> None:
        self.old = old
        self.new = Snapshot(new_name, kind=old.kind)
        self.counts = dict.fromkeys(
            ("Added", "Removed", "Changed", "Unchanged", "FindingsNew", "FindingsResolved"), 0
        )
        self.counts["FindingsUnchanged"] = 0
        #: Keys only NEW has, so that one seen twice (in two regions' answers) counts once.
        self.added: set[tuple[str, ...]] = set()
        #: NEW ended early (a listing that stopped, a bad line): what it lacks is not removed.
        self.cut = False
        #: Why NEW is not a document to compare with OLD, found part way.
        self.bad: BadDocument | None = None

    def changes(self, new: Iterable[Item]) -> Iterator[dict[str, Any]]:
        """Each change as NEW is read, then what OLD had and NEW did not. A NEW that turns out
        not to be a document to compare (:class:`BadDocument`) ends the changes: :attr:`bad`."""
        try:
            for item in new:
                self.new.take(item, self.new.name, keep=False)
                if item.kind == "number":
                    yield from self._number(item)
                elif item.kind == "finding":
                    yield from self._finding(item)
        except BadDocument as exc:
            self.bad = exc
            self.cut = True
        if self.cut or self.new.incomplete:
            return
        for key, entry in self.old.numbers.items():
            if entry is not _SEEN:
                self.counts["Removed"] += 1
                yield {
                    "Change": "NumberRemoved",
                    "E164PhoneNumber": key[1],
                    **_where(key),
                    "Status": entry[0],
                    "ProductType": entry[1],
                }
        for fkey, severity in self.old.findings.items():
            if severity is not _STILL_THERE:
                self.counts["FindingsResolved"] += 1
                yield {
                    "Change": "FindingResolved",
                    "E164PhoneNumber": fkey[1],
                    **_where(fkey),
                    "Code": fkey[2],
                    "ResourceId": fkey[3] or None,
                    "Severity": severity,
                }

    def _number(self, item: Item) -> Iterator[dict[str, Any]]:
        key = number_key(item)
        number = item.record
        old = self.old.numbers.get(key)
        if old is None:
            if key not in self.added:
                self.added.add(key)
                self.counts["Added"] += 1
                yield {
                    "Change": "NumberAdded",
                    "E164PhoneNumber": key[1],
                    **_where(key),
                    "Status": number.get("Status"),
                    "ProductType": number.get("ProductType"),
                }
            return
        if old is _SEEN:
            return
        self.old.numbers[key] = _SEEN
        new_digest = digest(number)
        fields = []
        for index, name in enumerate(COMPARED):
            part = slice(index * DIGEST_SIZE, (index + 1) * DIGEST_SIZE)
            if old[2][part] != new_digest[part]:
                change: dict[str, Any] = {"Field": name}
                if name in KEPT:
                    change["Old"] = old[KEPT.index(name)]
                fields.append({**change, "New": number.get(name)})
        if not fields:
            self.counts["Unchanged"] += 1
            return
        self.counts["Changed"] += 1
        yield {
            "Change": "NumberChanged",
            "E164PhoneNumber": key[1],
            **_where(key),
            "Fields": fields,
        }

    def _finding(self, item: Item) -> Iterator[dict[str, Any]]:
        key = finding_key(item)
        if key in self.old.findings:
            if self.old.findings[key] is not _STILL_THERE:
                self.old.findings[key] = _STILL_THERE
                self.counts["FindingsUnchanged"] += 1
            return
        if key in self.added:
            return
        self.added.add(key)
        self.counts["FindingsNew"] += 1
        record = item.record
        yield {
            "Change": "FindingNew",
            "E164PhoneNumber": key[1],
            **_where(key),
            "Code": key[2],
            "ResourceId": key[3] or None,
            "Severity": record.get("Severity"),
            "Message": record.get("Message"),
        }

    def summary(self) -> dict[str, Any]:
        """What the diff sums up to; ``Changed`` is what the exit code follows."""
        counts = self.counts
        if self.old.kind == "audit":
            shown = {k: counts[k] for k in ("FindingsNew", "FindingsResolved", "FindingsUnchanged")}
        else:
            shown = {f"Numbers{k}": counts[k] for k in ("Added", "Removed", "Changed", "Unchanged")}
        changed = any(v for k, v in shown.items() if "Unchanged" not in k)
        summary: dict[str, Any] = {
            "Kind": self.old.kind,
            "Old": self.old.name,
            "New": self.new.name,
            **shown,
            "Changed": changed,
        }
        if self.cut or self.new.incomplete or self.old.incomplete:
            summary["Complete"] = False
        return summary


#: The severity slot of an OLD finding NEW has too (a marker no severity can equal).
_STILL_THERE: Any = object()


def new_items(stream: TextIO, name: str) -> Iterator[Item]:
    """NEW read from a stream (raises :class:`BadDocument` where it goes wrong)."""
    return items(Reader(stream, name))


def listed(numbers: Iterable[dict[str, Any]]) -> Iterator[Item]:
    """NEW read now: the numbers a listing yields, as items (their line is their position)."""
    for position, number in enumerate(numbers, 1):
        yield Item("number", number, position, account_of(number))
