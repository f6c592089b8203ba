//! A tree built from parent links, used by every axis: regions, BUs, salespeople, product
//! categories, supply-chain nodes and the channel of customers.
//!
//! Building rejects duplicate ids, unknown parents (all of them, named) and cycles (the ids on the
//! cycle, named). A forest is allowed: several roots. Measures roll up: each member's rolled-up
//! value is its own plus that of everything below it.

use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::ops::AddAssign;

use crate::error::{OmoError, Result};

/// A forest over ids of type `K`.
///
/// ```
/// use omo_core::model::Hierarchy;
/// use std::collections::HashMap;
/// let regions = Hierarchy::from_parent_links("region", [
///     ("CN", None), ("East", Some("CN")), ("Shandong", Some("East")), ("Jiangsu", Some("East")),
/// ])?;
/// assert_eq!(regions.ancestors(&"Shandong"), vec![&"East", &"CN"]);
/// let sales = HashMap::from([("Shandong", 5), ("Jiangsu", 7)]);
/// let rolled = regions.roll_up(&sales)?;
/// assert_eq!(rolled[&"East"], 12);
/// assert_eq!(rolled[&"CN"], 12);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Hierarchy<K: Eq + Hash> {
    axis: &'static str,
    ids: Vec<K>,
    #[serde(skip)]
    index: rustc_hash::FxHashMap<K, usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// Every member once, each parent before its children (depth first, children in order).
    top_down: Vec<usize>,
    /// The leaves in the order of `top_down`: the leaves below a member are one run of it.
    leaf_order: Vec<usize>,
    /// Each member's run of `leaf_order`: where it starts and how long it is.
    leaf_span: Vec<(usize, usize)>,
}

impl<K: Clone + Eq + Hash + Display> Hierarchy<K> {
    /// Builds the tree from `(id, parent)` links; `axis` names the hierarchy in errors.
    pub fn from_parent_links<I>(axis: &'static str, links: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, Option<K>)>,
    {
        let links: Vec<(K, Option<K>)> = links.into_iter().collect();
        let mut index = rustc_hash::FxHashMap::with_capacity_and_hasher(links.len(), Default::default());
        for (position, (id, _)) in links.iter().enumerate() {
            if index.insert(id.clone(), position).is_some() {
                return Err(OmoError::DuplicateId { kind: axis, id: id.to_string() });
            }
        }
        let mut unknown = Vec::new();
        let mut parent = Vec::with_capacity(links.len());
        for (id, link) in &links {
            match link {
                None => parent.push(None),
                Some(p) => match index.get(p) {
                    Some(&position) => parent.push(Some(position)),
                    None => {
                        unknown.push((id.to_string(), p.to_string()));
                        parent.push(None);
                    }
                },
            }
        }
        if !unknown.is_empty() {
            return Err(OmoError::UnknownParents { axis, links: unknown });
        }
        let ids: Vec<K> = links.into_iter().map(|(id, _)| id).collect();
        if let Some(cycle) = find_cycle(&parent) {
            let mut named: Vec<String> = cycle.iter().filter_map(|&i| ids.get(i)).map(ToString::to_string).collect();
            if let Some(first) = named.first().cloned() {
                named.push(first);
            }
            return Err(OmoError::Cycle { axis, ids: named });
        }
        let mut children = vec![Vec::new(); ids.len()];
        for (child, p) in parent.iter().enumerate() {
            if let Some(slot) = p.and_then(|p| children.get_mut(p)) {
                slot.push(child);
            }
        }
        let top_down = order_top_down(&parent, &children);
        let (leaf_order, leaf_span) = leaf_runs(&top_down, &parent, &children);
        Ok(Hierarchy { axis, ids, index, parent, children, top_down, leaf_order, leaf_span })
    }

    /// The name of the axis this hierarchy was built for.
    pub fn axis(&self) -> &'static str {
        self.axis
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the hierarchy has no members.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// True when `id` is a member.
    pub fn contains(&self, id: &K) -> bool {
        self.index.contains_key(id)
    }

    /// Every member, parents before children.
    pub fn members(&self) -> impl Iterator<Item = &K> {
        self.top_down.iter().filter_map(|&i| self.ids.get(i))
    }

    /// The members without a parent.
    pub fn roots(&self) -> impl Iterator<Item = &K> {
        self.top_down.iter().filter(|&&i| matches!(self.parent.get(i), Some(None))).filter_map(|&i| self.ids.get(i))
    }

    /// The parent of `id`; `None` for a root or a non-member.
    pub fn parent(&self, id: &K) -> Option<&K> {
        let i = *self.index.get(id)?;
        let p = (*self.parent.get(i)?)?;
        self.ids.get(p)
    }

    /// The direct children of `id` (empty for a leaf or a non-member).
    pub fn children(&self, id: &K) -> Vec<&K> {
        self.index
            .get(id)
            .and_then(|&i| self.children.get(i))
            .map(|kids| kids.iter().filter_map(|&c| self.ids.get(c)).collect())
            .unwrap_or_default()
    }

    /// True when `id` is a member with no children.
    pub fn is_leaf(&self, id: &K) -> bool {
        self.index.get(id).and_then(|&i| self.children.get(i)).is_some_and(Vec::is_empty)
    }

    /// The ancestors of `id`, nearest first (empty for a root or a non-member).
    pub fn ancestors(&self, id: &K) -> Vec<&K> {
        let mut out = Vec::new();
        let mut current = self.index.get(id).copied();
        while let Some(p) = current.and_then(|i| self.parent.get(i).copied().flatten()) {
            if let Some(parent_id) = self.ids.get(p) {
                out.push(parent_id);
            }
            current = Some(p);
        }
        out
    }

    /// Every member below `id`, depth first (empty for a leaf or a non-member).
    pub fn descendants(&self, id: &K) -> Vec<&K> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self
            .index
            .get(id)
            .and_then(|&i| self.children.get(i))
            .map(|kids| kids.iter().rev().copied().collect())
            .unwrap_or_default();
        while let Some(next) = stack.pop() {
            if let Some(found) = self.ids.get(next) {
                out.push(found);
            }
            if let Some(kids) = self.children.get(next) {
                stack.extend(kids.iter().rev());
            }
        }
        out
    }

