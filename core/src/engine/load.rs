//! The bulk load of a history too long to hold as records ([`Engine::load`]): the master data
//! and the small collections as a dataset, the movements and POS sales as a stream in date
//! order, folded one by one into what the engine keeps — the S-P-I rows, stock layers and
//! issues of each node x product, the sell-out by month, the book stock at each count, the KPI
//! running totals — and kept as records only from the first day of the open period.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::clock::open_from;
use super::counts::CountBooks;
use super::index::Index;
use super::kpis::KpiState;
use super::plan_alerts::PlanAlerts;
use super::stock::StockState;
use super::{Engine, EngineOptions, Event, EventBody};
use crate::analytics::SellOutMonths;
use crate::credit::CreditBook;
use crate::dataset::{Dataset, ValidDataset, references};
use crate::error::{OmoError, Result};
use crate::model::{NodeId, PosSale, ProductId, StockMovement};
use crate::sample::StockRecord;
use crate::spi::Period;

impl TryFrom<Event> for StockRecord {
    type Error = OmoError;

    /// A movement or POS-sale event as a record of a bulk load's stream (its id is not kept:
    /// a load records no event). Any other event is refused, naming it: its record belongs in
    /// the master dataset.
    ///
    /// ```
    /// use omo_core::engine::Event;
    /// use omo_core::sample::StockRecord;
    /// let sale = r#"{"type": "pos_sale", "id": "s1", "record": {"node": "R1", "product": "P1",
    ///     "date": "2026-03-02", "quantity": "2", "revenue": "90.50"}}"#;
    /// let StockRecord::PosSale(sale) = StockRecord::try_from(Event::from_json(sale)?)? else { panic!() };
    /// assert_eq!(sale.revenue.to_string(), "90.50");
    /// let count = r#"{"type": "count", "id": "c1", "record": {"node": "R1", "product": "P1",
    ///     "date": "2026-03-02", "counted": "5"}}"#;
    /// let refused = StockRecord::try_from(Event::from_json(count)?).unwrap_err();
    /// assert!(refused.to_string().contains("count c1"), "{refused}");
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    fn try_from(event: Event) -> Result<Self> {
        match event.body {
            EventBody::Movement(movement) => Ok(StockRecord::Movement(movement)),
            EventBody::PosSale(sale) => Ok(StockRecord::PosSale(sale)),
            other => Err(OmoError::InvalidArgument {
                name: "records",
                message: format!(
                    "event {} {}: only movements and POS sales are streamed; give it in the master dataset",
                    other.kind(),
                    event.id
                ),
            }),
        }
    }
}

/// What a bulk load folded into the engine's state without keeping it as records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedHistory {
    /// The history's first day (its first record, folded or kept).
    pub first_day: NaiveDate,
    /// The first day whose movements and POS sales the engine keeps as records (the first day
    /// of its open period); those before it live on only in its aggregates. `None` when it keeps
    /// none ([`super::EngineOptions::keep_open_records`] off).
    pub kept_from: Option<NaiveDate>,
    /// How many movements were folded without being kept.
    pub movements: u64,
    /// How many POS sales were folded without being kept.
    pub pos_sales: u64,
}

impl Engine {
    /// An engine on a history given as `master` — every record but the movements and POS sales:
    /// master data, orders, shipments, invoices, payments, counts, the supply side — and
    /// `records`, its movements and POS sales in date order (as
    /// [`crate::sample::sample_company_streamed`] makes them). Each record is checked as the
    /// dataset's validation checks it (its references, not after `as_of`, stock not below zero
    /// at the end of any day unless the dataset allows it) and folded into the engine's state;
    /// only those of the open period are kept as records (none with
    /// [`EngineOptions::keep_open_records`] off). Its memory follows the company (its
    /// nodes, products and customers, the months of its rows), not the length of its history.
    ///
    /// Its S-P-I rows, stock, credit positions, lights, alerts and the views that read the
    /// engine's state are those of [`Engine::new`] on the whole history. The views that read
    /// older movements or POS sales themselves (customer summaries, a node's daily ledger, days
    /// and weeks, another day's health) are refused, naming [`FoldedHistory::kept_from`]; so is
    /// [`Engine::restore`] of its snapshot, which holds the records kept only.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, sample_company, sample_company_streamed};
    /// let config = SampleConfig::small(3);
    /// let mut records = Vec::new();
    /// let master = sample_company_streamed(&config, &mut |record| records.push(record))?;
    /// let loaded = Engine::load(master, records, EngineOptions::default())?;
    /// let whole = Engine::new(sample_company(&config)?, EngineOptions::default())?;
    /// assert_eq!(loaded.spi_rows(), whole.spi_rows());
    /// assert!(loaded.to_dataset().movements.len() < whole.to_dataset().movements.len());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// [`OmoError::InvalidArgument`] for a `master` holding movements or POS sales, or a record
    /// dated before the one before it; [`OmoError::Invalid`] naming the record (its position in
    /// the stream) whose references or date fail; [`OmoError::NegativeStock`] for a day whose
    /// movements leave stock below zero; and those of [`Engine::new`] for the master data.
    pub fn load(
        master: Dataset,
        records: impl IntoIterator<Item = StockRecord>,
        options: EngineOptions,
    ) -> Result<Engine> {
        if !master.movements.is_empty() || !master.pos_sales.is_empty() {
            return Err(OmoError::InvalidArgument {
                name: "master",
                message: format!(
                    "holds {} movements and {} POS sales: pass them as the stream of records",
                    master.movements.len(),
                    master.pos_sales.len()
                ),
            });
        }
        super::snapshot::check_options(&options)?;
        let master = ValidDataset::new(master)?.into_inner();
        let index = Index::of(&master);
        let mut fold = Fold::new(&master, &options)?;
        for (row, record) in records.into_iter().enumerate() {
            fold.add(row, record, &master, &index)?;
        }
        fold.finish(master, index, options)
    }

