"""A damaged database file is refused at start-up, with a clear error, and never served.

For each SQLite file `vigil serve` and `vigil cloudapi` keep, a copy of a cleanly stopped data
directory gets one b-tree page of that file overwritten with random bytes (the damage is confirmed
first with Python's own `PRAGMA quick_check`). The command must then exit non-zero before printing
its `listening on` line, and its error must name the file and carry quick_check's finding.
"""

import os
import shutil
import sqlite3
import subprocess

BTREE_PAGE_TYPES = (2, 5, 10, 13)


def quick_check(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return f"error: {error}"
    finally:
        connection.close()


def damage(path, rng):
    """Overwrites the last b-tree page after page 1 (or page 1 after its 100-byte header) with
    random bytes; returns the page number."""
    with open(path, "rb") as file:
        data = bytearray(file.read())
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = len(data) // page_size
    candidates = [p for p in range(2, pages + 1) if data[(p - 1) * page_size] in BTREE_PAGE_TYPES]
    if candidates:
        page = candidates[-1]
        start = (page - 1) * page_size
        data[start:start + page_size] = rng.randbytes(page_size)
    else:
        page = 1
        data[100:page_size] = rng.randbytes(page_size - 100)
    with open(path, "wb") as file:
        file.write(data)
    return page


def refused(results, label, argv, damaged):
    """Runs a start-up on damaged data and checks it is refused clearly."""
    try:
        done = subprocess.run(argv, capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
        status, out, err = done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as timeout:
        status, out, err = None, (timeout.stdout or b"").decode(errors="replace"), "timed out (still serving?)"
    first_line = err.strip().splitlines()[0] if err.strip() else ""
    results.check(f"damaged {label}: start-up refused (non-zero exit)", status not in (0, None), f"exit {status}; {err[-300:]}")
    results.check(f"damaged {label}: nothing served (no 'listening on')", "listening on" not in out, out[:200])
    results.check(f"damaged {label}: the error names the file", damaged in err, first_line[:300])
    results.check(f"damaged {label}: the error carries quick_check's finding",
                  "quick_check" in err and "corrupt" in err, first_line[:300])
    return first_line


class DamagedFiles:
    def __init__(self, vigil, workdir, results, rng, name):
        self.vigil = vigil
        self.dir = os.path.join(workdir, f"damaged-{name}")
        os.makedirs(self.dir)
        self.r = results
        self.rng = rng
        self.examples = []

    def fresh_copy(self, source, name):
        target = os.path.join(self.dir, name)
        shutil.copytree(source, target)
        return target

    def check(self, label, source, relative, argv_for):
        data = self.fresh_copy(source, label.replace("/", "-").replace(" ", "-"))
        path = os.path.join(data, relative)
        page = damage(path, self.rng)
        finding = quick_check(path)
        if not self.r.check(f"damaged {label}: page {page} overwritten, Python's quick_check sees it", finding != "ok", finding):
            return
        line = refused(self.r, label, argv_for(data), path)
        self.examples.append(f"{label}: {line}")

    def run_serve(self, serve_data, extra):
        def argv(data):
            return [self.vigil, "serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data,
                    "--status-interval", "0", *extra]

        for relative in self.database_files(serve_data):
            self.check(f"serve {relative}", serve_data, relative, argv)

    def run_cloudapi(self, cloud_data, relay_address):
        def argv(data):
            return [self.vigil, "cloudapi", "--relay", relay_address, "--listen", "127.0.0.1:0", "--data", data,
                    "--status-interval", "0"]

        for relative in self.database_files(cloud_data):
            self.check(f"cloudapi {relative}", cloud_data, relative, argv)

    @staticmethod
    def database_files(data):
        """Every `*.sqlite` file under `data`, relative to it, sorted."""
        files = []
        for root, _, names in os.walk(data):
            files += [os.path.relpath(os.path.join(root, n), data) for n in names if n.endswith(".sqlite")]
        return sorted(files)