    /// The leaves below `id`, or `id` itself when it is a leaf, depth first (empty for a
    /// non-member). Its cost is the number of leaves returned, however deep the tree.
    pub fn leaves_under(&self, id: &K) -> Vec<&K> {
        self.index.get(id).map(|&i| self.leaf_run(i)).unwrap_or_default()
    }

    /// The leaves below member `i` (itself for a leaf).
    fn leaf_run(&self, i: usize) -> Vec<&K> {
        let (start, len) = self.leaf_span.get(i).copied().unwrap_or_default();
        let run = self.leaf_order.get(start..start + len).unwrap_or_default();
        run.iter().filter_map(|&leaf| self.ids.get(leaf)).collect()
    }

    /// The leaves below every member (a leaf's own list is itself), members in the order the
    /// links were given.
    ///
    /// ```
    /// use omo_core::model::Hierarchy;
    /// let tree = Hierarchy::from_parent_links("region", [("CN", None), ("E", Some("CN")), ("W", Some("CN"))])?;
    /// let leaves = tree.leaves_by_member();
    /// assert_eq!(leaves[0], (&"CN", vec![&"E", &"W"]));
    /// assert_eq!(leaves[1], (&"E", vec![&"E"]));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn leaves_by_member(&self) -> Vec<(&K, Vec<&K>)> {
        self.ids.iter().enumerate().map(|(i, id)| (id, self.leaf_run(i))).collect()
    }

    /// True when `ancestor` is `id` or above it.
    pub fn is_within(&self, id: &K, ancestor: &K) -> bool {
        id == ancestor && self.contains(id) || self.ancestors(id).contains(&ancestor)
    }

    /// Depth of `id`: 0 for a root; `None` for a non-member.
    pub fn depth(&self, id: &K) -> Option<usize> {
        self.contains(id).then(|| self.ancestors(id).len())
    }

    /// Rolls an additive measure up the tree: each member gets its own value plus everything below.
    ///
    /// Members without a value count as zero (`V::default()`); a value for an id that is not a
    /// member is an error naming it, so no amount is silently dropped.
    pub fn roll_up<V>(&self, values: &HashMap<K, V>) -> Result<HashMap<K, V>>
    where
        V: Clone + Default + AddAssign,
    {
        if let Some(stranger) = values.keys().find(|k| !self.contains(k)) {
            return Err(OmoError::UnknownId { kind: self.axis, id: stranger.to_string() });
        }
        let mut totals: Vec<V> = self.ids.iter().map(|id| values.get(id).cloned().unwrap_or_default()).collect();
        for &i in self.top_down.iter().rev() {
            let Some(p) = self.parent.get(i).copied().flatten() else { continue };
            let Some(own) = totals.get(i).cloned() else { continue };
            if let Some(slot) = totals.get_mut(p) {
                *slot += own;
            }
        }
        Ok(self.ids.iter().cloned().zip(totals).collect())
    }
}

