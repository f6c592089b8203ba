// The Kotlin test of the generated omo-mobile bindings, on the JVM through JNA. It loads the sample
// snapshot that bindings-mobile/tests/engine.rs wrote, and checks that the figures arriving through
// the FFI are the ones omo-core computed for it (expected.properties), plus hand-worked cases.
//
// Run by tests/mobile.sh: java -Djna.library.path=<dir of libomo_mobile.so> -cp ... MobileTestKt <fixture dir>

import java.io.File
import java.math.BigDecimal
import java.util.Properties
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import omo.core.*
import omo.mobile.*

var failures = 0

fun check(what: String, ok: Boolean, detail: () -> String = { "" }) {
    if (ok) println("ok   $what") else { failures += 1; println("FAIL $what ${detail()}") }
}

fun <T> checkEq(what: String, actual: T, expected: T) = check(what, actual == expected) { "got $actual, want $expected" }

/** Amounts are equal when their values are, whatever their scale (1.00 and 1.0000). */
fun checkAmount(what: String, actual: BigDecimal, expected: BigDecimal) =
    check(what, actual.compareTo(expected) == 0) { "got $actual, want $expected" }

inline fun <reified E : Throwable> expectThrows(what: String, body: () -> Unit): E? {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) { println("ok   $what: ${e.message}"); return e }
        failures += 1; println("FAIL $what: threw ${e::class.simpleName}: ${e.message}"); return null
    }
    failures += 1; println("FAIL $what: nothing thrown"); return null
}

/**
 * A row of the bad-input catalogue (bindings-mobile/tests/bad_input.rs has them all): the call throws
 * [E], whose message names [names] and stays short, and the engine's snapshot is what it was.
 */
inline fun <reified E : OmoMobileException> badInput(what: String, engine: Engine, names: String, body: () -> Unit) {
    val before = engine.toJson()
    val e = expectThrows<E>(what, body)
    if (e != null) {
        check("$what: the message names $names", e.message?.contains(names) == true) { "${e.message}" }
        check("$what: the message is short", (e.message?.length ?: 0) < 500) { "${e.message?.length} characters" }
    }
    check("$what: nothing changed", engine.toJson() == before)
}

/** The kind of error an app gets; a kind this version does not know arrives as Unexpected. */
fun kind(e: OmoMobileException): String = when (e) {
    is OmoMobileException.InvalidData -> "invalid data"
    is OmoMobileException.InvalidInput -> "invalid input"
    is OmoMobileException.UnknownId -> "unknown id"
    is OmoMobileException.NegativeStock -> "negative stock"
    is OmoMobileException.CurrencyMismatch -> "currency mismatch"
    is OmoMobileException.Unexpected -> "unexpected: please report"
}

/** An order taken on 2026-01-02: [units] of [product] at [price], shipped from [node]. */
fun order(id: String, customer: String, node: String, product: String, units: String, price: String) = SalesOrder(
    id = id, customer = customer, orderDate = "2026-01-02", shipFrom = node, status = OrderStatus.OPEN,
    lines = listOf(SalesLine(product, BigDecimal(units), BigDecimal(price), BigDecimal.ZERO)),
)

