//! Exact decimals in 8 bytes, for the aggregates the engine keeps for every node x product and
//! month (a month's receipts and sales, its sell-out units and revenue): at the articles' size
//! some 40 million of them, where a `Decimal`'s 16 bytes are half the engine's memory.
//!
//! A [`Packed`] holds a mantissa of up to 58 bits with its scale (every quantity and amount of a
//! real ledger: 2^57 is 144 quadrillion), or, for the rare value that does not fit, its
//! position in a list of `Decimal`s its owner keeps aside. Either way the value read back is
//! the one written, scale and sign included: the aggregates stay exact.

use rust_decimal::Decimal;

/// An exact decimal in 8 bytes (see the module's documentation). Its owner keeps the list of
/// values set aside and passes it to [`Packed::get`], [`Packed::set`] and [`Packed::add`];
/// `Packed::default()` is zero. Stored as two `u32`s so that a struct of two of them and a
/// count takes 20 bytes, not 24.
///
/// A value moved back from the list to the packed form leaves its slot behind, unused: the
/// list grows only with the values that ever did not fit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Packed([u32; 2]);

/// Bit 0: set when the value is in the list aside (the other bits its position); bits 1 to 5:
/// the scale; bits 6 to 63: the signed mantissa.
const ASIDE: u64 = 1;
const SCALE_SHIFT: u32 = 1;
const MANTISSA_SHIFT: u32 = 6;
/// Mantissas in `-LIMIT..LIMIT` are packed.
const LIMIT: i128 = 1 << (63 - MANTISSA_SHIFT);

impl Packed {
    fn bits(self) -> u64 {
        u64::from(self.0[0]) | (u64::from(self.0[1]) << 32)
    }

    fn from_bits(bits: u64) -> Self {
        Packed([bits as u32, (bits >> 32) as u32])
    }

    /// The value, reading the list aside when it was set there.
    pub(crate) fn get(self, aside: &[Decimal]) -> Decimal {
        match self.packed_parts() {
            Some((mantissa, scale)) => {
                Decimal::try_from_i128_with_scale(i128::from(mantissa), scale).unwrap_or_default()
            }
            None => usize::try_from(self.bits() >> 1).ok().and_then(|at| aside.get(at)).copied().unwrap_or_default(),
        }
    }

    /// The mantissa and scale of a packed value; `None` for one set aside.
    fn packed_parts(self) -> Option<(i64, u32)> {
        let bits = self.bits();
        (bits & ASIDE == 0).then_some(((bits as i64) >> MANTISSA_SHIFT, ((bits >> SCALE_SHIFT) & 0x1f) as u32))
    }

    /// The packed form of a mantissa in `-LIMIT..LIMIT` and a scale of at most 28.
    fn from_parts(mantissa: i64, scale: u32) -> Self {
        Packed::from_bits(((mantissa << MANTISSA_SHIFT) as u64) | (u64::from(scale) << SCALE_SHIFT))
    }

    /// Sets the value: packed when its mantissa fits (and it is not a negative zero), else in
    /// the list aside (in the slot it already holds there, if any).
    pub(crate) fn set(&mut self, value: Decimal, aside: &mut Vec<Decimal>) {
        let mantissa = value.mantissa();
        let negative_zero = value.is_zero() && value.is_sign_negative();
        if (-LIMIT..LIMIT).contains(&mantissa) && !negative_zero {
            *self = Packed::from_parts(mantissa as i64, value.scale());
            return;
        }
        let bits = self.bits();
        let held = if bits & ASIDE != 0 { usize::try_from(bits >> 1).ok() } else { None };
        match held.and_then(|at| aside.get_mut(at)) {
            Some(slot) => *slot = value,
            None => {
                aside.push(value);
                *self = Packed::from_bits(((aside.len() as u64 - 1) << 1) | ASIDE);
            }
        }
    }

