"""Torn writes on real Vigil databases: the WAL a SIGKILLed `vigil serve` left, cut short.

`WAL` parses SQLite's write-ahead log (https://sqlite.org/fileformat2.html#walformat): the 32-byte
header, then frames of a 24-byte header and one page, each valid only while its salts match the
header's and its cumulative checksum holds. A frame whose "database size after commit" is
non-zero ends a transaction: the offsets just past those frames are the commit boundaries.

`check_truncations` cuts k bytes off the WAL's tail for several k — inside the last frame's
header, inside its page, exactly one frame, a frame and a byte, random — and opens a copy: the
database must read exactly as it does with the WAL cut at the last commit boundary at or before
the cut (every transaction committed before it present, nothing of a torn one). One cut copy is
then started with `vigil serve`, which must pass its start-up quick_check and answer.

Cuts stay after the checkpoint's backfill mark (`nBackfill` in the `-shm` file): frames up to it
have already been copied into the database file, which is then newer than they are, so losing
them is not something a crash can do (they were fsynced before the checkpoint began); a cut there
would model a disk that forgets synced data, not a torn write.
"""

import hashlib
import os
import shutil
import sqlite3
import struct

from harness import Process, progress, wait_until_answers


class WAL:
    def __init__(self, data):
        self.data = data
        self.boundaries = []
        if len(data) < 32:
            self.page_size = 0
            return
        magic, _, self.page_size, _, salt1, salt2, check1, check2 = struct.unpack(">8I", data[:32])
        if magic not in (0x377F0682, 0x377F0683) or self.page_size < 512:
            self.page_size = 0
            return
        order = ">" if magic & 1 else "<"
        s0, s1 = self.checksum(data[:24], 0, 0, order)
        if (s0, s1) != (check1, check2):
            return
        frame = 24 + self.page_size
        offset = 32
        while offset + frame <= len(data):
            header = data[offset:offset + 24]
            page, size_after, f_salt1, f_salt2, f_check1, f_check2 = struct.unpack(">6I", header)
            if (f_salt1, f_salt2) != (salt1, salt2) or page == 0:
                break
            s0, s1 = self.checksum(header[:8], s0, s1, order)
            s0, s1 = self.checksum(data[offset + 24:offset + frame], s0, s1, order)
            if (s0, s1) != (f_check1, f_check2):
                break
            offset += frame
            if size_after:
                self.boundaries.append(offset)

    @property
    def frame_size(self):
        return 24 + self.page_size

    @staticmethod
    def checksum(block, s0, s1, order):
        words = struct.unpack(f"{order}{len(block) // 4}I", block)
        for index in range(0, len(words), 2):
            s0 = (s0 + words[index] + s1) & 0xFFFFFFFF
            s1 = (s1 + words[index + 1] + s0) & 0xFFFFFFFF
        return s0, s1


def backfilled_frames(shm):
    """The frames a checkpoint has copied, or begun copying, into the database: the larger of
    `nBackfill` and `nBackfillAttempted` in the WAL index (`-shm`, native byte order; its
    checkpoint info follows two 48-byte header copies: nBackfill, 5 read marks, 8 lock bytes,
    nBackfillAttempted)."""
    if len(shm) < 132:
        return 0
    backfill, attempted = struct.unpack("=I", shm[96:100])[0], struct.unpack("=I", shm[128:132])[0]
    return max(backfill, attempted)


