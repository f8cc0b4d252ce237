"""Killing the chain in the middle of a run and restarting it from the journal file.

The first model stops while a channel converts a message; only the SQLite file and the NAS
store (another system) survive. A new model opens the same file, takes the messages the feed
has not sent yet, and runs to the end of the day. Nothing may be lost or done twice, and the
outcomes must equal those of a run that was never killed.
"""

from collections import Counter

import pytest

from fpp.sim.journal import Journal
from fpp.sim.nas import NasStore
from fpp.sim.params import apply_overrides
from fpp.sim.runner import build_run_plan, make_model
from tests.sim.conftest import SMALL_DAY


def end_of_day_s(bench, plan, params):
    return (bench.day_start() - plan.epoch).total_seconds() + (24.0 + params.end_after_day_h) * 3600.0


def kill_and_resume(bench, params, plan, path, kill_s):
    nas = NasStore()
    journal = Journal(path)
    first = make_model(bench, params, plan, journal, nas)
    first.run(kill_s)
    head = journal.next_pending()
    journal.close()
    del first

    resumed = Journal(path)
    remaining = [message for message in plan.schedule if message.send_s > kill_s]
    second = make_model(bench, params, plan, resumed, nas, start_s=kill_s, schedule=remaining)
    second.run(end_of_day_s(bench, plan, params))
    return resumed, nas, head, second


@pytest.fixture(scope="module")
def slow_channels(aug2023):
    # 20 s per message, so that a message is in a channel at the moment of the kill.
    params = apply_overrides(aug2023.setup.params, {"flights_per_day": SMALL_DAY, "processing_s": 20.0})
    plan = build_run_plan(aug2023.bench, params, [], aug2023.setup.seed)
    return params, plan


def test_killed_run_ends_like_an_uninterrupted_one(aug2023, slow_channels, tmp_path):
    params, plan = slow_channels
    bench = aug2023.bench
    reference_journal, reference_nas = Journal(), NasStore()
    make_model(bench, params, plan, reference_journal, reference_nas).run(end_of_day_s(bench, plan, params))

    sent = next(message for message in plan.schedule if message.send_s > plan.schedule[0].send_s + 12 * 3600)
    kill_s = sent.send_s + 5.0
    journal, nas, head, _ = kill_and_resume(bench, params, plan, tmp_path / "journal.sqlite", kill_s)

    assert head is not None
    assert head.message_id == sent.message_id
    entries = journal.entries()
    assert [entry.message_id for entry in entries] == [message.message_id for message in plan.schedule]
    assert Counter(entry.status for entry in entries) == reference_journal.counts()
    assert all(entry.status == "converted" for entry in entries)
    assert journal.entry(head.seq).done_s > kill_s
    assert set(nas.records) == {entry.seq for entry in entries}
    assert nas.duplicates_ignored == 0
    assert len(nas.flights) == len(reference_nas.flights) == len(plan.schedule)
    journal.close()
    reference_journal.close()


def test_restart_takes_the_poison_plan_first_again(aug2023, tmp_path):
    params = apply_overrides(aug2023.setup.params, {"flights_per_day": SMALL_DAY})
    faults = aug2023.faults(aug2023.setup.fault_tables)
    plan = build_run_plan(aug2023.bench, params, faults, aug2023.setup.seed)
    kill_s = (aug2023.scenario.local_to_utc("09:00:00") - plan.epoch).total_seconds()
    journal, _, head, second = kill_and_resume(aug2023.bench, params, plan, tmp_path / "journal.sqlite", kill_s)

    assert head.message_id == "FBU731"
    first_stop = next(event for event in second.log.events if event.kind == "critical exception")
    assert first_stop.detail.startswith("FBU731:")
    assert (first_stop.time - plan.epoch).total_seconds() == pytest.approx(kill_s + params.processing_s)
    counts = journal.counts()
    assert counts["quarantined"] == 1
    assert counts.get("pending", 0) == 0
    assert sum(counts.values()) == len(plan.schedule)
    journal.close()