/// Finds a cycle in a parent array: the positions on it, each followed by its parent.
fn find_cycle(parent: &[Option<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; parent.len()];
    for start in 0..parent.len() {
        let mut path = Vec::new();
        let mut current = Some(start);
        while let Some(i) = current {
            match state.get(i).copied() {
                Some(State::New) => {
                    if let Some(s) = state.get_mut(i) {
                        *s = State::OnPath;
                    }
                    path.push(i);
                    current = parent.get(i).copied().flatten();
                }
                Some(State::OnPath) => {
                    let from = path.iter().position(|&p| p == i).unwrap_or(0);
                    return Some(path.split_off(from));
                }
                _ => break,
            }
        }
        for i in path {
            if let Some(s) = state.get_mut(i) {
                *s = State::Done;
            }
        }
    }
    None
}

fn order_top_down(parent: &[Option<usize>], children: &[Vec<usize>]) -> Vec<usize> {
    let mut order = Vec::with_capacity(parent.len());
    let mut stack: Vec<usize> = (0..parent.len()).rev().filter(|&i| matches!(parent.get(i), Some(None))).collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(i) {
            stack.extend(kids.iter().rev());
        }
    }
    order
}

/// The leaves in depth-first order and each member's run of them (start, length): a member's
/// leaves follow one another in a depth-first walk, so one pass numbers them all.
fn leaf_runs(
    top_down: &[usize],
    parent: &[Option<usize>],
    children: &[Vec<usize>],
) -> (Vec<usize>, Vec<(usize, usize)>) {
    let is_leaf = |i: usize| children.get(i).is_none_or(Vec::is_empty);
    let mut leaf_order = Vec::new();
    let mut span = vec![(0, 0); parent.len()];
    for &i in top_down {
        if let Some(slot) = span.get_mut(i) {
            slot.0 = leaf_order.len();
        }
        if is_leaf(i) {
            leaf_order.push(i);
        }
    }
    for &i in top_down.iter().rev() {
        let own = usize::from(is_leaf(i));
        let below = span.get(i).map_or(0, |s| s.1) + own;
        if let Some(slot) = span.get_mut(i) {
            slot.1 = below;
        }
        if let Some(p) = parent.get(i).copied().flatten()
            && let Some(slot) = span.get_mut(p)
        {
            slot.1 += below;
        }
    }
    (leaf_order, span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tree() -> Hierarchy<&'static str> {
        Hierarchy::from_parent_links(
            "category",
            [
                ("all", None),
                ("npk", Some("all")),
                ("n", Some("all")),
                ("npk-15", Some("npk")),
                ("urea", Some("n")),
                ("misc", None),
            ],
        )
        .unwrap()
    }

    #[test]
    fn walks_ancestors_descendants_and_leaves() {
        let t = tree();
        assert_eq!(t.ancestors(&"npk-15"), vec![&"npk", &"all"]);
        assert_eq!(t.descendants(&"all"), vec![&"npk", &"npk-15", &"n", &"urea"]);
        assert_eq!(t.leaves_under(&"all"), vec![&"npk-15", &"urea"]);
        assert_eq!(t.leaves_under(&"urea"), vec![&"urea"]);
        assert_eq!(t.roots().collect::<Vec<_>>(), vec![&"all", &"misc"]);
        assert_eq!(t.depth(&"urea"), Some(2));
        assert!(t.is_within(&"urea", &"all") && t.is_within(&"all", &"all") && !t.is_within(&"all", &"urea"));
        assert_eq!(t.parent(&"all"), None);
        assert!(t.children(&"ghost").is_empty());
    }

    #[test]
    fn unknown_parents_are_all_named() {
        let err =
            Hierarchy::from_parent_links("region", [("a", Some("x")), ("b", None), ("c", Some("y"))]).unwrap_err();
        assert_eq!(
            err,
            OmoError::UnknownParents {
                axis: "region",
                links: vec![("a".into(), "x".into()), ("c".into(), "y".into())]
            }
        );
        assert_eq!(err.to_string(), "region hierarchy: unknown parent(s): a -> x, c -> y");
    }

    #[test]
    fn cycles_are_named_in_parent_order() {
        let err = Hierarchy::from_parent_links(
            "node",
            [("root", None), ("a", Some("b")), ("b", Some("c")), ("c", Some("a"))],
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "node hierarchy: cycle a -> b -> c -> a");
        let own = Hierarchy::from_parent_links("node", [("a", Some("a"))]).unwrap_err();
        assert_eq!(own.to_string(), "node hierarchy: cycle a -> a");
    }

    #[test]
    fn duplicates_are_rejected() {
        let err = Hierarchy::from_parent_links("bu", [("a", None), ("a", None)]).unwrap_err();
        assert_eq!(err, OmoError::DuplicateId { kind: "bu", id: "a".into() });
    }

    #[test]
    fn roll_up_rejects_values_for_strangers() {
        let err = tree().roll_up(&HashMap::from([("ghost", 1)])).unwrap_err();
        assert_eq!(err, OmoError::UnknownId { kind: "category", id: "ghost".into() });
    }

    proptest! {
        /// Random forests: every root's rolled-up total is the sum of the values of its subtree, and
        /// the roots together carry the grand total.
        #[test]
        fn roll_up_adds_up(parents in proptest::collection::vec(proptest::option::of(0usize..1000), 1..60),
                           values in proptest::collection::vec(-1000i64..1000, 60)) {
            // Parent of member i must be an earlier member, so the links form a forest.
            let links: Vec<(usize, Option<usize>)> = parents.iter().enumerate()
                .map(|(i, p)| (i, p.filter(|_| i > 0).map(|p| p % i.max(1)))).collect();
            let h = Hierarchy::from_parent_links("test", links.clone()).unwrap();
            let vals: HashMap<usize, i64> = (0..links.len()).map(|i| (i, values[i])).collect();
            let rolled = h.roll_up(&vals).unwrap();
            let grand: i64 = vals.values().sum();
            let roots: i64 = h.roots().map(|r| rolled[r]).sum();
            prop_assert_eq!(roots, grand);
            for member in h.members() {
                let below: i64 = h.descendants(member).iter().map(|d| vals[*d]).sum();
                prop_assert_eq!(rolled[member], vals[member] + below);
            }
        }

        /// Random forests: the leaves under a member are its descendants without children, in
        /// the depth-first order of `descendants` (itself for a leaf).
        #[test]
        fn leaves_under_are_the_childless_descendants(parents in proptest::collection::vec(proptest::option::of(0usize..1000), 1..60)) {
            let links: Vec<(usize, Option<usize>)> = parents.iter().enumerate()
                .map(|(i, p)| (i, p.filter(|_| i > 0).map(|p| p % i.max(1)))).collect();
            let h = Hierarchy::from_parent_links("test", links).unwrap();
            for member in h.members() {
                let below = h.descendants(member);
                let want: Vec<&usize> = if below.is_empty() { vec![member] } else { below.into_iter().filter(|d| h.is_leaf(d)).collect() };
                prop_assert_eq!(h.leaves_under(member), want);
            }
            prop_assert!(h.leaves_under(&10_000).is_empty());
        }
    }
}