fun main(args: Array<String>) {
    val dir = File(args[0])
    val want = Properties().apply { File(dir, "expected.properties").inputStream().use { load(it) } }
    fun w(key: String): String = want.getProperty(key) ?: error("expected.properties has no $key")
    val engine = Engine.fromJson(File(dir, "snapshot.json").readText())

    // The snapshot as the app sees it.
    val info = engine.info()
    checkEq("snapshot date", info.asOf, w("as_of"))

    // Credit: the position, then an order one unit over what is available is blocked for both reasons.
    val customer = w("credit.customer")
    val position = engine.creditPosition(customer).check
    checkEq("credit limit", position.limit.compareTo(BigDecimal(w("credit.limit"))), 0)
    checkEq("exposure (exact decimal)", position.exposureBefore, BigDecimal(w("credit.exposure")))
    checkEq("available = limit - exposure", position.available, position.limit - position.exposureBefore)
    val ranked = engine.creditPosition(customer)
    checkEq("share of the limit used = exposure / limit", ranked.used?.compareTo(position.exposureBefore.divide(position.limit, java.math.MathContext.DECIMAL128)), 0)
    val over = engine.checkOrder(customer, BigDecimal(w("credit.over_amount")), null, null)
    checkEq("order over the limit is blocked", over.decision, CreditDecision.BLOCKED)
    checkEq("blocking reasons", over.findings.filter { it.blocks }.joinToString(",") { it.reason.reasonCode() }, w("credit.over_codes"))
    checkEq("exposure after", over.exposureAfter, BigDecimal(w("credit.over_exposure_after")))
    val small = engine.checkOrder(customer, BigDecimal("1.00"), null, null)
    checkAmount("a small order adds exactly its amount", small.exposureAfter - small.exposureBefore, BigDecimal("1.00"))

    // Scorecard and alerts.
    val card = engine.scorecard(ScorecardAxis.REGION, null)
    checkEq("scorecard month", card.month, w("scorecard.month"))
    checkEq("scorecard members", card.rows.size, w("scorecard.members").toInt())
    val root = card.rows.first { it.parent == null }
    checkEq("root member", root.member, w("scorecard.root"))
    checkEq("root overall light", root.overall.name.lowercase(), w("scorecard.root_overall"))
    checkEq("red cells", card.rows.sumOf { r -> r.cells.count { it.light == Light.RED } }, w("scorecard.red_cells").toInt())
    val children = card.rows.filter { it.parent == root.member }
    check("drill-down: the root has members below", children.isNotEmpty())
    checkEq("alerts over 12 months", engine.alerts(12u).size, w("alerts.count").toInt())

    // Forecasts: the core's figures, and a hand-worked naive forecast.
    val forecasts = engine.sellOutForecast(3u)
    checkEq("forecast rows", forecasts.size, w("forecast.rows").toInt())
    checkEq("first forecast volume (bit-exact double)", forecasts[0].volume, w("forecast.first_volume").toDouble())
    checkEq("first forecast revenue", forecasts[0].revenue, BigDecimal(w("forecast.first_revenue")))
    val naive = forecastSeries(listOf(3.0, 5.0, 4.0, 6.0, 5.0, 7.0), 2u, 1u, "naive", listOf(80.0))
    checkEq("naive forecast repeats the last value", naive.mean, listOf(7.0, 7.0))
    check("interval widens with the horizon", naive.intervals[0].lower[1] < naive.intervals[0].lower[0])

    // S-P-I of one node and product.
    val spi = engine.spi(w("spi.node"), w("spi.product"), Period.MONTH, null, null)
    checkEq("S-P-I months", spi.size, w("spi.rows").toInt())
    checkEq("closing stock", spi.last().flows.closing, BigDecimal(w("spi.last_closing")))
    checkEq("sales over the months", spi.fold(BigDecimal.ZERO) { a, r -> a + r.flows.sales }, BigDecimal(w("spi.total_sales")))
    check("each month opens with the last one's closing", spi.zipWithNext().all { (a, b) -> a.flows.closing == b.flows.opening })

    // A distributor's own plan: the core's figures, and each period's stock balance by hand.
    val plan = engine.nodePlan(w("plan.node"), 3u)
    checkEq("plan records of the distributor", plan.size, w("plan.records").toInt())
    checkEq("plan product", plan[0].product, w("plan.product"))
    checkEq("plan first closing", plan[0].rows[0].closing, BigDecimal(w("plan.first_closing")))
    checkAmount("planned orders", plan.flatMap { it.rows }.fold(BigDecimal.ZERO) { a, r -> a + r.plannedReleases },
        BigDecimal(w("plan.planned_orders")))
    val balanced = plan.all { p ->
        var opening = p.onHand
        p.rows.all { r ->
            val ok = (opening + r.scheduledReceipts + r.plannedReceipts - r.gross).compareTo(r.closing) == 0
            opening = r.closing
            ok
        }
    }
    check("closing = opening + receipts - gross, every period", balanced)
    check("every suggested order says why", engine.replenishment(null).all { it.order.reason.isNotEmpty() })

    // What a distributor's and a sales manager's app show besides: the channel, the last
    // stock-take, RFM and the business units' last month, the core's figures through the FFI.
    val channel = engine.channel(Period.MONTH, null, null, null)
    checkEq("channel months", channel.size, w("channel.months").toInt())
    checkEq("last month's sell-out", channel.last().sellOut, BigDecimal(w("channel.last_sell_out")))
    checkEq("last month's retailer stock", channel.last().retailerStock, BigDecimal(w("channel.last_retailer_stock")))
    val take = engine.stockTake(null)
    checkEq("last stock-take day", take?.day, w("stock_take.day"))
    checkEq("its count lines", take?.reconciliation?.lines?.size, w("stock_take.lines").toInt())
    checkEq("its own sites' difference", take?.reconciliation?.own?.differenceValue, BigDecimal(w("stock_take.own_difference")))
    val rfm = engine.rfm(null, null)
    checkEq("RFM customers", rfm.size, w("rfm.customers").toInt())
    checkEq("champions", rfm.count { it.segment == Segment.CHAMPIONS }, w("rfm.champions").toInt())
    checkAmount("business units' revenue", engine.teamPerformance(Team.BUSINESS_UNIT, null, null).fold(BigDecimal.ZERO) { a, t -> a + t.revenue },
        BigDecimal(w("team.revenue")))

    // Recording offline: an order of 4 x 250.25 raises open orders by exactly 1001.00.
    val before = engine.creditPosition(customer)
    engine.recordOrder(order("APP-KT-1", customer, w("spi.node"), w("spi.product"), "4", "250.25"))
    val after = engine.creditPosition(customer)
    checkAmount("recorded order booked", after.check.breakdown.openOrders - before.check.breakdown.openOrders, BigDecimal("1001.00"))
    checkEq("snapshot date moved", engine.info().asOf, "2026-01-02")

    // Offline recording, heard by a Kotlin listener: selling all that is on hand is a stock-out.
    val heard = java.util.Collections.synchronizedList(mutableListOf<Change>())
    engine.addListener(object : ChangeListener {
        override fun onChange(change: Change) { heard.add(change) }
    })
    val onHand = engine.spi(w("spi.node"), w("spi.product"), Period.MONTH, null, null).last().flows.closing
    val sold = engine.recordMovement("APP-KT-MOVE-1",
        StockMovement(node = w("spi.node"), product = w("spi.product"), date = "2026-01-02", kind = MovementKind.SALE, quantity = onHand))
    val out = sold.map { it.what }.filterIsInstance<ChangeKind.StockOut>()
    checkEq("selling all on hand is one stock-out", out.map { "${it.node}/${it.product}/${it.onHand.signum()}" },
        listOf("${w("spi.node")}/${w("spi.product")}/0"))
    checkEq("the listener heard every change, in order", heard.toList(), sold)

    // Sync by sequence numbers: the app's two events go to a replica of the same snapshot; the
    // order sent again is refused there with its reason, and the refusal does not stop the others.
    val log = engine.eventsSince(0uL)
    checkEq("events since 0: the order and the sale, numbered", log.map { it.seq }, listOf(1uL, 2uL))
    checkEq("engine sequence number", engine.seq(), 2uL)
    val replica = Engine.fromJson(File(dir, "snapshot.json").readText())
    val outcomes = replica.applyRemote(listOf(log[0].event, log[0].event, log[1].event))
    checkEq("first accepted as 1", (outcomes[0] as? RemoteOutcome.Accepted)?.seq, 1uL)
    val refused = (outcomes[1] as? RemoteOutcome.Refused)?.error
    check("the order sent twice is refused as a duplicate naming it",
        refused is OmoMobileException.InvalidData && refused.detail.contains("APP-KT-1") && refused.detail.contains("duplicate")) { "$refused" }
    checkEq("the sale after the refusal accepted as 2", (outcomes[2] as? RemoteOutcome.Accepted)?.seq, 2uL)
    checkEq("the replica's exposure is the app's", replica.creditPosition(customer).check.exposureBefore,
        engine.creditPosition(customer).check.exposureBefore)
    checkEq("the replica's stock-out reached it too",
        (outcomes[2] as? RemoteOutcome.Accepted)?.changes?.map { it.what }?.filterIsInstance<ChangeKind.StockOut>()?.size, 1)

    // Several threads query the engine at once.
    val pool = Executors.newFixedThreadPool(4)
    val sizes = (1..8).map { pool.submit<Int> { engine.scorecard(ScorecardAxis.BUSINESS_UNIT, null).rows.size } }.map { it.get() }
    pool.shutdown(); pool.awaitTermination(30, TimeUnit.SECONDS)
    check("same scorecard from every thread", sizes.toSet().size == 1)

    // Bad input: typed exceptions with the core's message.
    val bad = expectThrows<OmoMobileException.InvalidData>("malformed snapshot") { Engine.fromJson("{\"company\": ") }
    check("the message says where", bad?.message?.contains("line") == true) { "${bad?.message}" }
    val unknown = expectThrows<OmoMobileException.UnknownId>("unknown customer") { engine.creditPosition("NO-SUCH") }
    check("the message names the id", unknown?.message?.contains("NO-SUCH") == true)
    val badDate = expectThrows<OmoMobileException.InvalidInput>("a date not ISO") { engine.checkOrder(customer, BigDecimal.ONE, "31/12/2025", null) }
    check("the message names the date", badDate?.message?.contains("31/12/2025") == true) { "${badDate?.message}" }

    // A few rows of the bad-input catalogue, through the FFI: typed, named, short, nothing changed.
    val megabyteId = "X".repeat(1 shl 20)
    badInput<OmoMobileException.InvalidInput>("1 MB customer id", engine, "customer") { engine.creditPosition(megabyteId) }
    badInput<OmoMobileException.InvalidInput>("amount 10^30", engine, "amount") {
        engine.checkOrder(customer, BigDecimal("1" + "0".repeat(30)), null, null)
    }
    badInput<OmoMobileException.InvalidInput>("amount 1E+99", engine, "amount") { engine.checkOrder(customer, BigDecimal("1E+99"), null, null) }
    badInput<OmoMobileException.InvalidInput>("payment dated 2025-13-45", engine, "2025-13-45") {
        engine.recordPayment(Payment(id = "APP-KT-PAY", customer = customer, date = "2025-13-45", amount = BigDecimal.TEN, currency = info.currency))
    }
    badInput<OmoMobileException.InvalidData>("sale of a negative quantity", engine, "quantity") {
        engine.recordMovement("APP-KT-MOVE-BAD",
            StockMovement(node = w("spi.node"), product = w("spi.product"), date = "2026-01-02", kind = MovementKind.SALE, quantity = BigDecimal("-5")))
    }
    badInput<OmoMobileException.InvalidData>("order id already recorded", engine, "APP-KT-1") {
        engine.recordOrder(order("APP-KT-1", customer, w("spi.node"), w("spi.product"), "1", "1"))
    }
    badInput<OmoMobileException.InvalidInput>("NaN in a series", engine, "NaN") {
        forecastSeries(listOf(3.0, Double.NaN, 4.0), 2u, 1u, "naive", listOf(80.0))
    }
    val cut = expectThrows<OmoMobileException.InvalidData>("truncated snapshot") {
        Engine.fromJson(File(dir, "snapshot.json").readText().let { it.substring(0, it.length / 2) })
    }
    checkEq("an error's kind, by an exhaustive when", cut?.let { kind(it) }, "invalid data")

    if (failures > 0) { println("$failures check(s) failed"); kotlin.system.exitProcess(1) }
    println("all Kotlin checks passed")
}
