//! The bulk load of a history as a stream (`Engine::load`): what the engine keeps equals what
//! it builds from the whole dataset, before and after a stream of events, and what it folded
//! without keeping is refused by name, never read as if it were missing.

use chrono::{Datelike, Days, NaiveDate};
use omo_core::OmoError;
use omo_core::engine::{Engine, EngineOptions, events_of};
use omo_core::model::{NodeKind, StockMovement};
use omo_core::sample::{SampleConfig, StockRecord, sample_company, sample_company_streamed};
use omo_core::spi::{NodeLevel, Period, ProductLevel};
use omo_core::views::Window;
use rust_decimal::Decimal;

type Res = Result<(), Box<dyn std::error::Error>>;

/// Every state and view the loaded engine reads from what it keeps equals the engine built on
/// the whole history.
fn assert_same(loaded: &Engine, whole: &Engine) -> Res {
    let day = loaded.as_of();
    assert_eq!(loaded.spi_rows(), whole.spi_rows(), "{day}");
    assert_eq!(loaded.stock_on_hand(), whole.stock_on_hand());
    assert_eq!(loaded.lights(), whole.lights());
    assert_eq!(loaded.alert_states(), whole.alert_states());
    assert_eq!(loaded.first_date(), whole.first_date());
    let (l, w) = (loaded.views(), whole.views());
    assert_eq!(l.stock_record_counts(), w.stock_record_counts());
    assert_eq!(l.positions(None)?, w.positions(None)?);
    assert_eq!(l.kpi_history()?, w.kpi_history()?);
    assert_eq!(l.alerts(None)?, w.alerts(None)?);
    assert_eq!(l.health()?, w.health()?);
    let distributor = whole.dataset().nodes.iter().find(|n| n.kind == NodeKind::Distributor).ok_or("none")?;
    assert_eq!(l.node_health(Some(&distributor.id))?, w.node_health(Some(&distributor.id))?);
    for period in [Period::Month, Period::Quarter] {
        let by = (&NodeLevel::Kind, &ProductLevel::Category);
        assert_eq!(l.spi_rollup(by.0, by.1, period, None)?, w.spi_rollup(by.0, by.1, period, None)?);
        assert_eq!(l.channel(period, None, None)?, w.channel(period, None, None)?);
    }
    assert_eq!(l.sell_out_forecast(None)?, w.sell_out_forecast(None)?);
    assert_eq!(l.reconciliation(None)?, w.reconciliation(None)?);
    assert_eq!(l.suggested_orders(None, None)?, w.suggested_orders(None, None)?);
    assert_eq!(l.plan()?, w.plan()?);
    assert_eq!(l.trailing_year(), w.trailing_year());
    let quarter = Window::last_complete_quarter(day);
    let source = omo_core::analytics::SalesSource::SellOut;
    assert_eq!(l.sales(source, Some(quarter))?, w.sales(source, Some(quarter))?);
    Ok(())
}

/// The error of a view the loaded engine refuses: it names the history and the day it keeps
/// records from.
fn assert_refused<T: std::fmt::Debug>(view: omo_core::Result<T>, kept_from: NaiveDate) -> Res {
    match view {
        Err(OmoError::InvalidArgument { name: "history", message }) if message.contains(&kept_from.to_string()) => {
            Ok(())
        }
        other => Err(format!("not refused by the history kept: {other:?}").into()),
    }
}

