//! The alerts: their state machines warmed over the history's complete months, stepped at each
//! month close with the month's final values, and where each stands.

use chrono::{Days, Months, NaiveDate};

use super::{AlertStatus, KpiChange, KpiState};
use crate::credit::CreditBook;
use crate::dataset::Dataset;
use crate::engine::index::Index;
use crate::engine::stock::StockState;
use crate::error::Result;
use crate::kpi::{AlertMachine, first_of_month, last_complete_month};
use crate::spi::Period;

impl KpiState {
    /// Runs the alerts over the twelve complete months up to the clock (a month is complete once
    /// the clock reaches its last day), with the batch catalogue (once, at bulk load), so that
    /// their timers stand where the history left them.
    pub(super) fn warm_alerts(&mut self, d: &Dataset) -> Result<()> {
        let Some(last) = last_complete_month(d.as_of) else { return Ok(()) };
        self.closed_through = Some(last);
        let months = crate::kpi::months_in_data(d, last, 12);
        if d.first_date().is_none_or(|first| first > last) {
            return Ok(());
        }
        let periods = crate::kpi::months_up_to(last, months);
        // The engine validated its history when it was built.
        let history = crate::kpi::standard_history(&crate::dataset::Checked(d), &periods)?;
        for (period, inputs) in periods.iter().zip(&history) {
            for (member, _) in &self.distributors {
                for kpi in &self.kpis {
                    let value = inputs.get(&(member.to_string(), kpi.id.clone())).and_then(|i| i.value);
                    let machine = self
                        .alerts
                        .entry((member.to_string(), kpi.id.clone()))
                        .or_insert_with(|| AlertMachine::new(&self.rule));
                    machine.step(kpi, &self.rule, &member.to_string(), *period, value);
                }
            }
        }
        Ok(())
    }

    /// The first month not closed yet, when it ends on or before `day`.
    pub(crate) fn next_to_close(&self, day: NaiveDate) -> Option<NaiveDate> {
        let next = match self.closed_through {
            Some(closed) => closed.checked_add_months(Months::new(1))?,
            None => first_of_month(day),
        };
        let end = next.checked_add_months(Months::new(1))? - Days::new(1);
        (end <= day).then_some(next)
    }

    /// Closes the month starting `month` (the engine's state stands on its last day): steps
    /// every alert with the month's final values; returns the transitions.
    pub(crate) fn close_month(
        &mut self,
        month: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> Vec<KpiChange> {
        self.closed_through = Some(month);
        let end = month.checked_add_months(Months::new(1)).map_or(month, |d| d - Days::new(1));
        let mut changes = Vec::new();
        let distributors = self.distributors.clone();
        for (id, node) in &distributors {
            let number = Period::Month.number(month);
            if let Some(n) = node {
                self.refresh_health(n, number, end, (parts.0, parts.1, parts.3));
            }
            let wape = node.as_ref().and_then(|n| self.wape_of(n, number, parts.1));
            let values = self.facts((id, node.as_ref()), (month, end), wape, parts).values();
            for kpi in &self.kpis {
                let value = values.get(kpi.id.as_str()).copied().flatten();
                let machine = self
                    .alerts
                    .entry((id.to_string(), kpi.id.clone()))
                    .or_insert_with(|| AlertMachine::new(&self.rule));
                if let Some(event) = machine.step(kpi, &self.rule, &id.to_string(), month, value) {
                    changes.push(event.into());
                }
            }
        }
        if let Some(next) = month.checked_add_months(Months::new(1)) {
            self.forget_before(next);
        }
        changes
    }

    /// Where every alert stands, Grafana's way.
    pub(crate) fn alert_states(&self) -> Vec<AlertStatus> {
        self.alerts
            .iter()
            .map(|((member, kpi), machine)| {
                let last = self.values.get(member).and_then(|v| v.get(kpi.as_str()).copied().flatten());
                let state = AlertStatus::state_name(machine, last.is_some());
                AlertStatus { member: member.clone(), kpi: kpi.clone(), state, raised: machine.raised() }
            })
            .collect()
    }
}
