//! Synthetic movement streams of any size, for benchmarks and scale tests: `nodes x products`
//! pairs, movements spread evenly over the pairs and over `days` days, kinds in the proportions of
//! a distribution business (mostly sales and receipts).

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::demand::Draws;
use crate::error::{OmoError, Result};
use crate::model::{MovementKind, NodeId, ProductId, StockMovement};

/// `count` movements over `nodes x products` pairs and `days` days from 2023-01-01, seeded.
/// Quantities are 1 to 100 units, a quarter of them with a half unit (exact decimals).
///
/// ```
/// let moves = omo_core::sample::movement_stream(10, 20, 5_000, 365, 1)?;
/// assert_eq!(moves.len(), 5_000);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn movement_stream(
    nodes: usize,
    products: usize,
    count: usize,
    days: u32,
    seed: u64,
) -> Result<Vec<StockMovement>> {
    if nodes == 0 || products == 0 || days == 0 {
        return Err(OmoError::InvalidArgument {
            name: "nodes",
            message: "nodes, products and days must be positive".into(),
        });
    }
    let start = NaiveDate::from_ymd_opt(2023, 1, 1)
        .ok_or_else(|| OmoError::InvalidArgument { name: "start", message: "bad start".into() })?;
    let node_ids = (0..nodes).map(|i| NodeId::new(format!("N{i:05}"))).collect::<Result<Vec<_>>>()?;
    let product_ids = (0..products).map(|i| ProductId::new(format!("P{i:05}"))).collect::<Result<Vec<_>>>()?;
    let mut draws = Draws::new(seed);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let node = node_ids[draws.between(0, nodes as i64 - 1) as usize].clone();
        let product = product_ids[draws.between(0, products as i64 - 1) as usize].clone();
        let date = start + Days::new(draws.between(0, i64::from(days) - 1) as u64);
        let kind = match draws.between(0, 99) {
            0..=29 => MovementKind::Receipt,
            30..=84 => MovementKind::Sale,
            85..=87 => MovementKind::CustomerReturn,
            88..=89 => MovementKind::SupplierReturn,
            90..=94 => MovementKind::TransferIn,
            95..=98 => MovementKind::TransferOut,
            _ => MovementKind::Adjustment,
        };
        let units = draws.between(1, 100);
        let mut quantity = Decimal::from(units) + if draws.chance(0.25) { Decimal::new(5, 1) } else { Decimal::ZERO };
        if kind == MovementKind::Adjustment && draws.chance(0.5) {
            quantity = -quantity;
        }
        out.push(StockMovement { node, product, date, kind, quantity, counterparty: None, reference: None });
    }
    Ok(out)
}