#[test]
fn a_history_loaded_as_a_stream_keeps_what_the_engine_reads_and_refuses_what_it_folded() -> Res {
    let config = SampleConfig::small(11);
    let company = sample_company(&config)?;
    let cut = company.as_of - Days::new(75);
    let (master, records) = StockRecord::stream_of(company.until(cut));
    // The sample's own stream is this one: the generator's, in date order.
    let mut generated = Vec::new();
    let whole_master = sample_company_streamed(&config, &mut |record| generated.push(record))?;
    assert!(generated.windows(2).all(|w| w[0].date() <= w[1].date()));
    assert_eq!(generated.len(), company.movements.len() + company.pos_sales.len());
    let full = Engine::load(whole_master, generated, EngineOptions::default())?;
    assert_same(&full, &Engine::new(company.clone(), EngineOptions::default())?)?;

    let mut loaded = Engine::load(master, records, EngineOptions::default())?;
    let mut whole = Engine::new(company.until(cut), EngineOptions::default())?;
    let folded = loaded.folded().ok_or("nothing folded")?;
    assert_eq!(folded.kept_from, Some(loaded.open_from()));
    let kept_from = loaded.open_from();
    let kept = loaded.to_dataset();
    assert!(!kept.movements.is_empty() && kept.movements.iter().all(|m| m.date >= kept_from));
    assert!(kept.pos_sales.iter().all(|s| s.date >= kept_from));
    assert_same(&loaded, &whole)?;

    // The views that read older records themselves are refused, naming the day.
    let views = loaded.views();
    assert_refused(views.customer_summaries(None, None), kept_from)?;
    let node = &kept.movements[0].node;
    assert_refused(views.node_ledger(node, None, Period::Month, None), kept_from)?;
    assert_refused(views.spi_rollup(&NodeLevel::Company, &ProductLevel::All, Period::Week, None), kept_from)?;
    let january = NaiveDate::from_ymd_opt(cut.year(), 1, 10).ok_or("date")?;
    let source = omo_core::analytics::SalesSource::SellOut;
    assert_refused(views.sales(source, Some(Window::new(january, cut)?)), kept_from)?;
    // A window inside the records kept is served.
    let recent = Window::new(kept_from + Days::new(3), cut)?;
    assert_eq!(views.sales(source, Some(recent))?, whole.views().sales(source, Some(recent))?);
    // Its snapshot holds the records kept only: restoring it is refused.
    let restored = Engine::restore(loaded.snapshot());
    assert!(matches!(restored, Err(OmoError::InvalidArgument { name: "snapshot", .. })), "{restored:?}");

    // The stream of events after the cut moves both alike, months closing on the way; the
    // records of each month that closes are folded too.
    for event in events_of(&company, cut)? {
        assert_eq!(loaded.apply(event.clone())?, whole.apply(event)?);
    }
    assert_same(&loaded, &whole)?;
    let kept_from = loaded.folded().and_then(|f| f.kept_from).ok_or("nothing kept")?;
    assert!(kept_from > cut && kept_from == loaded.open_from());
    assert!(loaded.to_dataset().movements.iter().all(|m| m.date >= kept_from));
    Ok(())
}

#[test]
fn an_engine_loaded_keeping_no_records_reads_the_same_aggregates_and_refuses_the_record_views() -> Res {
    let company = sample_company(&SampleConfig::small(5))?;
    let cut = company.as_of - Days::new(75);
    let (master, records) = StockRecord::stream_of(company.until(cut));
    let (movements, sales) = (records.iter().filter(|r| matches!(r, StockRecord::Movement(_))).count(), records.len());
    let lean = EngineOptions { keep_open_records: false, ..EngineOptions::default() };
    let mut loaded = Engine::load(master, records, lean)?;
    let mut whole = Engine::new(company.until(cut), EngineOptions::default())?;
    let folded = loaded.folded().ok_or("nothing folded")?;
    // Every record is folded, none kept, and the counts still hold them all.
    assert_eq!(
        (folded.kept_from, folded.movements, folded.pos_sales),
        (None, movements as u64, (sales - movements) as u64)
    );
    assert!(loaded.to_dataset().movements.is_empty() && loaded.to_dataset().pos_sales.is_empty());
    assert_same(&loaded, &whole)?;
    // A view reading records, even of the open period only, is refused naming the option.
    let recent = Window::new(loaded.open_from() + Days::new(3), cut)?;
    let source = omo_core::analytics::SalesSource::SellOut;
    for refused in
        [loaded.views().sales(source, Some(recent)).err(), loaded.views().customer_summaries(None, None).err()]
    {
        let Some(OmoError::InvalidArgument { name: "history", message }) = refused else {
            return Err(format!("not refused: {refused:?}").into());
        };
        assert!(message.contains("keep_open_records off"), "{message}");
    }
    // Events after the cut (months closing on the way) move it as they move the whole engine,
    // and their movements and POS sales are counted, not kept.
    for event in events_of(&company, cut)? {
        assert_eq!(loaded.apply(event.clone())?, whole.apply(event)?);
    }
    assert_same(&loaded, &whole)?;
    assert_eq!(loaded.folded().map(|f| f.kept_from), Some(None));
    assert!(loaded.to_dataset().movements.is_empty());
    Ok(())
}