    /// The history's first day: its first record's, kept or folded by [`Engine::load`].
    pub fn first_date(&self) -> Option<NaiveDate> {
        let kept = self.dataset.first_date();
        match self.folded {
            Some(folded) => Some(kept.map_or(folded.first_day, |day| day.min(folded.first_day))),
            None => kept,
        }
    }

    /// What [`Engine::load`] folded without keeping (`None` for an engine holding every record).
    pub fn folded(&self) -> Option<FoldedHistory> {
        self.folded
    }

    /// A loaded engine's movements and POS sales dated before `open_from` (their period just
    /// closed) folded like the history's: no longer kept as records.
    pub(super) fn fold_closed_records(&mut self, open_from: NaiveDate) {
        let Some(folded) = &mut self.folded else { return };
        let d = self.dataset.as_mut_unchecked();
        let kept = (d.movements.len(), d.pos_sales.len());
        d.movements.retain(|m| m.date >= open_from);
        d.pos_sales.retain(|s| s.date >= open_from);
        folded.movements += (kept.0 - d.movements.len()) as u64;
        folded.pos_sales += (kept.1 - d.pos_sales.len()) as u64;
        folded.kept_from = folded.kept_from.map(|_| open_from);
    }
}

/// The state of a bulk load while its stream passes.
struct Fold {
    open_from: NaiveDate,
    /// Whether the open period's movements and POS sales are kept as records.
    keep_open_records: bool,
    allow_negative: bool,
    stock: StockState,
    sell_out: SellOutMonths,
    kpis: KpiState,
    /// The master's counts by date (their positions), the next to settle, and their books.
    counts: Vec<usize>,
    settled: usize,
    books: Vec<Option<Decimal>>,
    kept_movements: Vec<StockMovement>,
    kept_sales: Vec<PosSale>,
    first_day: Option<NaiveDate>,
    /// How many movements and POS sales were folded without being kept.
    folded: (u64, u64),
    /// The day the stream stands on, and the pairs a movement of it left below zero.
    day: Option<NaiveDate>,
    below: Vec<(NodeId, ProductId)>,
    /// The month number the stream stands in.
    month: Option<i64>,
}

impl Fold {
    fn new(master: &Dataset, options: &EngineOptions) -> Result<Self> {
        let mut counts: Vec<usize> = (0..master.counts.len()).collect();
        counts.sort_by_key(|&at| master.counts.get(at).map(|c| c.date));
        Ok(Fold {
            open_from: open_from(master.as_of, options.open_months),
            keep_open_records: options.keep_open_records,
            allow_negative: master.allow_negative_stock,
            stock: StockState::default(),
            sell_out: SellOutMonths::default(),
            kpis: KpiState::start(master, crate::kpi::AlertRule::default(), options.open_months)?,
            books: vec![None; counts.len()],
            counts,
            settled: 0,
            kept_movements: Vec::new(),
            kept_sales: Vec::new(),
            first_day: None,
            folded: (0, 0),
            day: None,
            below: Vec::new(),
            month: None,
        })
    }

    /// Whether a movement or POS sale dated `date` is kept as a record.
    fn keeps(&self, date: NaiveDate) -> bool {
        self.keep_open_records && date >= self.open_from
    }