    /// Adds `quantity` to the value.
    pub(crate) fn add(&mut self, quantity: Decimal, aside: &mut Vec<Decimal>) {
        // The usual case, a non-negative packed value and a positive quantity of its scale
        // (a month's sales growing by a sale): their mantissas added, as `Decimal` adds them.
        if let Some((mantissa, scale)) = self.packed_parts()
            && mantissa >= 0
            && quantity.scale() == scale
            && quantity.is_sign_positive()
            && let Ok(added) = i64::try_from(quantity.mantissa())
            && let Some(sum) = mantissa.checked_add(added).filter(|sum| i128::from(*sum) < LIMIT)
        {
            *self = Packed::from_parts(sum, scale);
            return;
        }
        let sum = self.get(aside) + quantity;
        self.set(sum, aside);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The value and its scale and sign, as `Decimal` shows them.
    fn shown(value: Decimal) -> String {
        format!("{value:?} {} {}", value.scale(), value.is_sign_negative())
    }

    fn negative_zero() -> Decimal {
        let mut zero = Decimal::new(0, 2);
        zero.set_sign_negative(true);
        zero
    }

    #[test]
    fn values_come_back_exactly_packed_or_aside() {
        let mut aside = Vec::new();
        let big = Decimal::MAX;
        let cases = [
            Decimal::ZERO,
            Decimal::new(150, 2),
            Decimal::new(-7, 0),
            Decimal::new(123_456_789, 28),
            Decimal::from_i128_with_scale((1 << 57) - 1, 3),
            Decimal::from_i128_with_scale(-(1 << 57), 0),
            Decimal::from_i128_with_scale(1 << 57, 0),
            negative_zero(),
            big,
        ];
        for value in cases {
            let mut packed = Packed::default();
            packed.set(value, &mut aside);
            assert_eq!(shown(packed.get(&aside)), shown(value));
        }
        // 2^57, the largest value and the negative zero went aside; nothing else did.
        assert_eq!(aside.len(), 3);
        assert_eq!(Packed::default().get(&aside), Decimal::ZERO);
    }

    #[test]
    fn a_value_crossing_the_limit_moves_aside_and_back_in_one_slot() {
        let mut aside = Vec::new();
        let mut packed = Packed::default();
        let limit = Decimal::from_i128_with_scale(1 << 57, 0);
        packed.add(limit - Decimal::ONE, &mut aside);
        assert!(aside.is_empty());
        packed.add(Decimal::ONE, &mut aside);
        packed.add(Decimal::TEN, &mut aside);
        assert_eq!((packed.get(&aside), aside.len()), (limit + Decimal::TEN, 1));
        packed.add(-limit, &mut aside);
        assert_eq!(packed.get(&aside), Decimal::TEN);
        packed.add(limit, &mut aside);
        assert_eq!((packed.get(&aside), aside.len()), (limit + Decimal::TEN, 2));
    }

    proptest! {
        /// Any sequence of additions gives the sum `Decimal` gives, scale included.
        #[test]
        fn sums_equal_decimal_sums(steps in proptest::collection::vec((any::<i64>(), 0u32..=12), 1..40)) {
            let mut aside = Vec::new();
            let mut packed = Packed::default();
            let mut expected = Decimal::ZERO;
            for (mantissa, scale) in steps {
                let step = Decimal::new(mantissa, scale);
                expected += step;
                packed.add(step, &mut aside);
                prop_assert_eq!(shown(packed.get(&aside)), shown(expected));
            }
        }

        /// Quantities of a few scales, mostly positive (the additions done on the mantissas),
        /// some negative or zero, give the sum `Decimal` gives, scale and sign included.
        #[test]
        fn sums_of_sales_equal_decimal_sums(
            steps in proptest::collection::vec((0i64..1_000_000, 0u32..=2, 0u8..10), 1..60),
        ) {
            let mut aside = Vec::new();
            let mut packed = Packed::default();
            let mut expected = Decimal::ZERO;
            for (mantissa, scale, kind) in steps {
                let step = match kind {
                    0 => Decimal::new(-mantissa, scale),
                    1 => Decimal::new(0, scale),
                    _ => Decimal::new(mantissa, scale),
                };
                expected += step;
                packed.add(step, &mut aside);
                prop_assert_eq!(shown(packed.get(&aside)), shown(expected));
            }
        }
    }
}
