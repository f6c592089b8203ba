//! Scorecards: a set of KPIs evaluated for every member of an axis, rolled up its hierarchy by
//! worst light, weighted score or share in red, with drill-down to the members that made a light
//! red.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::hash::{BuildHasher, Hash};

use super::definition::{KpiDefinition, Light, RollUp};
use super::evaluate::{Evaluation, evaluate};
use crate::error::{OmoError, Result};
use crate::model::Hierarchy;

/// A member's inputs by the KPI's position on the card (`None`: no own value).
type ByPosition<'i> = Vec<(usize, Option<&'i KpiInput>)>;

/// What is known of one KPI for one member: this period's value, the previous period's and last
/// year's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiInput {
    /// This period's value.
    pub value: Option<Decimal>,
    /// The previous period's value.
    pub previous: Option<Decimal>,
    /// The same period last year.
    pub last_year: Option<Decimal>,
}

/// A light rolled up from the members below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolledUp<K> {
    /// The rolled-up light.
    pub light: Light,
    /// The weighted score, where the method computes one.
    pub score: Option<Decimal>,
    /// Members below (leaves with a value of their own) in each light.
    pub counts: BTreeMap<Light, usize>,
    /// The members below whose own light is red: what made it red.
    pub red_members: Vec<K>,
}

/// One KPI of one member: its own evaluation (where it has a value of its own) and, for a member
/// with members below, the roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell<K> {
    /// Evaluation of the member's own value.
    pub own: Option<Evaluation>,
    /// Roll-up of the members below.
    pub rolled: Option<RolledUp<K>>,
}

impl<K> Cell<K> {
    /// The light to show: the roll-up where there is one, else the member's own.
    pub fn light(&self) -> Light {
        self.rolled.as_ref().map(|r| r.light).or_else(|| self.own.as_ref().map(|e| e.light)).unwrap_or(Light::Grey)
    }
}

/// KPIs x members of one axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard<K: Ord> {
    /// The KPIs, in order.
    pub kpis: Vec<KpiDefinition>,
    /// The cells by member and KPI id.
    pub cells: BTreeMap<K, BTreeMap<String, Cell<K>>>,
}

impl<K: Clone + Ord + Hash + Display> Scorecard<K> {
    /// Evaluates every KPI for every member of `hierarchy` that has an input, and rolls the
    /// leaves' lights up to every member above them. `weights` weigh members in weighted roll-ups
    /// (1 when absent). An input for a member not in the hierarchy is an error naming it.
    pub fn build(
        hierarchy: &Hierarchy<K>,
        kpis: &[KpiDefinition],
        inputs: &HashMap<(K, String), KpiInput>,
        weights: &HashMap<K, Decimal>,
    ) -> Result<Self> {
        if let Some(((member, kpi), _)) =
            inputs.iter().find(|((m, k), _)| !hierarchy.contains(m) || !kpis.iter().any(|d| &d.id == k))
        {
            let (kind, id) =
                if hierarchy.contains(member) { ("kpi", kpi.clone()) } else { (hierarchy.axis(), member.to_string()) };
            return Err(OmoError::UnknownId { kind, id });
        }
        // Every input evaluated once; roll-ups read the leaves' evaluations.
        let own: rustc_hash::FxHashMap<(&K, usize), Evaluation> = inputs
            .iter()
            .filter_map(|((member, kpi), i)| {
                let k = kpis.iter().position(|d| &d.id == kpi)?;
                Some(((member, k), evaluate(&kpis[k], i.value, i.previous, i.last_year)))
            })
            .collect();
        let mut cells: BTreeMap<K, BTreeMap<String, Cell<K>>> = BTreeMap::new();
        for (member, leaves) in hierarchy.leaves_by_member() {
            // A leaf rolls up nothing below it (its own value is its cell's `own`).
            let leaves: Vec<&K> = if hierarchy.is_leaf(member) { Vec::new() } else { leaves };
            let mut row = BTreeMap::new();
            for (k, kpi) in kpis.iter().enumerate() {
                let below: Vec<(&K, &Evaluation)> =
                    leaves.iter().filter_map(|leaf| Some((*leaf, own.get(&(*leaf, k))?))).collect();
                let below = (!leaves.is_empty()).then_some(&below[..]);
                if let Some(cell) = cell_of(kpi, own.get(&(member, k)).cloned(), below, weights) {
                    row.insert(kpi.id.clone(), cell);
                }
            }
            cells.insert(member.clone(), row);
        }
        Ok(Scorecard { kpis: kpis.to_vec(), cells })
    }

