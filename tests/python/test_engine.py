"""The live engine through the Python door: replay equals batch, changes reach callbacks in
order, refused events change nothing and raise the class of their reason, sync reports each
refusal in its place."""
import datetime as dt
import json
from decimal import Decimal

import pytest

import omo


@pytest.fixture(scope="module")
def history():
    return omo.sample_company(seed=5, distributors=3, retailers_per_distributor=2, farmers=60, years=2)


def _cut(history):
    return history.as_of - dt.timedelta(days=40)


def _sorted_records(dataset, collection):
    return sorted(json.dumps(r, sort_keys=True) for r in json.loads(dataset._native.records_json(collection)))


@pytest.mark.parametrize("cut_at", ["forty days before the end", "between a deposit and its pickup"])
def test_replaying_what_happened_after_a_cut_ends_where_the_dataset_is(history, cut_at):
    # The sample's preseason deposits are paid on 10 January and allocated to the invoices of
    # the pickups from March: a cut between the two holds the deposit unallocated.
    cut = _cut(history) if cut_at.startswith("forty") else dt.date(history.as_of.year, 2, 1)
    events = omo.events_of(history, after=cut)
    assert events and all(e["type"] in omo.engine._TYPES for e in events)
    allocations = [e for e in events if e["type"] == "payment_allocation"]
    assert bool(allocations) == cut_at.startswith("between"), allocations[:1]
    for allocation in allocations:
        assert set(allocation["record"]) == {"payment", "invoice", "amount", "date"}
    json.dumps(events)  # plain JSON: money and dates as strings
    with omo.Engine(history.until(cut)) as eng:
        assert eng.as_of == cut and eng.seq == 0
        eng.apply_many(events)
        eng.advance_to(history.as_of)
        assert eng.seq == len(events) and eng.as_of == history.as_of
        now = eng.to_dataset()
        for collection in ("movements", "orders", "shipments", "invoices", "payments", "credit_accounts"):
            assert _sorted_records(now, collection) == _sorted_records(history, collection), collection
        live = eng.spi_rollup(nodes="node").reset_index(drop=True)
        batch = omo.spi_rollup(history, nodes="node").reset_index(drop=True)
        assert live.equals(batch)
        live_positions = eng.credit_book().positions().reset_index(drop=True)
        batch_positions = omo.CreditBook(history).positions().reset_index(drop=True)
        assert live_positions.equals(batch_positions)
        # Every view reads the engine itself (no copy of its history) and shows the batch's numbers.
        for view in ("scorecard", "alerts", "inventory_health", "suggest_orders", "customer_summaries", "rfm",
                     "channel_view", "team_performance"):
            live, batch = getattr(eng, view)(), getattr(omo, view)(history)
            if view == "scorecard":
                live, batch = live.frame, batch.frame
            assert live.reset_index(drop=True).equals(batch.reset_index(drop=True)), view
            assert live.attrs == batch.attrs, view
    with pytest.raises(omo.ArgumentError, match="closed"):
        eng.scorecard()


def _account(history):
    return json.loads(history._native.records_json("credit_accounts"))[0]["customer"]


def _order(history, order_id, customer, day):
    product = json.loads(history._native.records_json("products"))[0]["id"]
    node = json.loads(history._native.records_json("nodes"))[0]["id"]
    return {"type": "order", "id": order_id, "record": {
        "id": order_id, "customer": customer, "order_date": day.isoformat(), "requested_date": None,
        "ship_from": node, "status": "open",
        "lines": [{"product": product, "quantity": "2", "unit_price": Decimal("99.50"), "discount": "0"}]}}


