//! The standard scorecard as rows a door shows (members with their names, parents and depths,
//! one cell per KPI) and the alerts of the standard window.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Views;
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::kpi::{
    AlertEvent, AlertEventKind, AlertRule, KpiDefinition, Light, Scorecard, alerts_in_history, business_unit_hierarchy,
    distributor_hierarchy, first_of_month, standard_alerts, standard_inputs, standard_kpis,
};
use crate::model::Hierarchy;

/// The hierarchy a scorecard rolls the distributors up along.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi(name = "ScorecardAxis"))]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// Distributors under their regions.
    Region,
    /// Distributors under their business units.
    BusinessUnit,
}

impl Axis {
    /// Its name: `"region"` or `"business_unit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Region => "region",
            Axis::BusinessUnit => "business_unit",
        }
    }
}

impl FromStr for Axis {
    type Err = OmoError;

    /// `"region"` or `"business_unit"`.
    ///
    /// ```
    /// use omo_core::views::Axis;
    /// assert_eq!("business_unit".parse::<Axis>()?, Axis::BusinessUnit);
    /// assert!("product".parse::<Axis>().is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "region" => Ok(Axis::Region),
            "business_unit" => Ok(Axis::BusinessUnit),
            other => Err(OmoError::InvalidArgument {
                name: "axis",
                message: format!("{other:?} is not region or business_unit"),
            }),
        }
    }
}

/// One member's light of one KPI.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardCell {
    /// The KPI id.
    pub kpi: String,
    /// The light shown: rolled up where the member has members below, else its own; grey when
    /// the member has no value of the KPI in the month.
    pub light: Light,
    /// Whether the member has a value of its own or members below with one (a grey light with
    /// `evaluated` false means "no value", not "a value with no thresholds").
    pub evaluated: bool,
    /// The member's own value (distributors), if any.
    pub value: Option<Decimal>,
    /// The threshold at the edge of the value's zone.
    pub threshold: Option<Decimal>,
    /// The members below whose own light is red.
    pub red_members: Vec<String>,
}

/// One member of a scorecard.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardRow {
    /// The member id.
    pub member: String,
    /// Its name (see [`MemberNames`]).
    pub name: String,
    /// The member above it, if any.
    pub parent: Option<String>,
    /// Its depth (0: a root).
    pub depth: u32,
    /// Its worst light of any KPI.
    pub overall: Light,
    /// One cell per KPI, in the order of the scorecard's KPIs.
    pub cells: Vec<ScorecardCell>,
}

/// A scorecard of one month along one axis, parents before their members.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardView {
    /// The month's first day.
    pub month: NaiveDate,
    /// The axis.
    pub axis: Axis,
    /// The standard KPIs, in order.
    pub kpis: Vec<KpiDefinition>,
    /// Every member, parents first.
    pub rows: Vec<ScorecardRow>,
}

/// One cell of a scorecard laid flat, a table's row: the member with its place in the tree, one
/// KPI's light (lower case), value and threshold. What Python's `scorecard(...).frame` and the
/// live server's `GET /api/scorecard` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScorecardLine<'a> {
    /// The member id.
    pub member: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The member above it, if any.
    pub parent: Option<&'a str>,
    /// Its depth (0: a root).
    pub depth: u32,
    /// The KPI id.
    pub kpi: &'a str,
    /// The light shown, in lower case (`green`, `yellow`, `red`, `grey`).
    pub light: &'static str,
    /// The member's own value, if any.
    pub value: Option<Decimal>,
    /// The threshold at the edge of the value's zone.
    pub threshold: Option<Decimal>,
    /// The members below whose own light is red.
    pub red_members: &'a [String],
}

impl ScorecardView {
    /// Every cell as a line, member by member (parents first), KPIs in the scorecard's order.
    pub fn lines(&self) -> Vec<ScorecardLine<'_>> {
        self.rows
            .iter()
            .flat_map(|r| {
                r.cells.iter().map(move |c| ScorecardLine {
                    member: &r.member,
                    name: &r.name,
                    parent: r.parent.as_deref(),
                    depth: r.depth,
                    kpi: &c.kpi,
                    light: c.light.as_str(),
                    value: c.value,
                    threshold: c.threshold,
                    red_members: &c.red_members,
                })
            })
            .collect()
    }
}