    /// Replaces `member`'s own inputs with `inputs` (by KPI id; a KPI without one has no own
    /// value) and rolls the change up its ancestors: the card becomes what [`Scorecard::build`]
    /// gives for the inputs so changed, at the cost of the member's ancestors and the leaves
    /// below them, not of the whole card. Returns every cell whose light changed, as (member,
    /// KPI id, from, to). A member not in `hierarchy`, or an unknown KPI, is an error naming it,
    /// and changes nothing.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use omo_core::kpi::{KpiInput, Light, Scorecard, standard_kpis};
    /// use omo_core::model::Hierarchy;
    /// use rust_decimal::Decimal;
    /// let tree = Hierarchy::from_parent_links("region", [("CN", None), ("D1", Some("CN")), ("D2", Some("CN"))])?;
    /// let kpis: Vec<_> = standard_kpis()?.into_iter().filter(|k| k.id == "otif").collect();
    /// let mut card = Scorecard::build(&tree, &kpis, &HashMap::new(), &HashMap::new())?;
    /// let low = KpiInput { value: Some(Decimal::new(50, 2)), ..KpiInput::default() };
    /// let changed = card.set_inputs(&tree, &"D1", &HashMap::from([("otif".to_owned(), low)]), &HashMap::new())?;
    /// assert!(changed.contains(&("D1", "otif".to_owned(), Light::Grey, Light::Red)));
    /// assert_eq!(card.cell(&"CN", "otif").map(|c| c.light()), Some(Light::Red));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn set_inputs(
        &mut self,
        hierarchy: &Hierarchy<K>,
        member: &K,
        inputs: &HashMap<String, KpiInput>,
        weights: &HashMap<K, Decimal>,
    ) -> Result<Vec<(K, String, Light, Light)>> {
        self.check_inputs(hierarchy, member, inputs.keys())?;
        let every: ByPosition<'_> = self.kpis.iter().enumerate().map(|(k, kpi)| (k, inputs.get(&kpi.id))).collect();
        self.set_own(hierarchy, member, every, weights)
    }

    /// Like [`Scorecard::set_inputs`], for the KPIs named in `changed` only (`None`: no own value
    /// any more); `member`'s other KPIs keep their inputs. What a live feed calls when it knows
    /// which values moved: the KPIs it does not name cost nothing.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use omo_core::kpi::{KpiInput, Light, Scorecard, standard_kpis};
    /// use omo_core::model::Hierarchy;
    /// use rust_decimal::Decimal;
    /// let tree = Hierarchy::from_parent_links("region", [("CN", None), ("D1", Some("CN"))])?;
    /// let kpis: Vec<_> = standard_kpis()?.into_iter().filter(|k| k.id == "otif" || k.id == "dso").collect();
    /// let mut card = Scorecard::build(&tree, &kpis, &HashMap::new(), &HashMap::new())?;
    /// let input = |v: i64| Some(KpiInput { value: Some(Decimal::new(v, 2)), ..KpiInput::default() });
    /// card.change_inputs(&tree, &"D1", &HashMap::from([("otif".to_owned(), input(50))]), &HashMap::new())?;
    /// card.change_inputs(&tree, &"D1", &HashMap::from([("dso".to_owned(), input(3000))]), &HashMap::new())?;
    /// assert_eq!(card.cell(&"D1", "otif").map(|c| c.light()), Some(Light::Red)); // kept
    /// let gone = card.change_inputs(&tree, &"D1", &HashMap::from([("otif".to_owned(), None)]), &HashMap::new())?;
    /// assert!(gone.contains(&("D1", "otif".to_owned(), Light::Red, Light::Grey)));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn change_inputs<S: BuildHasher>(
        &mut self,
        hierarchy: &Hierarchy<K>,
        member: &K,
        changed: &HashMap<String, Option<KpiInput>, S>,
        weights: &HashMap<K, Decimal>,
    ) -> Result<Vec<(K, String, Light, Light)>> {
        self.check_member(hierarchy, member)?;
        // Reading the ids into positions refuses one not on the card.
        let changed = self.by_position(changed)?;
        self.set_own(hierarchy, member, changed, weights)
    }

    /// A member not in `hierarchy`, or a KPI id not on the card, is an error naming it.
    fn check_inputs<'a>(
        &self,
        hierarchy: &Hierarchy<K>,
        member: &K,
        mut kpis: impl Iterator<Item = &'a String>,
    ) -> Result<()> {
        self.check_member(hierarchy, member)?;
        if let Some(kpi) = kpis.find(|id| !self.kpis.iter().any(|d| &d.id == *id)) {
            return Err(OmoError::UnknownId { kind: "kpi", id: kpi.clone() });
        }
        Ok(())
    }

    /// A member not in `hierarchy` is an error naming it.
    fn check_member(&self, hierarchy: &Hierarchy<K>, member: &K) -> Result<()> {
        if hierarchy.contains(member) {
            Ok(())
        } else {
            Err(OmoError::UnknownId { kind: hierarchy.axis(), id: member.to_string() })
        }
    }

    /// Changed inputs by KPI id as (position on the card, input), in the card's order; an id
    /// not on the card is an error naming it.
    fn by_position<'i, S: BuildHasher>(
        &self,
        changed: &'i HashMap<String, Option<KpiInput>, S>,
    ) -> Result<ByPosition<'i>> {
        let mut at = changed
            .iter()
            .map(|(id, input)| match self.kpis.iter().position(|d| &d.id == id) {
                Some(k) => Ok((k, input.as_ref())),
                None => Err(OmoError::UnknownId { kind: "kpi", id: id.clone() }),
            })
            .collect::<Result<Vec<_>>>()?;
        at.sort_unstable_by_key(|(k, _)| *k);
        Ok(at)
    }

    /// [`Scorecard::change_inputs`] of several members at once: each member's own cells set in
    /// turn, then each ancestor's roll-up of the KPIs that moved below it computed once, however
    /// many of its leaves moved (what a live feed calls when a new day moves every member's
    /// values: one pass over an ancestor's leaves instead of one per member). The card ends as
    /// the calls one by one leave it. A light change is reported as its cell is set: a member's
    /// own cell when it is set, an ancestor's roll-up once, from its light before the call to
    /// its light after (not at all when it ends where it was). A member not in `hierarchy`, or
    /// an unknown KPI, is an error naming it, and changes nothing.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use omo_core::kpi::{KpiInput, Light, Scorecard, standard_kpis};
    /// use omo_core::model::Hierarchy;
    /// use rust_decimal::Decimal;
    /// let tree = Hierarchy::from_parent_links("region", [("CN", None), ("D1", Some("CN")), ("D2", Some("CN"))])?;
    /// let kpis: Vec<_> = standard_kpis()?.into_iter().filter(|k| k.id == "otif").collect();
    /// let mut card = Scorecard::build(&tree, &kpis, &HashMap::new(), &HashMap::new())?;
    /// let otif = |v: i64| HashMap::from([("otif".to_owned(), Some(KpiInput { value: Some(Decimal::new(v, 2)), ..KpiInput::default() }))]);
    /// let (low, high) = (otif(50), otif(99));
    /// let changed = card.change_inputs_many(&tree, [(&"D1", &low), (&"D2", &high)], &HashMap::new())?;
    /// assert!(changed.contains(&("D1", "otif".to_owned(), Light::Grey, Light::Red)));
    /// assert!(changed.contains(&("CN", "otif".to_owned(), Light::Grey, Light::Red)));
    /// assert_eq!(changed.iter().filter(|c| c.0 == "CN").count(), 1);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn change_inputs_many<'m, S: BuildHasher + 'm>(
        &mut self,
        hierarchy: &Hierarchy<K>,
        members: impl IntoIterator<Item = (&'m K, &'m HashMap<String, Option<KpiInput>, S>)>,
        weights: &HashMap<K, Decimal>,
    ) -> Result<Vec<(K, String, Light, Light)>>
    where
        K: 'm,
    {
        self.set_many_checked(hierarchy, members, weights, Self::by_position)
    }

    /// [`Scorecard::change_inputs_many`] with each member's changed inputs given by the KPI's
    /// position on the card (its place in `kpis`) instead of its id: what a feed that holds its
    /// values in the card's order calls, with no id to look up. A member not in `hierarchy`, or
    /// a position past the card's KPIs, is an error naming it, and changes nothing.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use omo_core::kpi::{KpiInput, Light, Scorecard, standard_kpis};
    /// use omo_core::model::Hierarchy;
    /// use rust_decimal::Decimal;
    /// let tree = Hierarchy::from_parent_links("region", [("CN", None), ("D1", Some("CN"))])?;
    /// let kpis: Vec<_> = standard_kpis()?.into_iter().filter(|k| k.id == "otif" || k.id == "dso").collect();
    /// let mut card = Scorecard::build(&tree, &kpis, &HashMap::new(), &HashMap::new())?;
    /// let dso = kpis.iter().position(|k| k.id == "dso").unwrap_or_default();
    /// let late = [(dso, Some(KpiInput { value: Some(Decimal::from(75)), ..KpiInput::default() }))];
    /// let changed = card.change_inputs_at(&tree, [(&"D1", &late[..])], &HashMap::new())?;
    /// assert!(changed.contains(&("CN", "dso".to_owned(), Light::Grey, Light::Red)));
    /// assert!(card.change_inputs_at(&tree, [(&"D1", &[(9, None)][..])], &HashMap::new()).is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn change_inputs_at<'m>(
        &mut self,
        hierarchy: &Hierarchy<K>,
        members: impl IntoIterator<Item = (&'m K, &'m [(usize, Option<KpiInput>)])>,
        weights: &HashMap<K, Decimal>,
    ) -> Result<Vec<(K, String, Light, Light)>>
    where
        K: 'm,
    {
        self.set_many_checked(hierarchy, members, weights, |card, changed| {
            match changed.iter().find(|(k, _)| *k >= card.kpis.len()) {
                Some((k, _)) => Err(OmoError::UnknownId { kind: "kpi position", id: k.to_string() }),
                None => Ok(changed.iter().map(|(k, input)| (*k, input.as_ref())).collect()),
            }
        })
    }

    /// Every member checked and its changes read by `by_position` (an error changes nothing),
    /// then set as [`Scorecard::set_many`] does.
    fn set_many_checked<'m, T: ?Sized + 'm>(
        &mut self,
        hierarchy: &Hierarchy<K>,
        members: impl IntoIterator<Item = (&'m K, &'m T)>,
        weights: &HashMap<K, Decimal>,
        by_position: impl Fn(&Self, &'m T) -> Result<ByPosition<'m>>,
    ) -> Result<Vec<(K, String, Light, Light)>>
    where
        K: 'm,
    {
        let members = members
            .into_iter()
            .map(|(member, changed)| {
                self.check_member(hierarchy, member)?;
                Ok((member, by_position(self, changed)?))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self.set_many(hierarchy, members, weights))
    }

    /// Each member's own cells set in turn, then each ancestor's roll-up of the KPIs that moved
    /// below it computed once (the checked inputs of [`Scorecard::change_inputs_many`]).
    fn set_many<'i>(
        &mut self,
        hierarchy: &Hierarchy<K>,
        members: Vec<(&K, ByPosition<'i>)>,
        weights: &HashMap<K, Decimal>,
    ) -> Vec<(K, String, Light, Light)> {
        let mut changed = Vec::new();
        let mut to_roll: BTreeMap<&K, std::collections::BTreeSet<usize>> = BTreeMap::new();
        for (member, inputs) in members {
            let moved = self.set_own_cells(hierarchy, member, inputs, weights, &mut changed);
            if moved.is_empty() {
                continue;
            }
            for ancestor in hierarchy.ancestors(member) {
                to_roll.entry(ancestor).or_default().extend(&moved);
            }
        }
        for (ancestor, kpis) in to_roll {
            let kpis: Vec<usize> = kpis.into_iter().collect();
            self.roll_up_into(hierarchy, ancestor, &kpis, weights, &mut changed);
        }
        changed
    }

    /// Sets `member`'s own input of each KPI in `inputs` (by position on the card; `None`: no
    /// own value) and rolls the KPIs whose evaluation moved up its ancestors.
    fn set_own<'i>(
        &mut self,
        hierarchy: &Hierarchy<K>,
        member: &K,
        inputs: ByPosition<'i>,
        weights: &HashMap<K, Decimal>,
    ) -> Result<Vec<(K, String, Light, Light)>> {
        let mut changed = Vec::new();
        let moved = self.set_own_cells(hierarchy, member, inputs, weights, &mut changed);
        // Only a leaf's own value is rolled up: its ancestors' cells of the KPIs whose roll-up
        // reads what it moved.
        if !moved.is_empty() {
            for ancestor in hierarchy.ancestors(member) {
                self.roll_up_into(hierarchy, ancestor, &moved, weights, &mut changed);
            }
        }
        Ok(changed)
    }

    /// Sets `member`'s own cells as [`Scorecard::set_own`] does, noting the lights that changed;
    /// returns the KPIs whose roll-ups above it must move (a leaf's, where what they read moved).
    fn set_own_cells(
        &mut self,
        hierarchy: &Hierarchy<K>,
        member: &K,
        inputs: ByPosition<'_>,
        weights: &HashMap<K, Decimal>,
        changed: &mut Vec<(K, String, Light, Light)>,
    ) -> Vec<usize> {
        let is_leaf = hierarchy.is_leaf(member);
        if is_leaf {
            return self.set_leaf_cells(member, inputs, changed);
        }
        let own_leaves = hierarchy.leaves_under(member);
        for (k, input) in inputs {
            let Some(kpi) = self.kpis.get(k) else {
                continue;
            };
            let new_own = input.map(|i| evaluate(kpi, i.value, i.previous, i.last_year));
            let old = self.cell(member, &kpi.id).and_then(|c| c.own.as_ref());
            if old == new_own.as_ref() {
                continue;
            }
            let below: Vec<(&K, &Evaluation)> = own_leaves
                .iter()
                .filter_map(|leaf| Some((*leaf, self.cell(leaf, &self.kpis[k].id)?.own.as_ref()?)))
                .collect();
            let cell = cell_of(&self.kpis[k], new_own, (!own_leaves.is_empty()).then_some(&below[..]), weights);
            self.replace(member, k, cell, changed);
        }
        // Only a leaf's own value is rolled up.
        Vec::new()
    }

    /// [`Scorecard::set_own_cells`] of a leaf: its row found once, each KPI's cell once (its
    /// own evaluation is all it holds).
    fn set_leaf_cells(
        &mut self,
        member: &K,
        inputs: ByPosition<'_>,
        changed: &mut Vec<(K, String, Light, Light)>,
    ) -> Vec<usize> {
        let kpis = &self.kpis;
        let row = match self.cells.get_mut(member) {
            Some(row) => row,
            None => self.cells.entry(member.clone()).or_default(),
        };
        let mut moved = Vec::new();
        for (k, input) in inputs {
            let Some(kpi) = kpis.get(k) else {
                continue;
            };
            let new_own = input.map(|i| evaluate(kpi, i.value, i.previous, i.last_year));
            let slot = row.get_mut(&kpi.id);
            let old = slot.as_ref().and_then(|c| c.own.as_ref());
            if old == new_own.as_ref() {
                continue;
            }
            // A roll-up reads its leaves' lights, and their scores unless it counts reds.
            let reads_score = !matches!(kpi.roll_up, RollUp::ShareInRed { .. });
            let rolled_by = |e: Option<&Evaluation>| e.map(|e| (e.light, e.score.filter(|_| reads_score)));
            if rolled_by(old) != rolled_by(new_own.as_ref()) {
                moved.push(k);
            }
            let from = slot.as_ref().map_or(Light::Grey, |c| c.light());
            let to = new_own.as_ref().map_or(Light::Grey, |e| e.light);
            match (new_own, slot) {
                (Some(own), Some(slot)) => *slot = Cell { own: Some(own), rolled: None },
                (Some(own), None) => {
                    row.insert(kpi.id.clone(), Cell { own: Some(own), rolled: None });
                }
                (None, _) => {
                    row.remove(&kpi.id);
                }
            }
            if from != to {
                changed.push((member.clone(), kpi.id.clone(), from, to));
            }
        }
        moved
    }

    /// `ancestor`'s cells of the KPIs `kpis` rolled up again from the leaves below it.
    fn roll_up_into(
        &mut self,
        hierarchy: &Hierarchy<K>,
        ancestor: &K,
        kpis: &[usize],
        weights: &HashMap<K, Decimal>,
        changed: &mut Vec<(K, String, Light, Light)>,
    ) {
        let leaves = hierarchy.leaves_under(ancestor);
        // The leaves' rows looked up once for every KPI; the ancestor is not among its leaves,
        // so its cells are replaced once all are rolled up.
        let rows: Vec<(&K, &BTreeMap<String, Cell<K>>)> =
            leaves.iter().filter_map(|leaf| Some((*leaf, self.cells.get(*leaf)?))).collect();
        let own_row = self.cells.get(ancestor);
        let mut below: Vec<(&K, &Evaluation)> = Vec::with_capacity(rows.len());
        let cells: Vec<(usize, Option<Cell<K>>)> = kpis
            .iter()
            .map(|&k| {
                let kpi = &self.kpis[k];
                let own = own_row.and_then(|row| row.get(&kpi.id)?.own.clone());
                below.clear();
                below.extend(rows.iter().filter_map(|(leaf, row)| Some((*leaf, row.get(&kpi.id)?.own.as_ref()?))));
                (k, cell_of(kpi, own, (!leaves.is_empty()).then_some(&below[..]), weights))
            })
            .collect();
        let row = match self.cells.get_mut(ancestor) {
            Some(row) => row,
            None => self.cells.entry(ancestor.clone()).or_default(),
        };
        for (k, cell) in cells {
            replace_in(row, ancestor, &self.kpis[k].id, cell, changed);
        }
    }

    /// Puts `cell` in place of `member`'s cell of KPI `k`, noting a light that changed.
    fn replace(&mut self, member: &K, k: usize, cell: Option<Cell<K>>, changed: &mut Vec<(K, String, Light, Light)>) {
        // The member's row is nearly always there already: its key cloned only when new.
        let row = match self.cells.get_mut(member) {
            Some(row) => row,
            None => self.cells.entry(member.clone()).or_default(),
        };
        replace_in(row, member, &self.kpis[k].id, cell, changed);
    }

    /// The cell of a member and KPI.
    pub fn cell(&self, member: &K, kpi: &str) -> Option<&Cell<K>> {
        self.cells.get(member)?.get(kpi)
    }

    /// A member's overall light across KPIs: the worst light of its cells.
    pub fn overall(&self, member: &K) -> Light {
        self.cells.get(member).and_then(|row| row.values().map(Cell::light).max()).unwrap_or(Light::Grey)
    }
}

