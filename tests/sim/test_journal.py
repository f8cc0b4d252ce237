"""The SQLite journal: order, duplicates, final outcomes, resuming after the process dies, and
rejecting files that fpp did not write."""

import re
import sqlite3

import pytest

from fpp.sim.journal import _SCHEMA, APPLICATION_ID, Journal, JournalError
from fpp.sim.nas import NasStore


def test_pending_entries_come_in_receive_order():
    with Journal() as journal:
        for number in range(3):
            journal.append(f"F{number}", f"-TITLE IFPL -ARCID F{number}", float(number))
        assert journal.next_pending().message_id == "F0"
        journal.complete(1, "converted", 5.0, "primary", record="NAS F0")
        assert journal.next_pending().message_id == "F1"
        journal.complete(2, "quarantined", 6.0, "primary", "CONV202", "ambiguous")
        assert journal.next_pending().message_id == "F2"
        assert journal.pending_count() == 1
        assert journal.counts() == {"converted": 1, "quarantined": 1, "pending": 1}


def test_same_text_is_journalled_as_duplicate():
    with Journal() as journal:
        first = journal.append("F1", "-TITLE IFPL\n-ARCID F1", 0.0)
        again = journal.append("F1", "-TITLE IFPL   -ARCID F1", 3.0)
        changed = journal.append("F1", "-TITLE IFPL -ARCID F1 -RFL F350", 4.0)
        assert first.status == "pending"
        assert again.status == "duplicate"
        assert str(first.seq) in again.detail
        assert changed.status == "pending"
        assert len(journal) == 3
        assert journal.pending_count() == 2


def test_outcome_is_recorded_once():
    with Journal() as journal:
        journal.append("F1", "x", 0.0)
        journal.complete(1, "converted", 1.0, "primary")
        with pytest.raises(ValueError):
            journal.complete(1, "converted", 2.0, "backup")
        with pytest.raises(ValueError):
            journal.complete(1, "pending", 2.0)
        assert journal.entry(1).channel == "primary"
        with pytest.raises(KeyError):
            journal.entry(99)


def test_reopened_file_resumes_without_loss_or_repeat(tmp_path):
    path = tmp_path / "journal.sqlite"
    journal = Journal(path)
    for number in range(5):
        journal.append(f"F{number}", f"text {number}", float(number))
    journal.complete(1, "converted", 1.5, "primary", record="NAS F0")
    journal.complete(2, "rejected", 2.5, "primary", "SYN112")
    # The process dies here: the third message was being processed and has no outcome.
    del journal

    resumed = Journal(path)
    assert resumed.next_pending().message_id == "F2"
    done = []
    while (entry := resumed.next_pending()) is not None:
        resumed.complete(entry.seq, "converted", 10.0 + entry.seq, "backup")
        done.append(entry.message_id)
    assert done == ["F2", "F3", "F4"]
    statuses = [entry.status for entry in resumed.entries()]
    assert statuses == ["converted", "rejected", "converted", "converted", "converted"]
    assert [entry.message_id for entry in resumed.entries()] == [f"F{n}" for n in range(5)]
    resumed.close()


def test_nas_store_keeps_one_record_per_journal_entry():
    nas = NasStore()
    assert nas.store_record(7, "F7", "NAS F7", 10.0)
    assert not nas.store_record(7, "F7", "NAS F7", 11.0)
    assert nas.duplicates_ignored == 1
    assert len(nas.records) == 1
    assert nas.flights["F7"].first_automatic_s == 10.0


def test_nas_wipe_and_reload_keep_the_history():
    nas = NasStore()
    nas.store_record(1, "F1", "NAS F1", 10.0)
    nas.store_manual("F2", 12.0)
    assert nas.wipe(20.0) == 2
    assert not nas.has_data("F1")
    assert nas.records == {}
    nas.reload(1, "F1", "NAS F1", 30.0)
    data = nas.flights["F1"]
    assert data.present_at(15.0)
    assert not data.present_at(25.0)
    assert data.present_at(35.0)
    assert data.available_from(25.0) == 30.0
    assert data.automatic_at(35.0)
    assert not nas.flights["F2"].automatic_at(15.0)
    assert nas.flights["F2"].present_at(15.0)


def _foreign_files(folder):
    """Return files that are not fpp journals, keyed by the case that each one tests."""
    text = folder / "notes.txt"
    text.write_text("callsign,route\nBAW1,DVR\n")
    other_journal = folder / "other-journal.sqlite"
    other_tables = folder / "other-tables.sqlite"
    other_application = folder / "other-application.sqlite"
    for path, statements in ((other_journal, ["CREATE TABLE journal (x)"]),
                             (other_tables, ["CREATE TABLE foo (x)"]),
                             (other_application, ["PRAGMA application_id = 7", "CREATE TABLE journal (x)"])):
        db = sqlite3.connect(path)
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()
    (folder / "a-folder").mkdir()
    return {
        "not SQLite": (text, "is not an SQLite database"),
        "folder": (folder / "a-folder", "is a folder"),
        "missing folder": (folder / "missing" / "journal.sqlite", "the folder"),
        "journal table of another shape": (other_journal, "has a table journal that fpp did not write"),
        "other tables": (other_tables, "did not write (it has the tables foo)"),
        "other application": (other_application, "of another application"),
    }


@pytest.mark.parametrize("case", ["not SQLite", "folder", "missing folder", "journal table of another shape",
                                  "other tables", "other application"])
def test_journal_rejects_foreign_file_unchanged(tmp_path, case):
    path, expected = _foreign_files(tmp_path)[case]
    before = {item.name: item.read_bytes() for item in tmp_path.iterdir() if item.is_file()}
    with pytest.raises(JournalError, match=re.escape(expected)) as raised:
        Journal(path)
    assert str(path) in str(raised.value)
    assert {item.name: item.read_bytes() for item in tmp_path.iterdir() if item.is_file()} == before
    assert not (tmp_path / "missing").exists()


def test_journal_file_has_application_id(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.append("F1", "text 1", 0.0)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()


def test_journal_opens_older_and_empty_files(tmp_path):
    older = tmp_path / "older.sqlite"
    db = sqlite3.connect(older)
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO journal (message_id, digest, received_s, text) VALUES ('F1', 'd', 0.0, 'text 1')")
    db.commit()
    db.close()
    with Journal(older) as journal:
        assert journal.next_pending().message_id == "F1"

    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with Journal(empty) as journal:
        assert len(journal) == 0
