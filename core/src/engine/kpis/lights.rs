//! The lights: a distributor's values recomputed into the month-to-date scorecard, rolled up
//! the regions, and the lights that changed since they were last reported.

use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

use super::facts::StockReads;
use super::{Facet, KpiChange, KpiState};
use crate::credit::CreditBook;
use crate::dataset::Dataset;
use crate::engine::index::Index;
use crate::engine::stock::StockState;
use crate::error::Result;
use crate::kpi::{KpiInput, KpiValues, Light, Scorecard, first_of_month};
use crate::model::CustomerId;
use crate::views::{Axis, ScorecardView, scorecard_view};

/// A distributor's changed inputs by position on the standard card.
type CardInputs = Vec<(usize, Option<KpiInput>)>;

impl KpiState {
    /// Recomputes the `facets` of one distributor's month-to-date facts (every facet when they
    /// are of another day), then its values; returns whether a light of its own, or a value a
    /// roll-up weighs (a weighted score), changed: only then do the roll-ups move.
    pub(crate) fn recompute(
        &mut self,
        distributor: &CustomerId,
        facets: &[Facet],
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> bool {
        match self.refresh_values(distributor, facets, parts) {
            Some((key, changed)) => self.change_card([(&key, &changed[..])]),
            None => false,
        }
    }

    /// Recomputes every distributor's values (the day changed: windows and ages moved), then
    /// the card: each region's roll-ups once, however many of its distributors moved.
    pub(crate) fn recompute_all(&mut self, d: &Dataset, stock: &StockState, book: &CreditBook, index: &Index) {
        let ids: Vec<CustomerId> = self.distributors.iter().map(|(c, _)| c.clone()).collect();
        let mut moved = Vec::new();
        for id in ids {
            self.facts.remove(&id);
            moved.extend(self.refresh_values(&id, &Facet::ALL, (d, stock, book, index)));
        }
        self.change_card(moved.iter().map(|(key, changed)| (key, &changed[..])));
    }

    /// One distributor's facts and values recomputed as [`KpiState::recompute`] says; returns
    /// its key on the card and the inputs that changed (none: no value moved, or not a
    /// distributor).
    fn refresh_values(
        &mut self,
        distributor: &CustomerId,
        facets: &[Facet],
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> Option<(String, CardInputs)> {
        let found = self.distributor_at.get(distributor).and_then(|&i| self.distributors.get(i));
        let (id, node) = found.cloned()?;
        let as_of = parts.0.as_of;
        let start = first_of_month(as_of);
        let stale = self.facts.get(&id).is_none_or(|(day, _)| *day != as_of);
        let reads = if facets.contains(&Facet::Stock) || stale {
            self.stock_reads(node.as_ref(), (start, as_of), (parts.0, parts.1, parts.3))
        } else {
            StockReads::default()
        };
        let facts = match self.facts.remove(&id) {
            Some((day, mut facts)) if day == as_of => {
                for facet in facets {
                    self.fill(&mut facts, *facet, &id, (start, as_of), reads, parts);
                }
                facts
            }
            _ => self.facts(&id, (start, as_of), reads, parts),
        };
        let values = facts.values();
        self.facts.insert(id.clone(), (as_of, facts));
        let key = id.as_str();
        let changed = changed_inputs(self.values.get(key), &values);
        match self.values.get_mut(key) {
            Some(kept) => *kept = values,
            None => {
                self.values.insert(key.to_owned(), values);
            }
        }
        (!changed.is_empty()).then(|| (key.to_owned(), changed))
    }

    /// The distributors' changed inputs set on the card, rolled up; the lights that moved are
    /// pending changes. Returns whether any did.
    fn change_card<'m>(
        &mut self,
        changed: impl IntoIterator<Item = (&'m String, &'m [(usize, Option<KpiInput>)])>,
    ) -> bool {
        // The distributors and the card's tree come from the same customers
        // (`refresh_customers`), and the values hold the standard KPIs in the card's order: the
        // card knows every member and KPI it is given here.
        match self.card.change_inputs_at(&self.hierarchy, changed, &HashMap::new()) {
            Ok(changed) => {
                let moved = !changed.is_empty();
                self.pending.extend(changed);
                moved
            }
            Err(_) => false,
        }
    }

    /// The card rebuilt from every distributor's values (the tree changed); the lights that
    /// differ from the card before are pending changes.
    pub(super) fn rebuild_card(&mut self) -> Result<()> {
        let inputs: HashMap<(String, String), KpiInput> = self
            .values
            .iter()
            .flat_map(|(member, values)| {
                inputs_of(values).into_iter().map(move |(kpi, input)| ((member.clone(), kpi), input))
            })
            .collect();
        let card = Scorecard::build(&self.hierarchy, &self.kpis, &inputs, &HashMap::new())?;
        let (before, after) = (card_lights(&self.card), card_lights(&card));
        for key in before.keys().chain(after.keys()) {
            let from = before.get(key).copied().unwrap_or(Light::Grey);
            let to = after.get(key).copied().unwrap_or(Light::Grey);
            if from != to {
                self.pending.push((key.0.clone(), key.1.clone(), from, to));
            }
        }
        self.card = card;
        Ok(())
    }

    /// The lights that changed since the last call, in member and KPI order: a light that
    /// changed more than once since is reported once, from where it was to where it is.
    pub(crate) fn light_changes(&mut self) -> Vec<KpiChange> {
        let mut net: BTreeMap<(String, String), (Light, Light)> = BTreeMap::new();
        for (member, kpi, from, to) in self.pending.drain(..) {
            net.entry((member, kpi)).and_modify(|(_, last)| *last = to).or_insert((from, to));
        }
        net.into_iter()
            .filter(|(_, (from, to))| from != to)
            .map(|((member, kpi), (from, to))| {
                let value = self.values.get(&member).and_then(|v| v.get(kpi.as_str()));
                let rolled = self.card.cell(&member, &kpi).and_then(|c| c.rolled.as_ref());
                let red_below = rolled.map(|r| r.red_members.clone()).unwrap_or_default();
                KpiChange::Light { member, kpi, from, to, value, red_below }
            })
            .collect()
    }

    /// The card of the month to date laid out as a scorecard view of `month`.
    pub(crate) fn live_view(&self, d: &Dataset, month: chrono::NaiveDate) -> ScorecardView {
        scorecard_view(d, &self.hierarchy, self.kpis.clone(), &self.card, month, Axis::Region)
    }

    /// Every member's light of every KPI, sorted.
    pub(crate) fn lights(&self) -> BTreeMap<(String, String), Light> {
        card_lights(&self.card)
    }
}

/// The scorecard inputs of the values in `after` that differ from `before` (all of them when
/// there was no `before`), by position on the standard card.
fn changed_inputs(before: Option<&KpiValues>, after: &KpiValues) -> CardInputs {
    after.changed_since(before).map(|(k, value)| (k, Some(this_period(value)))).collect()
}

/// A distributor's values as the scorecard's inputs.
fn inputs_of(values: &KpiValues) -> HashMap<String, KpiInput> {
    values.iter().map(|(kpi, value)| (kpi.to_owned(), this_period(value))).collect()
}

/// A month-to-date value as a scorecard input: this period's value only.
fn this_period(value: Option<Decimal>) -> KpiInput {
    KpiInput { value, previous: None, last_year: None }
}

/// Every cell's light of a card, by (member, KPI).
fn card_lights(card: &Scorecard<String>) -> BTreeMap<(String, String), Light> {
    card.cells
        .iter()
        .flat_map(|(member, row)| row.iter().map(move |(kpi, cell)| ((member.clone(), kpi.clone()), cell.light())))
        .collect()
}
