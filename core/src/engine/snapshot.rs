//! The engine's whole state as a store keeps it: [`EngineSnapshot`], its format, and how an
//! engine is written to one ([`Engine::snapshot`]) and restored from one ([`Engine::restore`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clock::open_from;
use super::index::Index;
use super::kpis::{KpiAlertRecord, KpiState};
use super::load::FoldedHistory;
use super::plan_alerts::{PlanAlertRecord, PlanAlerts};
use super::seen::EventFingerprint;
use super::stock::StockState;
use super::{Engine, EngineOptions};
use crate::credit::CreditBook;
use crate::dataset::{Dataset, ValidDataset};
use crate::error::{OmoError, Result};
use crate::model::CustomerId;

/// The format of [`EngineSnapshot`] this version writes (it reads formats 1 and 2 too).
pub const SNAPSHOT_FORMAT: u32 = 3;

/// The engine's whole state in a form a store writes and reads back: the history with every
/// applied event folded in, the sequence number, and the fingerprints of every applied event. Versioned:
/// [`EngineSnapshot::from_json`] refuses a format it does not know, naming it.
///
/// ```
/// use omo_core::engine::{Engine, EngineOptions, EngineSnapshot};
/// let engine = Engine::new(Engine::empty_history()?, EngineOptions::default())?;
/// let json = serde_json::to_string(&engine.snapshot()).unwrap();
/// assert_eq!(EngineSnapshot::from_json(&json)?.seq, 0);
/// let newer = json.replacen("\"format\":3", "\"format\":4", 1);
/// assert!(EngineSnapshot::from_json(&newer).unwrap_err().to_string().contains("format 4"));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSnapshot {
    /// The snapshot's format ([`SNAPSHOT_FORMAT`] when written by this version).
    pub format: u32,
    /// The dataset as of the engine's clock.
    pub dataset: Dataset,
    /// How the engine runs.
    pub options: EngineOptions,
    /// The sequence number of the last applied event.
    pub seq: u64,
    /// The fingerprint of every applied event's `(type, id)`, for the duplicate rule, sorted
    /// (format 1 kept the pairs themselves; they are read as their fingerprints).
    pub seen: Vec<EventFingerprint>,
    /// The plan's alert machines (none unless [`EngineOptions::plan_alerts`] is on).
    #[serde(default)]
    pub plan_alerts: Vec<PlanAlertRecord>,
    /// The distributors' KPI alert machines as they stand, and as they stood before each
    /// closed month a posting can still move (format 3). A machine remembers further back than
    /// the months an engine built on a history warms it over (an alert kept firing through
    /// months with no value, or inside its hysteresis), so a restored engine takes them from
    /// here. `None` (formats 1 and 2, and [`Engine::new`]): warmed from the history's months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi_alerts: Option<Vec<KpiAlertRecord>>,
    /// The last month the KPI alert machines stepped through (its first day), with them: a
    /// clock on a month's last day has not closed that month until time passes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi_alerts_through: Option<NaiveDate>,
    /// What a bulk load folded without keeping ([`Engine::load`]): such a snapshot's dataset
    /// holds the records kept only, so [`Engine::restore`] refuses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folded: Option<FoldedHistory>,
}

impl EngineSnapshot {
    /// Reads a snapshot's JSON: its format first (a newer one is refused naming it, before its
    /// fields are read), then the whole.
    pub fn from_json(json: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let head: Format =
            serde_json::from_str(json).map_err(|e| OmoError::Json(format!("engine snapshot: format: {e}")))?;
        check_format(head.format)?;
        serde_json::from_str(json).map_err(|e| OmoError::Json(format!("engine snapshot: {e}")))
    }
}

/// Format 1 kept every applied event's `(type, id)`; format 2 keeps their fingerprints; format 3
/// adds the KPI alert machines.
fn check_format(format: u32) -> Result<()> {
    if (1..=SNAPSHOT_FORMAT).contains(&format) {
        return Ok(());
    }
    Err(OmoError::InvalidArgument {
        name: "snapshot",
        message: format!("engine snapshot format {format}: this version of omo reads formats 1 to {SNAPSHOT_FORMAT}"),
    })
}

/// Refuses options an engine cannot run with.
pub(super) fn check_options(options: &EngineOptions) -> Result<()> {
    if options.open_months == 0 {
        return Err(OmoError::InvalidArgument {
            name: "open_months",
            message: "at least the clock's own month must be open".to_owned(),
        });
    }
    Ok(())
}

impl Engine {
    /// An engine back from a snapshot (see [`Engine::snapshot`]); its log starts empty.
    pub fn restore(snapshot: EngineSnapshot) -> Result<Self> {
        check_format(snapshot.format)?;
        if let Some(folded) = snapshot.folded {
            let kept = folded.kept_from.map_or_else(|| "all".to_owned(), |day| format!("those before {day}"));
            return Err(OmoError::InvalidArgument {
                name: "snapshot",
                message: format!(
                    "an engine bulk-loaded from a stream: its movements and POS sales ({kept}) were folded into its \
                     state, not kept, and snapshot format {SNAPSHOT_FORMAT} holds records only; load it again"
                ),
            });
        }
        snapshot.dataset.validate().into_result()?;
        Engine::build(snapshot)
    }

    /// The engine of a snapshot whose dataset is valid.
    pub(super) fn build(snapshot: EngineSnapshot) -> Result<Self> {
        let EngineSnapshot {
            format: _,
            dataset,
            options,
            seq,
            seen,
            plan_alerts,
            kpi_alerts,
            kpi_alerts_through,
            folded: _,
        } = snapshot;
        check_options(&options)?;
        let open_from = open_from(dataset.as_of, options.open_months);
        let stock = StockState::from_movements(&dataset.movements, open_from, dataset.as_of);
        let book = CreditBook::from_dataset(&dataset, dataset.as_of, options.policy.clone())?;
        let index = Index::of(&dataset);
        let mut kpis =
            KpiState::new(&dataset, (&stock, &book, &index), crate::kpi::AlertRule::default(), options.open_months)?;
        if let Some(records) = kpi_alerts {
            let is_customer = |id: &str| CustomerId::new(id).is_ok_and(|id| index.customers.contains_key(&id));
            kpis.restore_alerts(records, kpi_alerts_through, &is_customer)?;
        }
        let sell_out = crate::analytics::SellOutMonths::of(&dataset.pos_sales);
        let count_books = super::counts::CountBooks::of(&dataset.movements, &dataset.counts);
        Ok(Engine {
            open_from,
            dataset: ValidDataset::assume_valid(dataset),
            sell_out,
            count_books,
            index,
            kpis,
            plan_alerts: PlanAlerts::from_records(plan_alerts, crate::kpi::AlertRule::default()),
            options,
            stock,
            book,
            seq,
            log: super::event_log::EventLog::after(seq),
            seen: seen.into_iter().collect(),
            subscribers: Vec::new(),
            folded: None,
            touched: Vec::new(),
        })
    }

    /// The whole state, for a store to write (see [`Engine::restore`]).
    pub fn snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            format: SNAPSHOT_FORMAT,
            dataset: Dataset::clone(&self.dataset),
            options: self.options.clone(),
            seq: self.seq,
            seen: self.seen.sorted(),
            plan_alerts: self.plan_alerts.records(),
            kpi_alerts: Some(self.kpis.alert_records()),
            kpi_alerts_through: self.kpis.closed_through(),
            folded: self.folded,
        }
    }
}