    /// Checks and folds the stream's record at position `row`.
    fn add(&mut self, row: usize, record: StockRecord, master: &Dataset, index: &Index) -> Result<()> {
        let mut issues = Vec::new();
        let date = match &record {
            StockRecord::Movement(m) => {
                references::check_movement(m, Some(row), index, master.as_of, false, &mut issues);
                m.date
            }
            StockRecord::PosSale(s) => {
                references::check_pos_sale(s, Some(row), index, master.as_of, false, &mut issues);
                s.date
            }
        };
        if !issues.is_empty() {
            return Err(OmoError::Invalid { issues });
        }
        self.move_to(row, date, master)?;
        match record {
            StockRecord::Movement(m) => {
                let after = self.stock.book(&m, self.open_from);
                if !self.allow_negative && after.is_sign_negative() && !after.is_zero() {
                    self.below.push((m.node.clone(), m.product.clone()));
                }
                self.kpis.on_movement(&m);
                if self.keeps(m.date) {
                    self.kept_movements.push(m);
                } else {
                    self.folded.0 += 1;
                }
            }
            StockRecord::PosSale(s) => {
                self.sell_out.add(&s);
                self.kpis.on_pos_sale(&s);
                if self.keeps(s.date) {
                    self.kept_sales.push(s);
                } else {
                    self.folded.1 += 1;
                }
            }
        }
        Ok(())
    }

    /// Moves the stream to `date`: the day before it ends (its stock checked, the counts up to
    /// it settled), and the issues no cover window reads any more are dropped as months pass.
    fn move_to(&mut self, row: usize, date: NaiveDate, master: &Dataset) -> Result<()> {
        match self.day {
            Some(day) if date < day => {
                return Err(OmoError::InvalidArgument {
                    name: "records",
                    message: format!(
                        "record {row} is dated {date}, before the one before it ({day}): give them in date order"
                    ),
                });
            }
            Some(day) if date == day => return Ok(()),
            Some(day) => self.end_day(day)?,
            None => self.first_day = Some(date),
        }
        self.settle_counts(Some(date), master);
        self.day = Some(date);
        let month = Period::Month.number(date);
        if self.month.is_some_and(|m| m != month) {
            self.stock.close_before(self.open_from, date);
        }
        self.month = Some(month);
        Ok(())
    }

    /// Refuses a day that leaves a pair's stock below zero (all its movements applied): of the
    /// pairs a movement of the day took below zero, the first by node and product still below.
    fn end_day(&mut self, day: NaiveDate) -> Result<()> {
        let mut below = std::mem::take(&mut self.below);
        below.sort();
        below.dedup();
        let still_below = below.into_iter().find_map(|(node, product)| {
            let (before, after) = self.stock.held_since_day(&node, &product)?;
            (after.is_sign_negative() && !after.is_zero()).then_some((node, product, before, after))
        });
        match still_below {
            None => Ok(()),
            Some((node, product, before, after)) => Err(OmoError::NegativeStock {
                node: node.to_string(),
                product: product.to_string(),
                date: day,
                before,
                change: after - before,
                after,
            }),
        }
    }

    /// The book of every count dated before `next` (all of them when `None`): the stock of its
    /// node and product now, the stream being past its day.
    fn settle_counts(&mut self, next: Option<NaiveDate>, master: &Dataset) {
        while let Some(&at) = self.counts.get(self.settled) {
            let Some(count) = master.counts.get(at) else { break };
            if next.is_some_and(|next| count.date >= next) {
                break;
            }
            if let Some(book) = self.books.get_mut(at) {
                *book = self.stock.held(&count.node, &count.product);
            }
            self.settled += 1;
        }
    }

    /// The engine once the stream has passed.
    fn finish(mut self, master: Dataset, index: Index, options: EngineOptions) -> Result<Engine> {
        if let Some(day) = self.day {
            self.end_day(day)?;
        }
        self.settle_counts(None, &master);
        self.stock.close_before(self.open_from, master.as_of);
        let first_kept = master.first_date();
        let first_day = match (first_kept, self.first_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut dataset = master;
        dataset.movements = self.kept_movements;
        dataset.pos_sales = self.kept_sales;
        let book = CreditBook::from_dataset(&dataset, dataset.as_of, options.policy.clone())?;
        self.kpis.finish(&dataset, first_day, (&self.stock, &book, &index))?;
        let count_books = CountBooks::from_books(self.books, &dataset.counts);
        let kept_from = options.keep_open_records.then_some(self.open_from);
        let (movements, pos_sales) = self.folded;
        let folded = first_day.filter(|_| movements + pos_sales > 0).map(|first_day| FoldedHistory {
            first_day,
            kept_from,
            movements,
            pos_sales,
        });
        Ok(Engine {
            open_from: open_from(dataset.as_of, options.open_months),
            dataset: ValidDataset::assume_valid(dataset),
            sell_out: self.sell_out,
            count_books,
            index,
            kpis: self.kpis,
            plan_alerts: PlanAlerts::from_records(Vec::new(), crate::kpi::AlertRule::default()),
            options,
            stock: self.stock,
            book,
            seq: 0,
            log: super::event_log::EventLog::after(0),
            seen: Default::default(),
            subscribers: Vec::new(),
            folded,
            touched: Vec::new(),
        })
    }
}
