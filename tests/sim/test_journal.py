"""The SQLite journal: order, duplicates, final outcomes, and resuming after the process dies."""

import pytest

from fpp.sim.journal import Journal
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