/// One month of a member's KPI ([`Views::kpi_series`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiPoint {
    /// The month's first day.
    pub month: NaiveDate,
    /// The light shown.
    pub light: Light,
    /// The member's own value, if any.
    pub value: Option<Decimal>,
    /// The threshold at the edge of the value's zone.
    pub threshold: Option<Decimal>,
}

/// The alert transitions of the distributors' standard KPIs over a run of months.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsView {
    /// The months (first days), oldest first.
    pub months: Vec<NaiveDate>,
    /// The transitions, sorted by month, member and KPI.
    pub events: Vec<AlertEvent>,
}

impl AlertsView {
    /// How many transitions of `kind` there were.
    pub fn count(&self, kind: AlertEventKind) -> usize {
        self.events.iter().filter(|e| e.kind == kind).count()
    }

    /// Per month (every month of the view, oldest first): the raised, escalated and resolved
    /// counts.
    pub fn per_month(&self) -> Vec<(NaiveDate, [u32; 3])> {
        let mut counts: BTreeMap<NaiveDate, [u32; 3]> = self.months.iter().map(|m| (*m, [0; 3])).collect();
        for e in &self.events {
            if let Some(slot) = counts.get_mut(&e.period) {
                let k = match e.kind {
                    AlertEventKind::Raised => 0,
                    AlertEventKind::Escalated => 1,
                    AlertEventKind::Resolved => 2,
                };
                slot[k] += 1;
            }
        }
        counts.into_iter().collect()
    }
}

impl Views<'_> {
    /// The standard scorecard of `month` (any day of it; the last complete month by default)
    /// along `axis`.
    ///
    /// # Errors
    /// Those of [`crate::kpi::standard_inputs`] and of the hierarchies (a cycle in the regions).
    pub fn scorecard(&self, axis: Axis, month: Option<NaiveDate>) -> Result<ScorecardView> {
        let d = self.dataset();
        let month = month.map_or_else(|| self.scorecard_month(), first_of_month);
        let tree = match axis {
            Axis::Region => distributor_hierarchy(d)?,
            Axis::BusinessUnit => business_unit_hierarchy(d)?,
        };
        let kpis = standard_kpis()?;
        let history = self.kpi_history()?;
        let inputs = match history.months.iter().position(|m| *m == month) {
            Some(i) => history.inputs[i].clone(),
            None => standard_inputs(d, month)?,
        };
        let card = Scorecard::build(&tree, &kpis, &inputs, &HashMap::new())?;
        Ok(scorecard_view(d, &tree, kpis, &card, month, axis))
    }

    /// One member's KPI month by month over the standard alert window ([`Views::kpi_history`]'s
    /// months): its light, value and threshold in each month's scorecard along `axis`.
    ///
    /// # Errors
    /// [`OmoError::UnknownId`] for a member not on the axis or a KPI not in the catalogue;
    /// those of [`Views::scorecard`].
    pub fn kpi_series(&self, axis: Axis, member: &str, kpi: &str) -> Result<Vec<KpiPoint>> {
        let months = self.kpi_history()?.months.clone();
        let mut points = Vec::with_capacity(months.len());
        for month in months {
            let card = self.scorecard(axis, Some(month))?;
            let row = card
                .rows
                .iter()
                .find(|r| r.member == member)
                .ok_or_else(|| OmoError::UnknownId { kind: "member", id: member.to_owned() })?;
            let cell = row
                .cells
                .iter()
                .find(|c| c.kpi == kpi)
                .ok_or_else(|| OmoError::UnknownId { kind: "kpi", id: kpi.to_owned() })?;
            points.push(KpiPoint { month, light: cell.light, value: cell.value, threshold: cell.threshold });
        }
        Ok(points)
    }

    /// The alerts of every distributor's standard KPIs over the `months` months up to the last
    /// complete one ([`crate::kpi::TRAILING_MONTHS`] by default; clamped to the months the data
    /// spans), raised and resolved by the default rule.
    ///
    /// # Errors
    /// `months` of 0 is an [`OmoError::InvalidArgument`]; else those of
    /// [`crate::kpi::standard_alerts`].
    pub fn alerts(&self, months: Option<u32>) -> Result<AlertsView> {
        let rule = AlertRule::default();
        let history = self.kpi_history()?;
        let standard = months.is_none_or(|m| m as usize == history.months.len() || m == crate::kpi::TRAILING_MONTHS);
        if standard {
            let events = alerts_in_history(self.dataset(), &history.months, &history.inputs, &rule)?;
            return Ok(AlertsView { months: history.months.clone(), events });
        }
        let months = months.unwrap_or(crate::kpi::TRAILING_MONTHS);
        let last = self.scorecard_month();
        self.needs_all_records("alerts over another window")?;
        let events = standard_alerts(self.dataset(), last, months, &rule)?;
        let span = crate::kpi::months_since(self.first_date(), last, months);
        Ok(AlertsView { months: crate::kpi::months_up_to(last, span), events })
    }

    /// The names of the scorecard's members and of every customer (see [`MemberNames`]).
    pub fn member_names(&self) -> MemberNames<'_> {
        MemberNames::of(self.dataset())
    }
}

