//! The alerts: their state machines warmed over the history's complete months, stepped at each
//! month close with the month's final values, and where each stands.

use chrono::{Datelike, Months, NaiveDate};

use super::history::{month_end, warm_months};
use super::{AlertStatus, KpiAlertRecord, KpiChange, KpiState};
use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::Dataset;
use crate::engine::index::Index;
use crate::engine::stock::StockState;
use crate::error::{OmoError, Result};
use crate::kpi::{AlertMachine, Light, TRAILING_MONTHS, first_of_month, last_complete_month};
use crate::model::CustomerId;
use crate::spi::Period;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

impl KpiState {
    /// Computes the values of the months the standard window reads (see
    /// [`KpiState::warm_months`]) from the running totals and the stock, each with the credit
    /// book of its last day, and runs the alerts over the window's months up to the last
    /// complete one on the clock (a month is complete once the clock reaches its last day), so
    /// that their timers stand where the history left them. Once, at bulk load.
    pub(super) fn warm_alerts(
        &mut self,
        d: &Dataset,
        first: Option<NaiveDate>,
        stock: &StockState,
        index: &Index,
        policy: &CreditPolicy,
    ) -> Result<()> {
        let Some(last) = last_complete_month(d.as_of) else { return Ok(()) };
        self.close_through(last);
        for month in warm_months(last) {
            let end = month_end(month).min(d.as_of);
            let book = CreditBook::from_dataset(d, end, policy.clone())?;
            let values = self.month_values(month, end, (d, stock, &book, index));
            self.closed_values.insert(month, values);
        }
        if first.is_none_or(|first| first > last) {
            return Ok(());
        }
        let periods = crate::kpi::months_up_to(last, crate::kpi::months_since(first, last, TRAILING_MONTHS));
        let still_open = self.first_to_keep(first_of_month(d.as_of));
        for period in periods {
            if period >= still_open {
                self.alerts_before.insert(period, self.alerts.clone());
            }
            for (member, _) in &self.distributors {
                let values = self.closed_values.get(&period).and_then(|v| v.get(member));
                for kpi in &self.kpis {
                    let value = values.and_then(|v| v.get(kpi.id.as_str()));
                    let machine = self
                        .alerts
                        .entry((member.to_string(), kpi.id.clone()))
                        .or_insert_with(|| AlertMachine::new(&self.rule));
                    machine.step(kpi, &self.rule, &member.to_string(), period, value);
                }
            }
        }
        Ok(())
    }

    /// The first month not closed yet, when it ends on or before `day`.
    pub(crate) fn next_to_close(&self, day: NaiveDate) -> Option<NaiveDate> {
        // Asked at every event: once a month closed, one comparison with the next one's last day.
        if let Some((next, last_day)) = self.next_close {
            return (day >= last_day).then_some(next);
        }
        let number = |d: NaiveDate| Period::Month.number(d);
        let next = self.closed_through.map_or(number(day), |closed| number(closed) + 1);
        // It is complete once the day after `day` is in a later month.
        (number(day.succ_opt()?) > next).then(|| Period::Month.start_of_number(next)).flatten()
    }

    /// Notes the month starting `month` as the last whose alerts have stepped, and the next
    /// month's first and last days.
    fn close_through(&mut self, month: NaiveDate) {
        self.closed_through = Some(month);
        let next = month.checked_add_months(Months::new(1));
        self.next_close = next.and_then(|next| Some((next, next.checked_add_months(Months::new(1))?.pred_opt()?)));
    }