def test_a_blocked_account_s_order_is_reported_to_the_callback_with_what_to_do(history):
    eng = omo.Engine(history)
    seen = []
    eng.on_change(seen.append)
    customer = _account(history)
    day = history.as_of + dt.timedelta(days=1)
    stamp = {"date": day.isoformat(), "by": "credit manager", "reason": "cheque bounced"}
    # The first event of a new month also turns the month-to-date lights.
    block = eng.apply({"type": "credit_block", "id": "BLK-1", "record": {"customer": customer, "stamp": stamp}})
    assert {c["type"] for c in block} <= {"light"}
    assert all({"kpi", "member", "from", "to", "value", "seq", "date", "action"} <= set(c) for c in block)
    changes = eng.apply(_order(history, "SO-LIVE-1", customer, day))
    assert changes[0]["type"] == "order_blocked" and {c["type"] for c in changes[1:]} <= {"light"}
    assert seen == block + changes
    change = changes[0]
    assert change["seq"] == 2 and change["customer"] == customer and "account_blocked" in change["codes"]
    assert change["action"].startswith("hold order SO-LIVE-1 of 199")
    assert Decimal(change["amount"]) == Decimal("199.00")


def test_an_alert_to_reorder_names_its_lines_and_one_to_chase_the_credit_above_which_to_hold(history):
    # Over the last 200 days, months close with distributors short of cover and paying late.
    cut = history.as_of - dt.timedelta(days=200)
    alerts = []
    with omo.Engine(history.until(cut)) as eng:
        eng.on_change(lambda c: alerts.append(c) if c["type"] == "alert" and c["kind"] != "resolved" else None)
        eng.apply_many(omo.events_of(history, after=cut))
    reorders = [a for a in alerts if a["action_code"] == "reorder"]
    chases = [a for a in alerts if a["action_code"] == "chase_invoices"]
    assert reorders and chases, {a["action_code"] for a in alerts}
    for alert in reorders:
        assert alert["reorders"] and alert["hold_above"] is None
        for line in alert["reorders"]:
            assert set(line) == {"node", "product", "quantity"} and Decimal(line["quantity"]) > 0
            assert f'{Decimal(line["quantity"]).normalize():f} of {line["product"]}' in alert["action"]
    for alert in chases:
        left = Decimal(alert["hold_above"])
        assert left >= 0 and alert["reorders"] == []
        held = f"hold its orders above {left.quantize(Decimal('0.01'))}" if left else "hold every new order"
        assert held in alert["action"], alert["action"]


def test_a_region_s_light_change_names_the_distributors_red_below_it(history):
    cut = _cut(history)
    distributors = {c["id"] for c in json.loads(history._native.records_json("customers")) if c["kind"] == "distributor"}
    light = {}  # each distributor's own light, as its changes report it
    named = 0
    with omo.Engine(history.until(cut)) as eng:
        for event in omo.events_of(history, after=cut):
            changes = [c for c in eng.apply(event) if c["type"] == "light"]
            light.update({(c["member"], c["kpi"]): c["to"] for c in changes if c["member"] in distributors})
            for change in (c for c in changes if c["member"] not in distributors):
                assert change["value"] is None
                for distributor in change["red_below"]:
                    assert light.get((distributor, change["kpi"]), "red") == "red", (change, distributor)
                if change["red_below"]:
                    assert change["action"].endswith(f"(red below: {', '.join(change['red_below'])})")
                    named += 1
    assert named


