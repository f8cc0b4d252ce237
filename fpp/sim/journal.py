"""The message journal: every received message, in SQLite, before any channel processes it.

A row is written when a message arrives and is updated once, when its outcome is known. A
channel always takes the pending row with the lowest sequence number. So a channel that stops
in the middle of a message leaves that message pending, and whichever channel runs next
processes it again. Nothing is lost and nothing is done twice. A message whose text was
already received is journalled as a ``duplicate`` and never processed.

A file journal uses SQLite's write-ahead log with ``synchronous=NORMAL``. Each commit then
survives a crash of the process, though not necessarily a power cut. ``":memory:"`` gives a
journal for runs that need no file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Self

__all__ = ["STATUSES", "Journal", "JournalEntry"]

STATUSES = ("pending", "converted", "rejected", "quarantined", "duplicate")
"""Status of a journal row; every status but ``pending`` is final."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    received_s REAL NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    channel TEXT,
    done_s REAL,
    error_code TEXT,
    detail TEXT,
    record TEXT
);
CREATE INDEX IF NOT EXISTS journal_pending ON journal (status, seq);
CREATE INDEX IF NOT EXISTS journal_digest ON journal (digest);
"""


@dataclass(frozen=True)
class JournalEntry:
    """One journal row."""

    seq: int
    message_id: str
    received_s: float
    text: str
    status: str
    channel: str | None = None
    done_s: float | None = None
    error_code: str | None = None
    detail: str | None = None
    record: str | None = None


_COLUMNS = "seq, message_id, received_s, text, status, channel, done_s, error_code, detail, record"


class Journal:
    """A SQLite journal of received messages.

    Parameters
    ----------
    path
        The database file, or ``":memory:"``. An existing file is opened as it is, so a new
        process resumes where the previous one stopped.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        """Close the database; a file journal can be opened again by a new :class:`Journal`."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def digest(text: str) -> str:
        """Return the key by which two copies of one message are recognised."""
        return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()

    def append(self, message_id: str, text: str, received_s: float) -> JournalEntry:
        """Journal a received message and return its row (``pending``, or ``duplicate``)."""
        digest = self.digest(text)
        seen = self._db.execute("SELECT seq FROM journal WHERE digest = ? LIMIT 1", (digest,)).fetchone()
        status, detail = "pending", None
        if seen is not None:
            status, detail = "duplicate", f"same text as journal entry {seen[0]}"
        cursor = self._db.execute(
            "INSERT INTO journal (message_id, digest, received_s, text, status, done_s, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (message_id, digest, received_s, text, status, received_s if seen is not None else None, detail),
        )
        self._db.commit()
        assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
        return JournalEntry(cursor.lastrowid, message_id, received_s, text, status, detail=detail,
                            done_s=received_s if seen is not None else None)

    def next_pending(self) -> JournalEntry | None:
        """Return the pending row with the lowest sequence number, or ``None``."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM journal WHERE status = 'pending' ORDER BY seq LIMIT 1").fetchone()
        return JournalEntry(*row) if row is not None else None

    def complete(self, seq: int, status: str, done_s: float, channel: str | None = None, error_code: str | None = None,
                 detail: str | None = None, record: str | None = None) -> None:
        """Record the final outcome of a pending row.

        Raises
        ------
        ValueError
            When ``status`` is not final, or the row is not pending (its outcome is already
            known, so recording another would count the message twice).
        """
        if status not in STATUSES or status == "pending":
            raise ValueError(f"status must be one of {', '.join(STATUSES[1:])}, not {status!r}")
        cursor = self._db.execute(
            "UPDATE journal SET status = ?, done_s = ?, channel = ?, error_code = ?, detail = ?, record = ? "
            "WHERE seq = ? AND status = 'pending'",
            (status, done_s, channel, error_code, detail, record, seq),
        )
        if cursor.rowcount != 1:
            self._db.rollback()
            raise ValueError(f"journal entry {seq} is not pending; its outcome is already recorded")
        self._db.commit()

    def entry(self, seq: int) -> JournalEntry:
        """Return one row.

        Raises
        ------
        KeyError
            When there is no row ``seq``.
        """
        row = self._db.execute(f"SELECT {_COLUMNS} FROM journal WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            raise KeyError(f"no journal entry {seq}")
        return JournalEntry(*row)

    def entries(self) -> list[JournalEntry]:
        """Return every row in sequence order."""
        return [JournalEntry(*row) for row in self._db.execute(f"SELECT {_COLUMNS} FROM journal ORDER BY seq")]

    def converted_records(self) -> list[JournalEntry]:
        """Return the rows whose message was converted, with the record each produced."""
        return [JournalEntry(*row) for row in
                self._db.execute(f"SELECT {_COLUMNS} FROM journal WHERE status = 'converted' ORDER BY seq")]

    def counts(self) -> Counter[str]:
        """Return the number of rows per status."""
        return Counter(dict(self._db.execute("SELECT status, COUNT(*) FROM journal GROUP BY status").fetchall()))

    def pending_count(self) -> int:
        """Return the number of messages received and not yet processed."""
        return int(self._db.execute("SELECT COUNT(*) FROM journal WHERE status = 'pending'").fetchone()[0])

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