def dump(database, wal_bytes, workdir):
    """A digest of every table's rows when `database` is opened with `wal_bytes` as its WAL."""
    path = os.path.join(workdir, "cut.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copyfile(database, path)
    with open(path + "-wal", "wb") as file:
        file.write(wal_bytes)
    connection = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))
            digest.update(f"{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode())
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        return digest.hexdigest(), check
    finally:
        connection.close()


class TornWrites:
    """Keeps the kill-time copy of relay.sqlite whose WAL holds the most commits, then cuts it."""

    def __init__(self, workdir, results, rng):
        self.dir = os.path.join(workdir, "torn")
        os.makedirs(self.dir)
        self.r = results
        self.rng = rng
        self.best = 0
        self.floor = 32
        self.cuts = 0

    def keep(self, database):
        """Called right after a SIGKILL, before the restart: copies `database` and its WAL if the
        WAL holds more commits after its backfill mark than the copy kept so far."""
        wal_path, shm_path = database + "-wal", database + "-shm"
        if not os.path.exists(wal_path) or not os.path.exists(shm_path):
            return
        with open(wal_path, "rb") as file:
            wal_bytes = file.read()
        with open(shm_path, "rb") as file:
            backfilled = backfilled_frames(file.read())
        wal = WAL(wal_bytes)
        floor = 32 + backfilled * wal.frame_size
        commits = sum(1 for b in wal.boundaries if b > floor)
        if commits <= self.best:
            return
        self.best = commits
        self.floor = floor
        shutil.copyfile(database, os.path.join(self.dir, "kept.sqlite"))
        with open(os.path.join(self.dir, "kept.sqlite-wal"), "wb") as file:
            file.write(wal_bytes)

    def check_truncations(self):
        r = self.r
        if not r.check("torn writes: a killed relay left a WAL with at least 2 commits", self.best >= 2, f"best {self.best}"):
            return
        database = os.path.join(self.dir, "kept.sqlite")
        with open(database + "-wal", "rb") as file:
            wal_bytes = file.read()
        wal = WAL(wal_bytes)
        # The last boundary at or before the backfill mark stands for "the database file alone".
        floor = self.floor
        boundaries = [max([0] + [b for b in wal.boundaries if b <= floor])] + [b for b in wal.boundaries if b > floor]
        reference = {}

        def expected_for(cut):
            boundary = max(b for b in boundaries if b <= cut)
            if boundary not in reference:
                reference[boundary] = dump(database, wal_bytes[:boundary], self.dir)[0]
            return boundary, reference[boundary]

        end = wal.boundaries[-1]
        frame = wal.frame_size
        removals = [1, 8, 23, 24, 25, wal.page_size // 2, frame - 1, frame, frame + 1, 2 * frame + 7]
        removals += [self.rng.randrange(1, end - floor) for _ in range(6)]
        # Cut from the end of the last commit (bytes after it, if any, are a transaction that
        # never committed); the removal amounts are measured from there, down to the floor.
        for k in sorted(set(k for k in removals if end - k >= floor)):
            cut = end - k
            boundary, want = expected_for(cut)
            got, check = dump(database, wal_bytes[:cut], self.dir)
            lost = len(boundaries) - 1 - boundaries.index(boundary)
            r.check(f"torn writes: WAL cut {k} bytes before its last commit loses exactly the {lost} transaction(s) after the cut",
                    got == want, f"cut at {cut} of {len(wal_bytes)}, last boundary {boundary}")
            r.check(f"torn writes: cut {k} bytes: quick_check ok", check == "ok", check)
            self.cuts += 1
        full, _ = dump(database, wal_bytes, self.dir)
        r.check("torn writes: the whole WAL reads as its last commit (a torn tail is ignored)",
                full == expected_for(len(wal_bytes))[1])
        progress(f"torn writes: {len(boundaries) - 1} commits after the backfill mark in the kept WAL ({len(wal_bytes)} bytes, "
                 f"page {wal.page_size}), {self.cuts} cuts checked")

    def check_serve_starts(self, vigil, serve_data, argv_extra):
        """`vigil serve` on a copy of the data whose relay WAL lost the middle of its last frame."""
        data = os.path.join(self.dir, "serve-data")
        shutil.copytree(serve_data, data)
        database = os.path.join(data, "relay.sqlite")
        for suffix in ("-wal", "-shm"):
            if os.path.exists(database + suffix):
                os.remove(database + suffix)
        shutil.copyfile(os.path.join(self.dir, "kept.sqlite"), database)
        with open(os.path.join(self.dir, "kept.sqlite-wal"), "rb") as file:
            wal_bytes = file.read()
        wal = WAL(wal_bytes)
        cut = wal.boundaries[-1] - wal.frame_size // 2
        with open(database + "-wal", "wb") as file:
            file.write(wal_bytes[:cut])
        process = Process("serve-torn", [vigil, "serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data,
                                         "--status-interval", "0", *argv_extra], self.dir, lines=2)
        try:
            wait_until_answers(process.address("http on "), "/healthz")
            answered = True
        except RuntimeError:
            answered = False
        status = process.stop()
        self.r.check("torn writes: vigil serve starts on a relay WAL torn mid-frame and answers", answered and status == 0,
                     process.stderr()[-500:])