def test_the_live_scorecard_and_the_alerts_standing_are_what_the_changes_and_the_batch_say(history):
    cut = _cut(history)
    with omo.Engine(history.until(cut)) as eng:
        events = omo.events_of(history, after=cut)
        changes = eng.apply_many(events[: len(events) // 2])
        live = eng.live_scorecard()
        # The month to date, as the batch scorecard of the same records has it.
        batch = omo.scorecard(eng.to_dataset(), month=eng.as_of)
        assert live.month == batch.month == eng.as_of.replace(day=1)
        cells = ["member", "kpi", "light"]
        assert live.frame[cells].equals(batch.frame[cells])
        # Each light the changes moved stands where its last change left it.
        last = {(c["member"], c["kpi"]): c["to"] for c in changes if c["type"] == "light"}
        now = {(r["member"], r["kpi"]): r["light"] for r in live.frame.to_dict("records")}
        assert last and all(now.get(key, "grey") == light for key, light in last.items())
        states = eng.alert_states()
        assert list(states.columns) == ["member", "kpi", "state", "raised"]
        assert set(states["state"]) <= {"normal", "pending", "firing", "recovering", "no_data"}
        firing = states[states["state"] == "firing"]
        assert firing["raised"].notna().all() and (states[states["state"] == "normal"]["raised"].isna()).all()
        html = eng._repr_html_()
        reds = int((live.frame["light"] == "red").sum())
        assert f"seq {eng.seq}, as of {eng.as_of}" in html and f"{reds} red" in html
        assert f"Alerts firing: {len(firing)}" in html
    assert eng._repr_html_() == "<b>omo.Engine</b> closed"


@pytest.mark.parametrize("durable", [False, True])
def test_a_batch_reports_each_day_s_net_light_moves_and_ends_where_one_by_one_ends(history, tmp_path, durable):
    cut = _cut(history)
    events = omo.events_of(history, after=cut)
    chunks = [events[i : i + 300] for i in range(0, len(events), 300)]
    seen = []  # what the callback received
    with omo.Engine(history.until(cut)) as each, omo.Engine(
        history.until(cut), path=str(tmp_path / "batched.db") if durable else None
    ) as batched:
        batched.on_change(seen.append)
        for chunk in chunks:
            before = {(r["member"], r["kpi"]): r["light"] for r in batched.live_scorecard().frame.to_dict("records")}
            first_seq = batched.seq + 1
            one_by_one = each.apply_many(chunk)
            changes = batched.apply_batch(chunk)
            # Everything but a light comes as applying each event gives it.
            assert [c for c in changes if c["type"] != "light"] == [c for c in one_by_one if c["type"] != "light"]
            # A light's changes in the batch: the net move over each day of the chunk.
            day = [e["record"].get("date") for e in chunk]
            net = {}
            for c in (c for c in one_by_one if c["type"] == "light"):
                key = (day[c["seq"] - first_seq] or c["date"], c["member"], c["kpi"])
                net.setdefault(key, [c["from"], c["to"]])[1] = c["to"]
            moved = {key: tuple(fr_to) for key, fr_to in net.items() if fr_to[0] != fr_to[1]}
            reported = {(c["date"], c["member"], c["kpi"]): (c["from"], c["to"]) for c in changes if c["type"] == "light"}
            assert reported == moved
            for c in (c for c in changes if c["type"] == "light"):
                assert before.get((c["member"], c["kpi"]), "grey") == c["from"]
                before[(c["member"], c["kpi"])] = c["to"]
        assert batched.seq == each.seq == len(events)
        cells = ["member", "kpi", "light"]
        assert batched.live_scorecard().frame[cells].equals(each.live_scorecard().frame[cells])
        assert batched.alert_states().equals(each.alert_states())
        assert seen and len([c for c in seen if c["type"] == "light"]) < len(
            [c for c in omo.Engine(history.until(cut)).apply_many(events) if c["type"] == "light"]
        )


def test_refused_events_raise_the_class_of_their_reason_and_change_nothing(history):
    eng = omo.Engine(history)
    customer = _account(history)
    day = history.as_of + dt.timedelta(days=1)
    eng.apply(_order(history, "SO-1", customer, day))
    before = (eng.seq, eng.as_of, eng.to_dataset().to_json())
    with pytest.raises(omo.DuplicateIdError, match='event order "SO-1"'):
        eng.apply(_order(history, "SO-1", customer, day))
    with pytest.raises(omo.DuplicateIdError, match="sales_order"):
        eng.apply(_order(history, "SO-1", customer, day) | {"id": "another-event-id"})
    with pytest.raises(omo.ArgumentError, match="float"):
        bad = _order(history, "SO-2", customer, day)
        bad["record"]["lines"][0]["unit_price"] = 99.5
        eng.apply(bad)
    with pytest.raises(omo.ClosedPeriodError):
        eng.apply(_order(history, "SO-3", customer, history.as_of - dt.timedelta(days=90)))
    with pytest.raises(omo.InvalidDataError, match='customer: unknown customer "NO-SUCH-CUSTOMER"'):
        eng.apply(_order(history, "SO-4", "NO-SUCH-CUSTOMER", day))
    with pytest.raises(omo.JsonError, match="order_date"):
        eng.apply(json.dumps(_order(history, "SO-5", customer, day), default=str).replace(day.isoformat(), "2026-02-30"))
    with pytest.raises(omo.JsonError):
        eng.apply("{not json")
    typo = day.replace(year=day.year + 180)  # a mistyped year, five years being the most allowed
    with pytest.raises(omo.DateAheadError, match=f"order_date {typo.isoformat()} is .* days after the engine's clock"):
        eng.apply(_order(history, "SO-6", customer, typo))
    assert (eng.seq, eng.as_of, eng.to_dataset().to_json()) == before
    # The limit is the engine's option: a day wider takes the edge, none takes any distance.
    edge = history.as_of + dt.timedelta(days=omo.DEFAULT_MAX_DAYS_AHEAD + 1)
    with pytest.raises(omo.DateAheadError):
        omo.Engine(history).apply(_order(history, "SO-7", customer, edge))
    wider = omo.Engine(history, max_days_ahead=omo.DEFAULT_MAX_DAYS_AHEAD + 1)
    wider.apply(_order(history, "SO-7", customer, edge))
    assert wider.as_of == edge
    unlimited = omo.Engine(history, max_days_ahead=None)
    unlimited.apply(_order(history, "SO-6", customer, typo))
    assert unlimited.as_of == typo


def test_a_payment_allocated_after_it_was_booked_pays_that_invoice_and_a_bad_one_changes_nothing(history):
    eng = omo.Engine(history)
    customer = _account(history)
    day = history.as_of + dt.timedelta(days=1)
    eng.apply({"type": "payment", "id": "PAY-AHEAD", "record": {
        "id": "PAY-AHEAD", "customer": customer, "date": day.isoformat(), "amount": Decimal("500"),
        "currency": "CNY", "allocations": []}})
    lines = [{"product": json.loads(history._native.records_json("products"))[0]["id"], "quantity": "1",
              "unit_price": "800", "discount": "0"}]
    eng.apply({"type": "invoice", "id": "INV-NEW", "record": {
        "id": "INV-NEW", "kind": "invoice", "customer": customer, "date": day.isoformat(),
        "due_date": (day + dt.timedelta(days=30)).isoformat(), "currency": "CNY", "order": None,
        "against": None, "lines": lines}})

    def allocation(event_id, amount, on=day):
        return {"type": "payment_allocation", "id": event_id, "record": {
            "payment": "PAY-AHEAD", "invoice": "INV-NEW", "amount": amount, "date": on.isoformat()}}

    before = (eng.seq, eng.to_dataset().to_json())
    with pytest.raises(omo.ValidationError, match="amount: 500.01 is more than the payment has left, 500"):
        eng.apply(allocation("A-1", Decimal("500.01")))
    with pytest.raises(omo.ValidationError, match="date: .* is before the payment's date"):
        eng.apply(allocation("A-1", Decimal("100"), on=day - dt.timedelta(days=1)))
    with pytest.raises(omo.ArgumentError, match="float"):
        eng.apply(allocation("A-1", 100.0))
    assert (eng.seq, eng.to_dataset().to_json()) == before
    eng.apply(allocation("A-1", Decimal("300")))
    payments = json.loads(eng.to_dataset()._native.records_json("payments"))
    paid = next(p for p in payments if p["id"] == "PAY-AHEAD")
    assert paid["allocations"] == [{"invoice": "INV-NEW", "amount": "300"}]
    live = eng.credit_book().positions().reset_index(drop=True)
    batch = omo.CreditBook(eng.to_dataset()).positions().reset_index(drop=True)
    assert live.equals(batch)


def test_a_replica_s_events_each_get_a_seq_or_a_reason_in_their_place(history):
    eng = omo.Engine(history)
    seen = []
    eng.on_change(seen.append)
    customer = _account(history)
    day = history.as_of + dt.timedelta(days=1)
    stamp = {"date": day.isoformat(), "by": "credit manager", "reason": "cheque bounced"}
    other = json.loads(history._native.records_json("customers"))[-1]["id"]
    floaty = _order(history, "APP-3", other, day)
    floaty["record"]["lines"][0]["quantity"] = 2.0
    results = eng.apply_remote([
        # The first event of a new month turns the month-to-date lights.
        {"type": "credit_block", "id": "BLK-1", "record": {"customer": customer, "stamp": stamp}},
        _order(history, "APP-1", customer, day),      # blocked by the credit check now
        _order(history, "APP-2", other, day),         # fine
        floaty,                                        # a float: refused in its place
        _order(history, "APP-2", other, day),         # the same event again
    ])
    block, results = results[0], results[1:]
    assert block["seq"] == 1 and block["changes"] and {c["type"] for c in block["changes"]} == {"light"}
    assert results[0]["id"] == "APP-1" and "blocked by the credit check" in results[0]["error"]
    assert results[1]["seq"] == 2
    assert results[2]["id"] == "APP-3" and "float" in results[2]["error"]
    assert results[3]["id"] == "APP-2" and results[3]["field"] == "id"
    # The accepted events' changes, in order, are what the callback saw.
    assert seen == block["changes"] + results[1]["changes"]
    assert [e["id"] for e in eng.events_since(1)] == ["APP-2"]
    assert eng.events_since(1)[0]["record"]["lines"][0]["unit_price"] == "99.50"


def test_in_memory_events_since_serves_the_latest_log_capacity_events(history):
    cut = _cut(history)
    events = omo.events_of(history, after=cut)[:5]
    with omo.Engine(history.until(cut), log_capacity=3) as eng:
        eng.apply_many(events)
        assert [e["id"] for e in eng.events_since(2)] == [e["id"] for e in events[2:]]
        assert eng.events_since(3)[0] == events[3]
        # None after the last, the largest sequence number included (it overflowed once).
        assert eng.events_since(5) == [] and eng.events_since(2**64 - 1) == []
        with pytest.raises(omo.ArgumentError, match="no longer in memory"):
            eng.events_since(1)
    with omo.Engine(history.until(cut)) as eng:  # the core's default keeps them all here
        eng.apply_many(events)
        assert len(eng.events_since(0)) == 5


def test_with_plan_alerts_a_line_overloaded_ahead_raises_an_alert_to_build_ahead(history):
    # From the end of September each month close plans six months ahead; as the spring peak
    # comes into view a line's heaviest month goes red, and the second close running raises it.
    # The plant here works four fifths of the sample's hours, so that the peak overloads a line.
    company = json.loads(history.to_json())
    for line in company["supply"]["production_lines"]:
        line["hours_per_month"] = str(Decimal(line["hours_per_month"]) * 4 / 5)
    history = omo.Dataset.from_json(json.dumps(company))
    cut = dt.date(history.as_of.year, 9, 30)
    events = omo.events_of(history, after=cut)
    with omo.Engine(history.until(cut), plan_alerts=True) as eng:
        changes = eng.apply_many(events) + eng.advance_to(history.as_of)
    alerts = [c for c in changes if c["type"] == "alert" and c["kpi"] == "capacity_load"]
    assert alerts and {a["kind"] for a in alerts} == {"raised"}
    assert {a["action_code"] for a in alerts} == {"build_ahead"}
    assert all(a["action"].startswith(f"build ahead on line {a['member']}") for a in alerts)
    # Each value is the line's heaviest month in the plan of the company as it stood at the end
    # of the month closed.
    for a in alerts:
        month = dt.date.fromisoformat(a["month"])
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        loads = omo.plan.supply_chain_plan(history.until(end)).line_loads
        mine = loads[(loads["line"] == a["member"]) & (loads["capacity_hours"] > 0)]
        heaviest = max(Decimal(str(r)) / Decimal(str(c)) for r, c in zip(mine["required_hours"], mine["capacity_hours"]))
        assert abs(Decimal(a["value"]) - heaviest) < Decimal("0.0001"), (a, heaviest)
    with omo.Engine(history.until(cut)) as eng:
        quiet = eng.apply_many(events) + eng.advance_to(history.as_of)
    assert not [c for c in quiet if c["type"] == "alert" and c["kpi"] in ("capacity_load", "oem_on_time")]


def _master_and_stream(history):
    """The history's master (every record but movements and POS sales) and those two as one
    stream of events in date order."""
    whole = json.loads(history.to_json())
    stream = [{"type": kind, "id": f"{kind}-{i}", "record": record}
              for kind, collection in (("movement", "movements"), ("pos_sale", "pos_sales"))
              for i, record in enumerate(whole[collection])]
    stream.sort(key=lambda event: event["record"]["date"])
    whole["movements"], whole["pos_sales"] = [], []
    return omo.Dataset.from_json(json.dumps(whole)), stream


def test_a_bulk_load_read_from_a_generator_gives_the_views_of_the_whole_history(history):
    master, stream = _master_and_stream(history)
    read = []

    def records():  # a generator, as over a file: read one at a time
        for event in stream:
            read.append(event["id"])
            yield json.dumps(event)

    with omo.Engine.load(master, records(), keep_open_records=False) as eng, omo.Engine(history) as whole:
        assert len(read) == len(stream) and eng.as_of == history.as_of
        for view in ("spi_rollup", "scorecard", "inventory_health"):
            live, batch = getattr(eng, view)(), getattr(whole, view)()
            if view == "scorecard":
                live, batch = live.frame, batch.frame
            assert live.reset_index(drop=True).equals(batch.reset_index(drop=True)), view
        # Aggregates only: a view that reads the records themselves is refused, naming the option.
        with pytest.raises(omo.ArgumentError, match="keep_open_records"):
            eng.customer_summaries()


def test_a_bulk_load_into_a_store_reopens_with_the_same_views_and_goes_on(history, tmp_path):
    master, stream = _master_and_stream(history)
    path = tmp_path / "loaded.omo"
    last = next(e for e in reversed(stream) if e["type"] == "movement")
    receipt = {"type": "movement", "id": "grn-after-load",
               "record": dict(last["record"], kind="receipt", quantity="7", counterparty=None, reference=None)}
    with omo.Engine.load(master, (json.dumps(e) for e in stream), path=path) as eng:
        assert path.exists() and eng.seq == 0
        loaded = eng.spi_rollup()
        eng.apply(receipt)
    with omo.Engine.open(path) as again, omo.Engine(history) as whole:
        assert again.seq == 1
        # The history folded from the file is the whole history's; the receipt replayed on it.
        assert loaded.reset_index(drop=True).equals(whole.spi_rollup().reset_index(drop=True))
        whole.apply(receipt)
        assert again.spi_rollup().reset_index(drop=True).equals(whole.spi_rollup().reset_index(drop=True))
        assert not again.spi_rollup().reset_index(drop=True).equals(loaded.reset_index(drop=True))
    # A load refused on a record leaves no file behind.
    refused = tmp_path / "refused.omo"
    with pytest.raises(omo.ArgumentError, match="date order"):
        omo.Engine.load(master, [json.dumps(stream[-1]), json.dumps(stream[0])], path=refused)
    assert not refused.exists()


def test_a_bulk_load_stops_at_the_first_record_it_cannot_take_and_names_it(history):
    master, stream = _master_and_stream(history)
    bad = dict(stream[3], record=dict(stream[3]["record"], node="NO-SUCH-NODE"))
    with pytest.raises(omo.ValidationError, match="NO-SUCH-NODE"):
        omo.Engine.load(master, stream[:3] + [bad] + stream[4:])
    order = {"type": "order", "id": "o-1", "record": json.loads(history.to_json())["orders"][0]}
    with pytest.raises(omo.ValidationError, match="order o-1"):
        omo.Engine.load(master, [stream[0], order])
    with pytest.raises(omo.ValidationError, match="float"):
        omo.Engine.load(master, [dict(stream[0], record=dict(stream[0]["record"], quantity=1.5))])
    with pytest.raises(omo.ArgumentError, match="date order"):
        omo.Engine.load(master, [stream[-1], stream[0]])
