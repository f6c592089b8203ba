//! The alerts: their state machines warmed over the history's complete months, stepped at each
//! month close with the month's final values, and where each stands.

use chrono::{Months, NaiveDate};

use super::history::{month_end, warm_months};
use super::{AlertStatus, KpiChange, KpiState};
use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::Dataset;
use crate::engine::index::Index;
use crate::engine::stock::StockState;
use crate::error::Result;
use crate::kpi::{AlertMachine, TRAILING_MONTHS, last_complete_month};
use crate::spi::Period;

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
        self.closed_through = Some(last);
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
        for period in periods {
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
        // Asked at every event: months compared by number, a date made only for one to close.
        let number = |d: NaiveDate| Period::Month.number(d);
        let next = self.closed_through.map_or(number(day), |closed| number(closed) + 1);
        // It is complete once the day after `day` is in a later month.
        (number(day.succ_opt()?) > next).then(|| Period::Month.start_of_number(next)).flatten()
    }

    /// Closes the month starting `month` (the engine's state stands on its last day): keeps
    /// every distributor's values of the month and steps its alerts with them; returns the
    /// transitions.
    pub(crate) fn close_month(
        &mut self,
        month: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> Vec<KpiChange> {
        self.closed_through = Some(month);
        let values = self.month_values(month, month_end(month), parts);
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
        if let Some(next) = month.checked_add_months(Months::new(1)) {
            self.forget_before(self.first_to_keep(next));
        }
        changes
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
