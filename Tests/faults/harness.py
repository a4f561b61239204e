"""Shared pieces of the fault harness: results, a killable vigil process, HTTP calls, timing."""

import http.client
import json
import os
import queue
import signal
import subprocess
import threading
import time

START_TIMEOUT = 30.0


class Results:
    """Counts checks, keeps failures, and collects the figures the run reports."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = 0
        self.failures = []

    def check(self, what, condition, detail=""):
        if condition:
            self.passed += 1
            if self.verbose:
                print(f"  ok   {what}", flush=True)
        else:
            self.failures.append(f"{what}: {detail}" if detail else what)
            print(f"  FAIL {what}" + (f" — {detail}" if detail else ""), flush=True)
        return condition


def progress(text):
    print(text, flush=True)


class Process:
    """A long-running vigil process whose first stdout lines are `listening on …` / `http on …`.

    `started` is the monotonic time of the spawn, so the caller can time the restart until the
    process answers a request. Every process spawned is tracked until it is killed or stopped, so
    that `kill_all()` leaves none running when a harness step fails half-way.
    """

    running = []

    @classmethod
    def kill_all(cls):
        """SIGKILLs and reaps every process still running (after a failed step)."""
        for process in list(cls.running):
            process.kill()

    def __init__(self, name, argv, log_dir, lines=1, env=None):
        self.name = name
        self.log_path = os.path.join(log_dir, f"{name}.stderr")
        self.log = open(self.log_path, "ab")
        self.started = time.monotonic()
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL, env=env)
        Process.running.append(self)
        self.lines = []
        found = queue.Queue()

        def read():
            for _ in range(lines):
                found.put(self.process.stdout.readline().decode(errors="replace").strip())

        threading.Thread(target=read, daemon=True).start()
        for _ in range(lines):
            try:
                line = found.get(timeout=START_TIMEOUT)
            except queue.Empty:
                line = ""
            if not line:
                self.kill()
                raise RuntimeError(f"{name} did not start; stderr: {self.stderr()[-1500:]}")
            self.lines.append(line)

    def address(self, prefix):
        """The HOST:PORT of the first stdout line starting with `prefix`."""
        for line in self.lines:
            if line.startswith(prefix):
                host, port = line[len(prefix):].rsplit(":", 1)
                return host, int(port)
        raise RuntimeError(f"{self.name}: no '{prefix}' line in {self.lines}")

    def stderr(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "r", errors="replace") as file:
            return file.read()

    def kill(self):
        """SIGKILL and reap."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()
        if self in Process.running:
            Process.running.remove(self)

    def stop(self, timeout=20):
        """SIGTERM; the exit status, or None if it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        self.log.close()
        if self in Process.running:
            Process.running.remove(self)
        return self.process.returncode


def request(address, method, path, body=None, headers=None, timeout=10.0):
    """One HTTP request on a fresh connection: (status, parsed JSON body or raw text)."""
    host, port = address
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return response.status, parsed
    finally:
        connection.close()


def wait_until_answers(address, path, headers=None, timeout=START_TIMEOUT):
    """Polls `path` until it answers 200; raises on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            status, _ = request(address, "GET", path, headers=headers, timeout=2.0)
            if status == 200:
                return
            last = status
        except OSError as error:
            last = error
        time.sleep(0.005)
    raise RuntimeError(f"{path} did not answer 200 within {timeout} s (last: {last})")


def eventually(probe, timeout, interval=0.05):
    """Calls `probe` until it returns something truthy or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(round(fraction * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


def restart_summary(name, seconds):
    """One line: restart times p50 / p99 / max in milliseconds."""
    if not seconds:
        return f"{name}: no restarts"
    ms = [s * 1000 for s in seconds]
    return (f"{name}: {len(ms)} restarts, time to first answer p50 {percentile(ms, 0.5):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms")
