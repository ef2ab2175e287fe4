"""The ``chimenum`` a test runs when it is forked from the fork server (testing/forkserver.py).

The server writes ``bin/chimenum``: ``#!PYTHON -SE``, this module's text, and a call of
:func:`main` with its socket, the real console script and the interpreter's environment. It
runs without ``site`` and imports only what a bare interpreter has (os, sys, signal, socket):
it must start in a few milliseconds, or the point of the server is lost.
"""

import os
import sys

#: The resource limits a test may set for a run (a core dump's size, above all).
LIMITS = ("RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE")


def is_open(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def main(server_socket, script, startup, variables, forwarded, max_request, max_fds):
    """Ask the server for a child that runs ``chimenum`` in this process's place, forward it
    every catchable signal, and end as it ended."""
    # Every fd, before a socket takes a free one: a shell's `<(...)` is an fd of its own.
    listed = os.listdir("/proc/self/fd")  # noqa: PTH208 (pathlib: milliseconds of imports)
    opened = sorted(fd for fd in map(int, listed) if is_open(fd))
    if len(opened) > max_fds:
        os.execv(script, [script, *sys.argv[1:]])
    # PYTHONIOENCODING is the child's to apply (testing/forkchild.py io_codecs), if Python
    # knows the encoding: an ASCII stdout is what many tests ask for.
    io_encoding = os.environb.get(b"PYTHONIOENCODING", b"").partition(b":")[0]
    mine = {
        k: v
        for k, v in os.environb.items()
        if (k.startswith(b"PYTHON") and k != b"PYTHONIOENCODING") or k in variables
    }
    if io_encoding:
        import codecs  # imported already at any start: free

        try:
            codecs.lookup(io_encoding.decode("ascii", "replace"))
        except LookupError:
            mine = None
    try:
        cwd = os.getcwdb()  # noqa: PTH109 (bytes, as the kernel has it)
    except OSError:
        cwd = None  # removed: the child could not go there
    if mine != startup or cwd is None:
        # This interpreter would not start as the server did (stdio encodings, paths, flags),
        # or botocore would not find the cache folders the server's import fixed.
        os.execv(script, [script, *sys.argv[1:]])
    import resource
    import signal
    import socket

    limits = [getattr(resource, name) for name in LIMITS]
    ignored = [s for s in signal.valid_signals() if signal.getsignal(s) == signal.SIG_IGN]
    signal.pthread_sigmask(signal.SIG_BLOCK, forwarded)  # held until the child's pid is known
    umask = os.umask(0o22)
    os.umask(umask)
    fields = [
        b"run",
        cwd,
        b"%d" % umask,
        b",".join(b"%d" % fd for fd in opened),
        b",".join(b"%d" % s for s in ignored),
        b",".join(b"%d:%d:%d" % (r, *resource.getrlimit(r)) for r in limits),
        b"%d" % len(sys.argv),
        *(os.fsencode(a) for a in sys.argv),
        *(k + b"=" + v for k, v in os.environb.items()),
    ]
    request = b"\0".join(fields)
    if len(request) > max_request:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, forwarded)
        os.execv(script, [script, *sys.argv[1:]])
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        server.connect(server_socket)
        socket.send_fds(server, [request], opened)
        reply = server.recv(64)
    except OSError as exc:
        give_up(server_socket, str(exc))
    if not reply.startswith(b"pid "):
        give_up(server_socket, "no child")
    child = int(reply.split()[1])

    def forward(signum, frame):
        try:  # noqa: SIM105 (contextlib: milliseconds of imports)
            os.kill(child, signum)
        except ProcessLookupError:
            pass  # ended already: its status is on its way

    for signum in forwarded:
        signal.signal(signum, forward)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, forwarded)
    reply = server.recv(64)
    if not reply.startswith(b"status "):
        give_up(server_socket, "it went away before the child ended")
    status = int(reply.split()[1])
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        os._exit(128 + signum)  # a signal whose default is to be ignored
    os._exit(os.waitstatus_to_exitcode(status))


def give_up(server_socket, why):
    if is_open(2):
        os.write(2, f"chimenum (test launcher): fork server {server_socket}: {why}\n".encode())
    os._exit(70)
