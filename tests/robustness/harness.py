"""Running the CLI against bad inputs and faults, and judging the outcome.

Every case must end the way a user can act on: the process exits by itself
(no signal, no hang) with code 1 or 2 and prints exactly one line on stderr
that names the problem; every file that existed before is byte-identical
afterwards; no temp file is left behind. Cases that should succeed say so.
"""
import hashlib
import os
import re
import resource
import signal
import subprocess
import time


class Failure(Exception):
    pass


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(root):
    """Every regular file under root -> its hash (FIFOs and devices skipped)."""
    out = {}
    for base, _, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            if os.path.isfile(path) and not os.path.islink(path):
                out[path] = digest(path)
    return out


def limits(file_bytes=None, address_bytes=None):
    """preexec_fn setting RLIMIT_FSIZE (a full disk) and RLIMIT_AS (little memory)."""
    def apply():
        if file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if address_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_bytes, address_bytes))
    return apply


class Runner:
    def __init__(self, app, work):
        self.app, self.work = app, work
        self.results = []

    def run(self, args, timeout=60, preexec=None, env=None, stdin=None):
        environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        environment.update(env or {})
        start = time.monotonic()
        try:
            p = subprocess.run([self.app] + [str(a) for a in args], cwd=self.work, capture_output=True,
                               timeout=timeout, preexec_fn=preexec, env=environment, stdin=stdin)
        except subprocess.TimeoutExpired:
            raise Failure(f"hung (no exit within {timeout} s)")
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), \
            time.monotonic() - start

    def expect_error(self, name, args, fragment, codes=(1, 2), watch=None, **kw):
        """Runs and checks: exit code, one stderr line with `fragment` (a regex), files under `watch` unchanged,
        no partial files left there."""
        watch = watch or self.work
        before = snapshot(watch)
        try:
            code, out, err, _ = self.run(args, **kw)
            lines = [l for l in err.splitlines() if l.strip()]
            if code < 0:
                raise Failure(f"killed by signal {-code}; stderr: {err.strip()[:300]}")
            if code not in codes:
                raise Failure(f"exit code {code} (expected {codes}); stderr: {err.strip()[:300]}")
            if len(lines) != 1:
                raise Failure(f"{len(lines)} lines on stderr (expected one): {err.strip()[:400]}")
            if not re.search(fragment, lines[0]):
                raise Failure(f"message lacks /{fragment}/: {lines[0]}")
            after = snapshot(watch)
            changed = [p for p in before if after.get(p) != before[p]]
            if changed:
                raise Failure(f"files changed or lost: {changed}")
            leftovers = [p for p in after if ".partial" in os.path.basename(p) and p not in before]
            if leftovers:
                raise Failure(f"left behind: {leftovers}")
            self.results.append((name, True, lines[0]))
        except Failure as e:
            self.results.append((name, False, str(e)))

    def expect_success(self, name, args, check=None, **kw):
        try:
            code, out, err, _ = self.run(args, **kw)
            if code != 0:
                raise Failure(f"exit code {code}; stderr: {err.strip()[:300]}")
            if check:
                check(out)
            self.results.append((name, True, "ok"))
        except Failure as e:
            self.results.append((name, False, str(e)))
        except AssertionError as e:
            self.results.append((name, False, f"check failed: {e}"))

    def record(self, name, ok, detail):
        self.results.append((name, ok, detail))

    def report(self):
        failed = 0
        for name, ok, detail in self.results:
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
            failed += not ok
        print(f"{len(self.results) - failed} of {len(self.results)} cases behaved")
        return failed == 0
