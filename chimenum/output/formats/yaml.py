"""``-o yaml``: the ``--json`` document of every kind, as YAML (block style, unicode kept).

Each renderer here is its kind's JSON renderer with another last step: the value written is the
one ``--json`` would write (``--query`` included), read back from the JSON text, so the two cannot
drift apart: ``yaml.safe_load`` of the one equals ``json.loads`` of the other. Timestamps are the
JSON's ISO 8601 strings (quoted, so a YAML reader does not turn them into dates). The document
is written once it is complete: a listing is held in memory, as with ``--query``.

Inert text: a string holding a character :mod:`chimenum.core.safe` calls unsafe (controls,
bidi overrides, line separators, private-use...) is written double-quoted with that character
as a YAML escape (``\\x1b``, ``\\u202e``), so the YAML shown on a terminal cannot act on it and
still loads as the same value. On a stdout that can only write ASCII, every other character is
escaped too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chimenum.core.safe import has_unsafe, inert, is_unsafe
from chimenum.output.document import to_json
from chimenum.output.formats.audit import AuditRenderer
from chimenum.output.formats.describe import DescriptionsJson
from chimenum.output.formats.json import JsonRenderer

if TYPE_CHECKING:
    from chimenum.output.env import Environment


def _dumper() -> type[Any]:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class InertDumper(base):  # type: ignore[valid-type, misc]
        """Unsafe text only in double quotes, where :func:`yaml_text` can escape it."""

    def represent_str(dumper: Any, text: str) -> Any:
        style = '"' if has_unsafe(text) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    InertDumper.add_representer(str, represent_str)
    return InertDumper


def yaml_text(value: Any, *, ascii_only: bool = False) -> str:
    """``value`` (plain JSON data) as a YAML document, every unsafe character escaped."""
    import yaml

    text: str = yaml.dump(
        value,
        Dumper=_dumper(),
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=not ascii_only,
        # One value per line, however long: lines for grep, not for a page width.
        width=2**31 - 1,
    )
    # The dumper put every string holding an unsafe character in double quotes, where a YAML
    # escape is the character itself; the emitter leaves some of them raw (bidi overrides,
    # private use), so they are escaped here.
    if has_unsafe(text.replace("\n", "")):
        text = "".join(inert(ch) if ch != "\n" and is_unsafe(ch) else ch for ch in text)
    return text


def write_yaml(env: Environment, doc: Any) -> None:
    """The YAML of ``doc`` on stdout: the same value as its JSON text, read back."""
    env.write(yaml_text(json.loads(to_json(doc, indent=None)), ascii_only=env.ascii_only))


class NumbersYaml(JsonRenderer):
    def streams(self) -> bool:
        return False

    def emit(self, text: str) -> None:
        self.env.write(yaml_text(json.loads(text), ascii_only=self.env.ascii_only))


class DescriptionsYaml(DescriptionsJson):
    def finish(self) -> None:
        doc = self.document()
        if doc is not None:
            write_yaml(self.env, doc)


class AuditYaml(AuditRenderer):
    def finish(self) -> None:
        write_yaml(self.env, self.document())