#[test]
fn a_bad_stream_is_refused_naming_the_record() -> Res {
    let company = sample_company(&SampleConfig::small(2))?;
    let (master, records) = StockRecord::stream_of(company);
    let load = |records: Vec<StockRecord>| Engine::load(master.clone(), records, EngineOptions::default());
    // Out of date order: the record and both dates.
    let mut swapped = records.clone();
    let last = swapped.len() - 1;
    swapped.swap(0, last);
    let Err(OmoError::InvalidArgument { name: "records", message }) = load(swapped) else {
        return Err("out of order accepted".into());
    };
    assert!(message.starts_with("record 1 is dated"), "{message}");
    // An unknown product: the record's position in the stream.
    let mut unknown = records.clone();
    let at = unknown.iter().position(|r| matches!(r, StockRecord::Movement(_))).ok_or("no movement")?;
    if let StockRecord::Movement(m) = &mut unknown[at] {
        m.product = omo_core::model::ProductId::new("NO-SUCH-SKU")?;
    }
    let Err(OmoError::Invalid { issues }) = load(unknown) else { return Err("unknown product accepted".into()) };
    let named = (issues[0].entity.as_str(), issues[0].id.as_str(), issues[0].field.as_str());
    assert_eq!(named, ("stock_movement", format!("#{at}").as_str(), "product"));
    // A sale of more than the shop holds: the day it goes below zero, with the day's numbers.
    let mut oversold = records.clone();
    // The last sale: its shop holds stock from the days before.
    let sale = oversold
        .iter()
        .rposition(|r| {
            matches!(r, StockRecord::Movement(StockMovement { kind: omo_core::model::MovementKind::Sale, .. }))
        })
        .ok_or("no sale")?;
    let day = oversold[sale].date();
    if let StockRecord::Movement(m) = &mut oversold[sale] {
        m.quantity += Decimal::from(1_000_000);
    }
    // The pair's stock before that day and its net change that day, summed from the records.
    let StockRecord::Movement(sold) = &oversold[sale] else { return Err("not a movement".into()) };
    let (mut opening, mut change) = (Decimal::ZERO, Decimal::ZERO);
    for record in &oversold {
        if let StockRecord::Movement(m) = record
            && (&m.node, &m.product) == (&sold.node, &sold.product)
        {
            if m.date < day {
                opening += m.stock_change();
            } else if m.date == day {
                change += m.stock_change();
            }
        }
    }
    let Err(OmoError::NegativeStock { date, before, change: day_change, after, .. }) = load(oversold.clone()) else {
        return Err("negative stock accepted".into());
    };
    assert_eq!((date, before, day_change, after), (day, opening, change, opening + change));
    assert!(after < Decimal::ZERO && opening > Decimal::ZERO);
    // A master holding movements: they belong in the stream.
    let whole = sample_company(&SampleConfig::small(2))?;
    let refused = Engine::load(whole, Vec::new(), EngineOptions::default());
    assert!(matches!(refused, Err(OmoError::InvalidArgument { name: "master", .. })));
    Ok(())
}