/// Puts `cell` in place of the cell of KPI `id` in `member`'s `row`, noting a light that changed.
/// The KPI's cell is nearly always there already: replaced in place, its key cloned only when
/// new.
fn replace_in<K: Clone>(
    row: &mut BTreeMap<String, Cell<K>>,
    member: &K,
    id: &String,
    cell: Option<Cell<K>>,
    changed: &mut Vec<(K, String, Light, Light)>,
) {
    let to = cell.as_ref().map_or(Light::Grey, Cell::light);
    let from = match (cell, row.get_mut(id)) {
        (Some(cell), Some(slot)) => Some(std::mem::replace(slot, cell)),
        (Some(cell), None) => row.insert(id.clone(), cell),
        (None, _) => row.remove(id),
    }
    .map_or(Light::Grey, |c| c.light());
    if from != to {
        changed.push((member.clone(), id.clone(), from, to));
    }
}

/// One member's cell of `kpi`: its own evaluation, and for a member with leaves below it the
/// roll-up of their own evaluations (`below`: those of the leaves that have one; `None` for a
/// leaf); `None` when it has neither.
fn cell_of<K: Clone + Hash + Eq>(
    kpi: &KpiDefinition,
    own: Option<Evaluation>,
    below: Option<&[(&K, &Evaluation)]>,
    weights: &HashMap<K, Decimal>,
) -> Option<Cell<K>> {
    let rolled = below.map(|evaluated| roll_up(&kpi.roll_up, evaluated, weights));
    (own.is_some() || rolled.is_some()).then_some(Cell { own, rolled })
}

