"""Asking real bash, zsh and fish for completions, with the committed scripts sourced.

- bash: a non-interactive bash sources ``completions/chimenum.bash``, checks that ``complete``
  registered it, sets ``COMP_WORDS``/``COMP_CWORD``/``COMP_LINE`` as readline would and calls the
  registered function, then prints ``COMPREPLY``.
- zsh: an interactive ``zsh -f`` under a pseudo-terminal runs ``compinit``, sources
  ``completions/chimenum.zsh`` and gets the line typed with a real TAB; a ``compadd`` wrapper
  (the technique of zsh-capture-completion) appends every match zsh adds to a file.
- fish: ``fish --no-config`` sources ``completions/chimenum.fish`` and answers ``complete -C``.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import ptys
import pytest

from testing import forkserver

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"
VENV_BIN = Path(sys.executable).absolute().parent  # not resolve(): that would leave the venv


def bin_path() -> str:
    """Where the shells find ``chimenum``: the fork server's launcher (one forked run per TAB,
    not a Python start-up), then the venv's tools."""
    return f"{forkserver.shared().bin}{os.pathsep}{VENV_BIN}"


def require(tool: str) -> str:
    """The tool's path; in CI a missing tool fails the test instead of skipping it."""
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is not installed (.ci/run installs it)")
    pytest.skip(f"{tool} is not installed")


def shell_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment (AWS variables, fake endpoint) with chimenum first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{bin_path()}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    # A TAB's deadline is the test's to choose: by default long enough that a busy machine
    # never turns "the ids complete" into "nothing completes".
    env["CHIMENUM_COMPLETION_TIMEOUT"] = "60"
    env.update(extra or {})
    return env


def bash_complete(line: str, env: dict[str, str]) -> list[str]:
    require("bash")
    words = shlex.split(line)
    if line.endswith(" ") or not words:
        words.append("")
    script = "\n".join(
        [
            f"source {shlex.quote(str(COMPLETIONS / 'chimenum.bash'))}",
            "complete -p chimenum >/dev/null || exit 90",
            f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})",
            f"COMP_CWORD={len(words) - 1}",
            f"COMP_LINE={shlex.quote(line)}",
            f"COMP_POINT={len(line)}",
            'func=$(complete -p chimenum | sed -E "s/.*-F ([^ ]+).*/\\1/")',
            '"$func" chimenum "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ]
    )
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return [w for w in proc.stdout.splitlines() if w]


def fish_complete(line: str, env: dict[str, str]) -> list[str]:
    require("fish")
    script = (
        f"source {shlex.quote(str(COMPLETIONS / 'chimenum.fish'))}; complete -C {shlex.quote(line)}"
    )
    proc = subprocess.run(
        ["fish", "--no-config", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return [w.split("\t", 1)[0] for w in proc.stdout.splitlines() if w]


_ZSH_CAPTURE = r"""
autoload -U compinit && compinit -u -d %(dump)s
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' select-prompt ''
source %(script)s
compadd () {
  # -O, -A and -D only ask compadd for matches: pass them through untouched.
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"
    return $?
  fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) && print -rl -- "${__hits[@]}" >> %(capture)s
  builtin compadd "$@"
}
# Mark the end of each completion, so the harness knows when to look.
functions[_chimenum_completion_orig]=$functions[_chimenum_completion]
_chimenum_completion () {
  _chimenum_completion_orig "$@"
  local rc=$?
  print -r -- %(done)s >> %(capture)s
  return rc
}
PS1='READY> '
"""
DONE = "__COMPLETION_DONE__"


def zsh_complete(line: str, env: dict[str, str], tmp: Path) -> list[str]:
    (found,) = zsh_complete_lines([line], env, tmp)
    return found


def zsh_complete_lines(lines: list[str], env: dict[str, str], tmp: Path) -> list[list[str]]:
    """Each line's completions, all typed in one zsh: starting an interactive zsh and running
    compinit costs about a second, so a shell per line made one test take 30 s."""
    require("zsh")
    import pexpect

    capture = tmp / "zsh-capture.txt"
    capture.unlink(missing_ok=True)
    rc = tmp / "zsh-harness.zsh"
    rc.write_text(
        _ZSH_CAPTURE
        % {
            "script": shlex.quote(str(COMPLETIONS / "chimenum.zsh")),
            # compinit scans every completion function zsh has unless it finds a dump of what it
            # found (~/.zcompdump for a user): one per test session, not half a second each zsh.
            "dump": shlex.quote(str(tmp.parent / "zcompdump")),
            "capture": shlex.quote(str(capture)),
            "done": DONE,
        }
    )
    child = ptys.spawn(
        "zsh",
        ["-f", "-i"],
        env={**env, "TERM": "dumb", "PS1": "READY> "},
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    seen = io.StringIO()
    child.logfile_read = seen
    found = []
    try:
        child.sendline(f"source {shlex.quote(str(rc))}")
        child.expect_exact("READY> ")
        for line in lines:
            capture.write_text("")
            child.send(line + "\t")
            deadline = time.monotonic() + 30
            while DONE not in capture.read_text():
                assert time.monotonic() < deadline, f"zsh did not complete: {child.before!r}"
                time.sleep(0.01)
            found.append([w for w in capture.read_text().splitlines() if w != DONE])
            child.send("\x15")  # kill-whole-line
            child.sendline("print -r -- END-OF-$((20 + 22))")  # arithmetic: the echo cannot match
            child.expect_exact("END-OF-42")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    # Nothing but the prompt and the typed line reached the terminal: no error, no traceback.
    for sign in ("Traceback", "Error:", "chimenum:", "command not found"):
        assert sign not in seen.getvalue(), seen.getvalue()
    return found