    /// Closes the month starting `month` (the engine's state stands on its last day): keeps
    /// every distributor's values of the month and steps its alerts with them; returns the
    /// transitions. What postings can still move is kept back to the first month open on
    /// `clock`, the day the clock moves to (the month itself while the clock is on its last day).
    pub(crate) fn close_month(
        &mut self,
        month: NaiveDate,
        clock: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> Vec<KpiChange> {
        self.close_through(month);
        let values = self.month_values(month, month_end(month), parts);
        self.alerts_before.insert(month, self.alerts.clone());
        let mut changes = Vec::new();
        for (id, _) in &self.distributors {
            let values = values.get(id);
            for kpi in &self.kpis {
                let value = values.and_then(|v| v.get(kpi.id.as_str()));
                let machine = self
                    .alerts
                    .entry((id.to_string(), kpi.id.clone()))
                    .or_insert_with(|| AlertMachine::new(&self.rule));
                if let Some(event) = machine.step(kpi, &self.rule, &id.to_string(), month, value) {
                    changes.push(event.into());
                }
            }
        }
        self.keep_month(month, values);
        let first = self.first_to_keep(first_of_month(clock));
        self.forget_before(first);
        self.alerts_before = self.alerts_before.split_off(&first);
        changes
    }

    /// Steps `distributor`'s alerts again from the closed month `from` (its values computed
    /// again by a late posting) through the last closed one, from where they stood before
    /// `from`; returns how each alert now stands where that differs from before, as the
    /// transition from the old standing to the new (an alert no longer raised: resolved).
    pub(super) fn restep_alerts(&mut self, distributor: &CustomerId, from: NaiveDate) -> Vec<KpiChange> {
        let Some(closed) = self.closed_through else { return Vec::new() };
        if !self.alerts_before.contains_key(&from) {
            return Vec::new();
        }
        let member = distributor.to_string();
        let mut changes = Vec::new();
        for kpi in &self.kpis {
            let key = (member.clone(), kpi.id.clone());
            let started = self.alerts_before.get(&from).and_then(|before| before.get(&key)).copied();
            let mut machine = started.unwrap_or_else(|| AlertMachine::new(&self.rule));
            let mut month = from;
            while month <= closed {
                if month > from
                    && let Some(before) = self.alerts_before.get_mut(&month)
                {
                    before.insert(key.clone(), machine);
                }
                machine.step(kpi, &self.rule, &member, month, self.closed_value(month, distributor, &kpi.id));
                let Some(next) = month.checked_add_months(Months::new(1)) else { break };
                month = next;
            }
            let old = self.alerts.insert(key, machine).and_then(|m| m.raised());
            let value = self.closed_value(closed, distributor, &kpi.id);
            if let Some(change) = restanding(kpi, &member, closed, (old, machine.raised()), value) {
                changes.push(change);
            }
        }
        changes
    }

    /// Drops the alerts, and the closed months' values, of members that are no longer
    /// distributors (one made another kind of customer): an engine built on the dataset now
    /// holds none of them. Returns each alert that stood raised as resolved in the last closed
    /// month.
    pub(super) fn retire_alerts(&mut self) -> Vec<KpiChange> {
        let KpiState { alerts, alerts_before, closed_values, distributor_at, kpis, closed_through, .. } = self;
        let is_distributor = |member: &str| CustomerId::new(member).is_ok_and(|id| distributor_at.contains_key(&id));
        let mut changes = Vec::new();
        alerts.retain(|(member, kpi), machine| {
            if is_distributor(member) {
                return true;
            }
            let definition = kpis.iter().find(|k| &k.id == kpi);
            if let (Some(definition), Some(month)) = (definition, *closed_through) {
                changes.extend(restanding(definition, member, month, (machine.raised(), None), None));
            }
            false
        });
        for machines in alerts_before.values_mut() {
            machines.retain(|(member, _), _| is_distributor(member));
        }
        for values in closed_values.values_mut() {
            values.retain(|id, _| distributor_at.contains_key(id));
        }
        changes
    }

    /// A distributor's value of a KPI in a closed month kept.
    fn closed_value(&self, month: NaiveDate, distributor: &CustomerId, kpi: &str) -> Option<Decimal> {
        self.closed_values.get(&month).and_then(|v| v.get(distributor)).and_then(|v| v.get(kpi))
    }

    /// Every alert machine for a snapshot: as each stands, then as each stood before each closed
    /// month a posting can still move.
    pub(crate) fn alert_records(&self) -> Vec<KpiAlertRecord> {
        let record = |before: Option<NaiveDate>, ((member, kpi), machine): (&(String, String), &AlertMachine)| {
            KpiAlertRecord { member: member.clone(), kpi: kpi.clone(), before, machine: *machine }
        };
        let now = self.alerts.iter().map(|entry| record(None, entry));
        let before = self
            .alerts_before
            .iter()
            .flat_map(|(month, machines)| machines.iter().map(move |entry| record(Some(*month), entry)));
        now.chain(before).collect()
    }

    /// Puts back the machines a snapshot kept in place of those warmed from the history. A
    /// record of a member that is not a customer (`is_customer`), of an unknown KPI, or kept
    /// before a month not closed (or not a month's first day) is refused, naming it; one of a
    /// customer that is no longer a distributor (kept by a snapshot written before such
    /// machines were dropped) is left out, as [`KpiState::retire_alerts`] drops it.
    pub(crate) fn restore_alerts(
        &mut self,
        records: Vec<KpiAlertRecord>,
        through: Option<NaiveDate>,
        is_customer: &dyn Fn(&str) -> bool,
    ) -> Result<()> {
        // The machines stepped through `through`, not through the month the clock's history
        // warms them to (a clock on a month's last day has not closed it yet).
        match through {
            Some(month) => self.close_through(month),
            None => (self.closed_through, self.next_close) = (None, None),
        }
        let mut alerts = BTreeMap::new();
        let mut before: BTreeMap<NaiveDate, BTreeMap<(String, String), AlertMachine>> = BTreeMap::new();
        for (i, r) in records.into_iter().enumerate() {
            self.check_alert_record(&r, is_customer).map_err(|message| OmoError::InvalidArgument {
                name: "snapshot",
                message: format!("kpi_alerts[{i}] ({} / {}): {message}", r.member, r.kpi),
            })?;
            let machines = match r.before {
                Some(month) => before.entry(month).or_default(),
                None => &mut alerts,
            };
            machines.insert((r.member, r.kpi), r.machine);
        }
        (self.alerts, self.alerts_before) = (alerts, before);
        self.retire_alerts();
        Ok(())
    }

    /// Why a snapshot's alert record cannot be this state's, if it cannot.
    fn check_alert_record(
        &self,
        r: &KpiAlertRecord,
        is_customer: &dyn Fn(&str) -> bool,
    ) -> std::result::Result<(), String> {
        if !is_customer(&r.member) {
            return Err("not a customer of the snapshot's dataset".to_owned());
        }
        if !self.kpis.iter().any(|k| k.id == r.kpi) {
            return Err("not a KPI of the standard catalogue".to_owned());
        }
        match r.before {
            Some(month) if month.day() != 1 || self.closed_through.is_none_or(|closed| month > closed) => {
                Err(format!("kept before {month}, which is not a closed month's first day"))
            }
            _ => Ok(()),
        }
    }

    /// The last month whose alerts have stepped (its first day).
    pub(crate) fn closed_through(&self) -> Option<NaiveDate> {
        self.closed_through
    }

    /// Where every alert stands, Grafana's way.
    pub(crate) fn alert_states(&self) -> Vec<AlertStatus> {
        self.alerts
            .iter()
            .map(|((member, kpi), machine)| {
                let last = self.values.get(member).and_then(|v| v.get(kpi.as_str()));
                let state = AlertStatus::state_name(machine, last.is_some());
                AlertStatus { member: member.clone(), kpi: kpi.clone(), state, raised: machine.raised() }
            })
            .collect()
    }
}

/// An alert whose standing a late posting moved from the light it was raised at to another
/// (`None`: not raised), as the transition a close would have reported: raised, escalated, or
/// resolved (no longer raised, or raised at a lighter light); `None` when it stands as it did.
/// `value` is the distributor's value of the last closed `month`.
fn restanding(
    kpi: &crate::kpi::KpiDefinition,
    member: &str,
    month: NaiveDate,
    (old, new): (Option<Light>, Option<Light>),
    value: Option<Decimal>,
) -> Option<KpiChange> {
    use crate::kpi::AlertEventKind::{Escalated, Raised, Resolved};
    let kind = match (old, new) {
        _ if old == new => return None,
        (None, Some(_)) => Raised,
        (Some(o), Some(n)) if n > o => Escalated,
        _ => Resolved,
    };
    let threshold = crate::kpi::evaluate(kpi, value, None, None).threshold;
    Some(KpiChange::Alert {
        kpi: kpi.id.clone(),
        member: member.to_owned(),
        month,
        kind,
        light: new.unwrap_or(Light::Green),
        value,
        threshold,
    })
}