/// The names of scorecard members: a region's, a business unit's or a customer's name, else the
/// id as it is (in that order, should two share an id).
#[derive(Debug, Clone)]
pub struct MemberNames<'a>(HashMap<&'a str, &'a str>);

impl<'a> MemberNames<'a> {
    fn of(d: &'a Dataset) -> Self {
        // Later entries win: customers, then business units, then regions.
        let customers = d.customers.iter().map(|c| (c.id.as_str(), c.name.as_str()));
        let units = d.business_units.iter().map(|b| (b.id.as_str(), b.name.as_str()));
        let regions = d.regions.iter().map(|r| (r.id.as_str(), r.name.as_str()));
        MemberNames(customers.chain(units).chain(regions).collect())
    }

    /// The name of `member`.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let views = Views::new(&company);
    /// let names = views.member_names();
    /// let region = &company.regions[0];
    /// assert_eq!(names.name(region.id.as_str()), region.name);
    /// assert_eq!(names.name("nobody"), "nobody");
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn name<'m>(&self, member: &'m str) -> &'m str
    where
        'a: 'm,
    {
        self.0.get(member).copied().unwrap_or(member)
    }
}

/// A card laid out as a view: every member of `tree` (parents first) with its name, parent,
/// depth, worst light and one cell per KPI. The month's scorecard and the engine's live one
/// ([`crate::engine::Engine::live_scorecard`]) share it.
pub(crate) fn scorecard_view(
    d: &Dataset,
    tree: &Hierarchy<String>,
    kpis: Vec<KpiDefinition>,
    card: &Scorecard<String>,
    month: NaiveDate,
    axis: Axis,
) -> ScorecardView {
    let names = MemberNames::of(d);
    // Depths in one pass, parents before members: asking each member's depth would walk up
    // to the root once per member, quadratic in a deep hierarchy.
    let mut depths: HashMap<&str, u32> = HashMap::with_capacity(tree.len());
    let mut rows = Vec::with_capacity(tree.len());
    for member in tree.members() {
        let parent = tree.parent(member);
        let depth = parent.and_then(|p| depths.get(p.as_str())).map_or(0, |d| d.saturating_add(1));
        depths.insert(member.as_str(), depth);
        let cells = kpis.iter().map(|kpi| cell_of(card, member, &kpi.id)).collect();
        rows.push(ScorecardRow {
            member: member.clone(),
            name: names.name(member).to_owned(),
            parent: parent.cloned(),
            depth,
            overall: card.overall(member),
            cells,
        });
    }
    ScorecardView { month, axis, kpis, rows }
}

fn cell_of(card: &Scorecard<String>, member: &String, kpi: &str) -> ScorecardCell {
    let cell = card.cell(member, kpi);
    let own = cell.and_then(|c| c.own.as_ref());
    ScorecardCell {
        kpi: kpi.to_owned(),
        light: cell.map_or(Light::Grey, |c| c.light()),
        evaluated: cell.is_some(),
        value: own.and_then(|e| e.value),
        threshold: own.and_then(|e| e.threshold),
        red_members: cell.and_then(|c| c.rolled.as_ref()).map(|r| r.red_members.clone()).unwrap_or_default(),
    }
}
