"""The message journal: every received message, in SQLite, before any channel processes it.

A row is written when a message arrives and is updated once, when its outcome is known. A
channel always takes the pending row with the lowest sequence number. So a channel that stops
in the middle of a message leaves that message pending, and whichever channel runs next
processes it again. Nothing is lost and nothing is done twice. A message whose text was
already received is journalled as a ``duplicate`` and never processed.

A file journal uses SQLite's write-ahead log with ``synchronous=NORMAL``. Each commit then
survives a crash of the process, though not necessarily a power cut. ``":memory:"`` gives a
journal for runs that need no file.

A journal file carries fpp's SQLite ``application_id``. fpp opens a new or empty file, or a
journal it wrote itself (also one from before the ``application_id``, recognised by its single
``journal`` table). It rejects any other file, folder or database with :class:`JournalError`
and leaves it as it was.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Self

__all__ = ["APPLICATION_ID", "STATUSES", "Journal", "JournalEntry", "JournalError", "check_journal_file"]

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

_COLUMN_NAMES = ("seq", "message_id", "digest", "received_s", "text", "status", "channel", "done_s", "error_code",
                 "detail", "record")

APPLICATION_ID = 0x4650504A
"""SQLite ``application_id`` of a journal file: ``FPPJ`` in ASCII."""

_SQLITE_HEADER = b"SQLite format 3\x00"


class JournalError(ValueError):
    """A journal file that fpp cannot use. The message names the file, the cause and a remedy."""


def _schema_problem(db: sqlite3.Connection) -> str | None:
    """Return why the open database is not an fpp journal, or ``None`` when it is one or is empty."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id not in (0, APPLICATION_ID):
        return f"is an SQLite database of another application (application_id {application_id})"
    tables = sorted(row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"))
    others = [name for name in tables if name != "journal"]
    if others:
        return f"is an SQLite database that fpp did not write (it has the tables {', '.join(others)})"
    if tables:
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(journal)"))
        if columns != _COLUMN_NAMES:
            return f"has a table journal that fpp did not write (columns {', '.join(columns) or 'none'})"
    return None


def check_journal_file(path: str | Path) -> None:
    """Check that ``path`` can hold a journal, without creating or changing anything.

    Accepted are ``":memory:"``, a new file in an existing folder, an empty file, and a journal
    that fpp wrote.

    Raises
    ------
    JournalError
        For a folder, a file in a missing folder, a file that is not an SQLite database, and
        a database that fpp did not write.
    """
    if str(path) == ":memory:":
        return
    file = Path(path)
    remedy = "name a new file or a journal that fpp wrote"
    if file.is_dir():
        raise JournalError(f"journal {path} is a folder; name a file, for example {file / 'journal.sqlite'}")
    if not file.exists():
        if not file.parent.is_dir():
            raise JournalError(f"journal {path} cannot be created: the folder {file.parent} does not exist; "
                               f"create it or name a file in an existing folder")
        return
    if not file.is_file():
        raise JournalError(f"journal {path} is not a regular file; {remedy}")
    try:
        with file.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as error:
        raise JournalError(f"journal {path} cannot be read ({error.strerror}); {remedy}") from None
    if not header:
        return
    if header != _SQLITE_HEADER:
        raise JournalError(f"journal {path} is not an SQLite database; {remedy}")
    try:
        db = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problem = _schema_problem(db)
        finally:
            db.close()
    except sqlite3.Error as error:
        raise JournalError(f"journal {path} cannot be read as an SQLite database ({error}); {remedy}") from None
    if problem:
        raise JournalError(f"journal {path} {problem}; {remedy}")


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
        The database file, or ``":memory:"``. An existing journal is opened as it is, so a new
        process resumes where the previous one stopped.

    Raises
    ------
    JournalError
        When ``path`` is neither a new file nor a journal that fpp wrote (see
        :func:`check_journal_file`), or SQLite cannot open it.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        check_journal_file(self.path)
        try:
            self._db = sqlite3.connect(self.path)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.commit()
        except sqlite3.Error as error:
            raise JournalError(f"journal {path} cannot be opened ({error}); name a new file in a writable folder") from None

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
