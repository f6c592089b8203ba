"""The durable live engine through the Python door: `omo.Engine(..., path=p)` writes a new store,
`omo.Engine.open(p)` brings back exactly the committed state (also after the process was killed),
a refused event in a batch leaves the ones before it durable, one engine at a time has the file."""
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys

import pytest

import omo

N = 600  # events in the first group commit; then a few single ones


@pytest.fixture(scope="module")
def history():
    return omo.sample_company(seed=5, distributors=3, retailers_per_distributor=2, farmers=60, years=2)


@pytest.fixture(scope="module")
def cut(history):
    return history.as_of - dt.timedelta(days=40)


@pytest.fixture(scope="module")
def start(history, cut):
    return history.until(cut)


@pytest.fixture(scope="module")
def events(history, cut):
    events = omo.events_of(history, after=cut)
    assert len(events) > N + 100
    return events


def _memory(start, events):
    """The in-memory engine after `events`, applied the same way: what a durable one must equal."""
    eng = omo.Engine(start)
    eng.apply_many(events)
    return eng


def _state(eng):
    return eng.seq, eng.as_of, eng.to_dataset().to_json()


def test_a_durable_engine_reopens_exactly_where_it_was(start, events, tmp_path):
    path = tmp_path / "company.omo"
    eng = omo.Engine(start, path=path)
    assert eng.seq == 0 and eng.as_of == start.as_of and path.exists()
    eng.apply_many(events[:N])
    for event in events[N:N + 5]:
        eng.apply(event)
    day = eng.as_of + dt.timedelta(days=1)
    eng.advance_to(day)  # the clock is durable too
    before = _state(eng)
    assert before[1] == day
    assert before[0] == N + 5
    eng.close()
    with pytest.raises(omo.ArgumentError, match="closed"):
        eng.apply(events[N + 5])

    with omo.Engine.open(path) as again:
        assert _state(again) == before
        with pytest.raises(omo.DuplicateIdError):
            again.apply(events[N])
        assert again.seq == N + 5
        again.apply_many(events[N + 5:])
        assert again.seq == len(events)
        after = _state(again)
    with omo.Engine.open(str(path)) as third:
        assert _state(third) == after
    memory = _memory(start, events[:N + 5])
    memory.advance_to(day)
    memory.apply_many(events[N + 5:])
    assert after == _state(memory)