/// Rolls evaluated members up by `method`. It reads each member's light and score only, and
/// [`RollUp::ShareInRed`] the light only (a live scorecard relies on it: a leaf whose value moved
/// without changing what its roll-up reads leaves its ancestors as they are).
pub fn roll_up<K: Clone + Hash + Eq>(
    method: &RollUp,
    members: &[(&K, &Evaluation)],
    weights: &HashMap<K, Decimal>,
) -> RolledUp<K> {
    let mut counts: BTreeMap<Light, usize> = BTreeMap::new();
    for (_, e) in members {
        *counts.entry(e.light).or_default() += 1;
    }
    let red_members: Vec<K> =
        members.iter().filter(|(_, e)| e.light == Light::Red).map(|(m, _)| (*m).clone()).collect();
    let known = members.iter().filter(|(_, e)| e.light != Light::Grey).count();
    let (light, score) = match method {
        RollUp::WorstLight => (
            members.iter().map(|(_, e)| e.light).max().unwrap_or(Light::Grey),
            members.iter().filter_map(|(_, e)| e.score).min(),
        ),
        RollUp::WeightedScore { green_at, yellow_at } => {
            let (mut total, mut weight) = (Decimal::ZERO, Decimal::ZERO);
            for (m, e) in members {
                if let Some(s) = e.score {
                    let w = weights.get(m).copied().unwrap_or(Decimal::ONE);
                    total = total.saturating_add(super::evaluate::saturating_mul(w, s));
                    weight = weight.saturating_add(w);
                }
            }
            match (weight > Decimal::ZERO).then(|| crate::model::exact::saturating_div(total, weight)) {
                Some(s) if s >= *green_at => (Light::Green, Some(s)),
                Some(s) if s >= *yellow_at => (Light::Yellow, Some(s)),
                Some(s) => (Light::Red, Some(s)),
                None => (Light::Grey, None),
            }
        }
        RollUp::ShareInRed { yellow_above, red_above } => {
            if known == 0 {
                (Light::Grey, None)
            } else {
                let share = Decimal::from(red_members.len()) / Decimal::from(known);
                let light = if share > *red_above {
                    Light::Red
                } else if share > *yellow_above {
                    Light::Yellow
                } else {
                    Light::Green
                };
                (light, Some(Decimal::ONE - share))
            }
        }
    };
    RolledUp { light, score, counts, red_members }
}
