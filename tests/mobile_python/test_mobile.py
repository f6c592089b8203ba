"""The Python test of the uniffi-generated omo-mobile bindings (a second language over the same FFI
as the Kotlin test): the same snapshot, the same figures omo-core computed for it.

Run by tests/mobile.sh: python3 test_mobile.py <dir of omo_mobile.py and its .so> <fixture dir>
"""

import concurrent.futures
import configparser
import decimal
import pathlib
import sys
import unittest

BINDINGS, FIXTURE = (pathlib.Path(p) for p in sys.argv[1:3])
sys.path.insert(0, str(BINDINGS))
import omo_core as c  # noqa: E402
import omo_mobile as m  # noqa: E402

parser = configparser.ConfigParser()
parser.read_string("[want]\n" + (FIXTURE / "expected.properties").read_text())
WANT = parser["want"]
D = decimal.Decimal


class MobileBindings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.engine = m.Engine.from_json((FIXTURE / "snapshot.json").read_text())
        cls.customer = WANT["credit.customer"]

    def test_credit_position_and_blocked_order_are_exact(self):
        position = self.engine.credit_position(self.customer).check
        self.assertIsInstance(position.exposure_before, decimal.Decimal)
        self.assertEqual(position.exposure_before, D(WANT["credit.exposure"]))
        self.assertEqual(position.available, position.limit - position.exposure_before)
        over = self.engine.check_order(self.customer, WANT["credit.over_amount"], None, None)
        self.assertEqual(over.decision, c.CreditDecision.BLOCKED)
        self.assertEqual(",".join(f.reason.reason_code() for f in over.findings if f.blocks), WANT["credit.over_codes"])
        self.assertEqual(over.exposure_after, D(WANT["credit.over_exposure_after"]))
        dynamic = self.engine.check_order(self.customer, "1", None, 0)
        self.assertLessEqual(dynamic.exposure_before, position.exposure_before)

    def test_scorecard_alerts_and_forecast(self):
        card = self.engine.scorecard(c.ScorecardAxis.REGION, None)
        self.assertEqual(card.month, WANT["scorecard.month"])
        self.assertEqual(len(card.rows), int(WANT["scorecard.members"]))
        reds = sum(cell.light == c.Light.RED for r in card.rows for cell in r.cells)
        self.assertEqual(reds, int(WANT["scorecard.red_cells"]))
        self.assertEqual(len(self.engine.alerts(12)), int(WANT["alerts.count"]))
        forecasts = self.engine.sell_out_forecast(3)
        self.assertEqual(len(forecasts), int(WANT["forecast.rows"]))
        self.assertEqual(forecasts[0].volume, float(WANT["forecast.first_volume"]))
        naive = m.forecast_series([3.0, 5.0, 4.0, 6.0, 5.0, 7.0], 2, 1, "naive", [80.0])
        self.assertEqual(naive.mean, [7.0, 7.0])

    def test_spi_of_one_node_and_product(self):
        rows = self.engine.spi(WANT["spi.node"], WANT["spi.product"], c.Period.MONTH, None, None)
        self.assertEqual(len(rows), int(WANT["spi.rows"]))
        self.assertEqual(rows[-1].flows.closing, D(WANT["spi.last_closing"]))
        self.assertEqual(sum((r.flows.sales for r in rows), D(0)), D(WANT["spi.total_sales"]))
        later = self.engine.spi(WANT["spi.node"], WANT["spi.product"], c.Period.MONTH, "2025-07-01", None)
        self.assertEqual([r.period for r in later], [r.period for r in rows if r.period >= "2025-07-01"])

    def test_health_and_replenishment(self):
        health = self.engine.inventory_health(None)
        self.assertEqual(health.total_value, sum((s.value for s in health.stock), D(0)))
        orders = self.engine.replenishment(None)
        self.assertTrue(all(o.order.quantity >= 0 and o.order.reason for o in orders))

    def test_channel_stock_take_rfm_and_team_are_the_core_s(self):
        channel = self.engine.channel(c.Period.MONTH, None, None, None)
        self.assertEqual(len(channel), int(WANT["channel.months"]))
        self.assertEqual(channel[-1].sell_out, D(WANT["channel.last_sell_out"]))
        late = self.engine.channel(c.Period.MONTH, None, "2025-07-01", None)
        self.assertEqual(late, [row for row in channel if row.period >= "2025-07-01"])
        take = self.engine.stock_take(None)
        self.assertEqual((take.day, len(take.reconciliation.lines)), (WANT["stock_take.day"], int(WANT["stock_take.lines"])))
        self.assertEqual(take.reconciliation.own.difference_value, D(WANT["stock_take.own_difference"]))
        rfm = self.engine.rfm(None, None)
        self.assertEqual(len(rfm), int(WANT["rfm.customers"]))
        self.assertEqual(sum(r.segment == c.Segment.CHAMPIONS for r in rfm), int(WANT["rfm.champions"]))
        team = self.engine.team_performance(c.Team.BUSINESS_UNIT, None, None)
        self.assertEqual(sum((t.revenue for t in team), D(0)), D(WANT["team.revenue"]))
        with self.assertRaises(c.OmoMobileError.UnknownId):
            self.engine.channel(c.Period.MONTH, "ATLANTIS", None, None)

    def test_a_distributor_s_plan_is_the_core_s(self):
        plan = self.engine.node_plan(WANT["plan.node"], 3)
        self.assertEqual(len(plan), int(WANT["plan.records"]))
        self.assertEqual(plan[0].rows[0].closing, D(WANT["plan.first_closing"]))
        self.assertEqual(sum((r.planned_releases for p in plan for r in p.rows), D(0)), D(WANT["plan.planned_orders"]))
        with self.assertRaises(c.OmoMobileError.UnknownId):
            self.engine.node_plan("NOWHERE", 3)

    def test_bad_input_raises_typed_errors_with_the_core_message(self):
        with self.assertRaises(c.OmoMobileError.InvalidData) as bad:
            m.Engine.from_json('{"company": ')
        self.assertIn("line", bad.exception.detail)
        with self.assertRaises(c.OmoMobileError.UnknownId) as unknown:
            self.engine.credit_position("NO-SUCH")
        self.assertIn("NO-SUCH", unknown.exception.detail)
        with self.assertRaises(c.OmoMobileError.InvalidInput) as nan:
            self.engine.check_order(self.customer, "NaN", None, None)
        self.assertIn("amount", nan.exception.detail)

    def test_bad_input_rows_are_typed_named_short_and_change_nothing(self):
        # The rows of the bad-input catalogue that only a foreign language can write: values that
        # cannot cross into the core (text where an id, a date or an amount is due). The rest of
        # the catalogue is bindings-mobile/tests/bad_input.rs.
        order = self._order("APP-PY-BAD", "1")
        rows = [
            ("amount 10^30", "1000000000000000000000000000000: too large",
             lambda: self.engine.check_order(self.customer, "1" + "0" * 30, None, None)),
            ("amount 10^31", "amount", lambda: self.engine.check_order(self.customer, "1" + "0" * 31, None, None)),
            ("amount 1E+99", "amount", lambda: self.engine.check_order(self.customer, "1E+99", None, None)),
            ("amount 1e30", "amount", lambda: self.engine.check_order(self.customer, "1e30", None, None)),
            ("amount 12,50", "12,50", lambda: self.engine.check_order(self.customer, "12,50", None, None)),
            ("amount NaN", "amount", lambda: self.engine.check_order(self.customer, D("NaN"), None, None)),
            ("amount empty", "amount", lambda: self.engine.check_order(self.customer, "", None, None)),
            ("payment of 10^30", "amount", lambda: self.engine.record_payment(
                c.Payment(id="APP-PY-P", customer=self.customer, date="2026-01-05", amount=D(10) ** 30, currency="CNY"))),
            ("1 MB customer id", "customer", lambda: self.engine.credit_position("X" * (1 << 20))),
            ("empty customer id", "customer", lambda: self.engine.credit_position("")),
            ("1 MB order id", "order id", lambda: self.engine.record_order(self._with(order, id="X" * (1 << 20)))),
            ("currency yuan", "currency", lambda: self.engine.record_payment(
                c.Payment(id="APP-PY-P", customer=self.customer, date="2026-01-05", amount=D(1), currency="yuan"))),
            ("date 2025-13-45", "2025-13-45", lambda: self.engine.check_order(self.customer, D(1), "2025-13-45", None)),
            ("date 31/12/2025", "31/12/2025", lambda: self.engine.record_order(self._with(order, order_date="31/12/2025"))),
            ("date in year 300000", "300000-01-01",
             lambda: self.engine.spi(WANT["spi.node"], None, c.Period.MONTH, "300000-01-01", None)),
            ("infinity in a series", "inf", lambda: m.forecast_series([3.0, float("inf")], 2, 1, "naive", [80.0])),
        ]
        for what, names, call in rows:
            with self.subTest(what):
                before = self.engine.to_json()
                with self.assertRaises(c.OmoMobileError.InvalidInput) as raised:
                    call()
                self.assertIn(names, raised.exception.detail)
                self.assertLess(len(raised.exception.detail), 500)
                self.assertEqual(self.engine.to_json(), before)

    @staticmethod
    def _order(order_id, quantity, discount="0"):
        """An order of `quantity` of the fixture's product at 99.99, taken on 2026-01-05."""
        line = c.SalesLine(product=WANT["spi.product"], quantity=D(quantity), unit_price=D("99.99"), discount=D(discount))
        return c.SalesOrder(id=order_id, customer=WANT["credit.customer"], order_date="2026-01-05",
                            ship_from=WANT["spi.node"], status=c.OrderStatus.OPEN, lines=[line])

    @staticmethod
    def _with(order, **fields):
        """A copy of `order` with `fields` changed."""
        copy = c.SalesOrder(**vars(order))
        for name, value in fields.items():
            setattr(copy, name, value)
        return copy

    def test_an_unknown_kind_of_error_has_a_case_of_its_own(self):
        self.assertTrue(issubclass(c.OmoMobileError.Unexpected, c.OmoMobileError))
        self.assertEqual(c.OmoMobileError.Unexpected(detail="new kind").detail, "new kind")

    def test_zz_recording_offline_then_threads(self):
        engine = m.Engine.from_json((FIXTURE / "snapshot.json").read_text())
        before = engine.credit_position(self.customer)
        engine.record_order(self._order("APP-PY-1", "3", discount="0.1"))
        after = engine.credit_position(self.customer)
        # 3 x 99.99 x 0.9 = 269.973
        self.assertEqual(after.check.breakdown.open_orders - before.check.breakdown.open_orders, D("269.973"))
        pay = c.Payment(id="APP-PY-PAY", customer=self.customer, date="2026-01-05", amount=D(500), currency="USD")
        with self.assertRaises(c.OmoMobileError.CurrencyMismatch):
            engine.record_payment(pay)
        # Sync: the app's order goes to a replica; sent twice, the second is refused with its reason.
        log = engine.events_since(0)
        self.assertEqual([e.seq for e in log], [1])
        replica = m.Engine.from_json((FIXTURE / "snapshot.json").read_text())
        heard = []

        class Listener(m.ChangeListener):
            def on_change(self, change):
                heard.append(change)

        replica.add_listener(Listener())
        first, again = replica.apply_remote([log[0].event, log[0].event])
        self.assertIsInstance(first, m.RemoteOutcome.ACCEPTED)
        self.assertEqual(first.seq, 1)
        self.assertIsInstance(again, m.RemoteOutcome.REFUSED)
        self.assertIsInstance(again.error, c.OmoMobileError.InvalidData)
        self.assertIn("APP-PY-1", again.error.detail)
        self.assertEqual(heard, first.changes)
        self.assertEqual(replica.credit_position(self.customer).check.exposure_before, after.check.exposure_before)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            sizes = set(pool.map(lambda _: len(engine.scorecard(c.ScorecardAxis.BUSINESS_UNIT, None).rows), range(8)))
        self.assertEqual(len(sizes), 1)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