def test_an_existing_path_is_refused_and_left_alone(start, events, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not a store")
    with pytest.raises(omo.ValidationError, match="open"):
        omo.Engine(start, path=other)
    assert other.read_text() == "not a store"

    path = tmp_path / "company.omo"
    with omo.Engine(start, path=path) as eng:
        eng.apply_many(events[:10])
    with pytest.raises(omo.StoreError, match=r"Engine\.open"):
        omo.Engine(start, path=path)
    with omo.Engine.open(path) as eng:  # untouched by the refused create
        assert eng.seq == 10


def test_opening_what_is_not_a_store_is_refused(tmp_path):
    with pytest.raises(omo.StoreError, match="no such store"):
        omo.Engine.open(tmp_path / "missing.omo")
    junk = tmp_path / "junk.omo"
    junk.write_bytes(b"hello " * 1000)
    with pytest.raises(omo.StoreError, match="not an omo store"):
        omo.Engine.open(junk)
    with pytest.raises(omo.ArgumentError, match="path"):
        omo.Engine.open(42)


def test_one_engine_at_a_time_has_the_file_and_close_releases_it(start, tmp_path):
    path = tmp_path / "company.omo"
    eng = omo.Engine(start, path=path)
    with pytest.raises(omo.StoreError, match="open elsewhere"):
        omo.Engine.open(path)
    eng.close()
    eng.close()  # twice: nothing
    with omo.Engine.open(path) as again:
        assert again.seq == 0
    with omo.Engine.open(path) as again:  # the context manager released it too
        assert again.seq == 0


def test_events_since_reads_the_store_across_reopening(start, events, tmp_path):
    path = tmp_path / "company.omo"
    with omo.Engine(start, path=path) as eng:
        eng.apply_many(events[:300])
        eng.apply(events[300])
    with omo.Engine.open(path) as eng:
        eng.apply_many(events[301:400])
        durable = eng.events_since(0)
        tail = eng.events_since(250)
    memory = _memory(start, events[:400])
    assert durable == memory.events_since(0)
    assert len(durable) == 400 and tail == durable[250:]
    assert [(e["type"], e["id"]) for e in durable] == [(e["type"], e["id"]) for e in events[:400]]
    json.dumps(durable)
    with omo.Engine.open(path) as eng:
        assert eng.events_since(400) == []


def test_apply_many_delivers_the_changes_of_the_committed_events(start, events, tmp_path):
    seen = []
    with omo.Engine(start, path=tmp_path / "company.omo") as eng:
        eng.on_change(seen.append)
        returned = eng.apply_many(events)
    memory_seen = []
    memory = omo.Engine(start)
    memory.on_change(memory_seen.append)
    memory.apply_many(events)
    assert seen and seen == returned == memory_seen
    assert [c["seq"] for c in seen] == sorted(c["seq"] for c in seen)


def test_a_refused_event_in_a_batch_leaves_the_ones_before_it_durable(start, events, tmp_path):
    path = tmp_path / "company.omo"
    k = 450
    batch = events[:k] + [events[7]] + events[k:k + 20]  # a duplicate in the middle
    seen = []
    with omo.Engine(start, path=path) as eng:
        eng.on_change(seen.append)
        with pytest.raises(omo.DuplicateIdError, match=re.escape(events[7]["id"])):
            eng.apply_many(batch)
        assert eng.seq == k
    memory_seen = []
    memory = omo.Engine(start)
    memory.on_change(memory_seen.append)
    memory.apply_many(events[:k])
    assert seen == memory_seen
    with omo.Engine.open(path) as again:
        assert again.seq == k
        assert again.to_dataset().to_json() == memory.to_dataset().to_json()
        again.apply_many(events[k:k + 20])  # the ones after the refusal were never applied
        assert again.seq == k + 20


def test_apply_remote_commits_the_accepted_events_and_reports_each_refusal(start, events, tmp_path):
    path = tmp_path / "company.omo"
    with omo.Engine(start, path=path) as eng:
        eng.apply_many(events[:5])
        results = eng.apply_remote([events[5], events[0], "{not json", events[6]])
        assert results[0]["seq"] == 6 and results[3]["seq"] == 7
        assert results[1]["id"] == events[0]["id"] and results[1]["field"] == "id"
        assert results[2]["id"] is None and results[2]["error"]
    with omo.Engine.open(path) as again:
        assert again.seq == 7
        assert [e["id"] for e in again.events_since(5)] == [events[5]["id"], events[6]["id"]]


CHILD = """
import json, sys
import omo
events = json.load(open(sys.argv[1]))
eng = omo.Engine.open(sys.argv[2])
print("open", flush=True)
step = int(sys.argv[3])
for i in range(0, len(events), step):
    if step == 1:
        eng.apply(events[i])
    else:
        eng.apply_many(events[i:i + step])
    print(eng.seq, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("step", [1, 25])
def test_a_killed_process_loses_nothing_it_acknowledged(start, events, tmp_path, step):
    path = tmp_path / "company.omo"
    omo.Engine(start, path=path).close()
    sent = tmp_path / "events.json"
    sent.write_text(json.dumps(events))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(sent), str(path), str(step)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged = 0
    try:
        assert child.stdout.readline().strip() == "open", child.stderr.read()
        with pytest.raises(omo.StoreError, match="open elsewhere"):  # another process has it
            omo.Engine.open(path)
        lines = 0
        while lines < 200 // step + 3:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged = int(line)
            lines += 1
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
        child.stderr.close()
    assert acknowledged >= 200 or child.returncode == 0

    with omo.Engine.open(path) as again:
        seq = again.seq
        assert acknowledged <= seq <= len(events)
        state = again.to_dataset().to_json()
        assert [e["id"] for e in again.events_since(0)] == [e["id"] for e in events[:seq]]
        again.apply_many(events[seq:])
        assert again.seq == len(events)
    assert state == _memory(start, events[:seq]).to_dataset().to_json()
