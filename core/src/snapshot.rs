//! A company's data as an app holds it offline: the validated dataset of its scope and the credit
//! book built from it, kept in step as orders, payments and stock movements are recorded.

use crate::credit::{CreditBook, CreditCheck, CreditPolicy};
use crate::dataset::{Dataset, ValidDataset};
use crate::error::Result;
use crate::model::{CustomerId, Payment, SalesOrder, StockMovement};
use crate::views::Views;

/// A validated dataset with its credit book. Recording a transaction updates both or neither.
///
/// ```
/// use omo_core::Snapshot;
/// use omo_core::credit::CreditPolicy;
/// use omo_core::sample::{SampleConfig, sample_company};
/// let snapshot = Snapshot::new(sample_company(&SampleConfig::small(3))?, CreditPolicy::default())?;
/// let customer = snapshot.book().customers()[0].clone();
/// let position = snapshot.credit_position(&customer)?;
/// assert_eq!(position.available, position.limit - position.exposure_before);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Snapshot {
    dataset: ValidDataset,
    book: CreditBook,
}

impl Snapshot {
    /// Validates `dataset` (every broken reference reported at once) and builds its credit book
    /// on its `as_of` under `policy`.
    pub fn new(dataset: Dataset, policy: CreditPolicy) -> Result<Self> {
        let dataset = ValidDataset::new(dataset)?;
        let book = CreditBook::from_dataset(&dataset, dataset.as_of, policy)?;
        Ok(Snapshot { dataset, book })
    }

    /// Reads a dataset from JSON (the core's format) and builds its snapshot under `policy`.
    pub fn from_json(json: &str, policy: CreditPolicy) -> Result<Self> {
        Snapshot::new(Dataset::from_json(json)?, policy)
    }

    /// The dataset, with every recorded transaction (each checked as the batch validation
    /// would: it stays valid).
    pub fn dataset(&self) -> &ValidDataset {
        &self.dataset
    }

    /// The views of the snapshot ([`crate::views`]), reading its credit book.
    pub fn views(&self) -> Views<'_> {
        Views::of(&self.dataset, Some(&self.book), None)
    }

    /// The credit book, on the dataset's `as_of`.
    pub fn book(&self) -> &CreditBook {
        &self.book
    }

    /// A customer's credit position on `as_of`: the check of an order of nothing (static mode).
    pub fn credit_position(&self, customer: &CustomerId) -> Result<CreditCheck> {
        self.book.credit_position(customer, self.dataset.as_of)
    }

    /// Records an order taken after the snapshot (see [`Dataset::record_order`]); when the
    /// customer has a credit account the order is booked as open. Either both happen or neither.
    pub fn record_order(&mut self, order: SalesOrder) -> Result<()> {
        let as_of = self.dataset.as_of;
        self.dataset.as_mut_unchecked().record_order(order.clone())?;
        if self.book.account(&order.customer).is_some() {
            let expected = order.requested_date.unwrap_or(order.order_date);
            if let Err(e) = self.book.book_order(order.id.clone(), &order.customer, order.total(), expected) {
                let d = self.dataset.as_mut_unchecked();
                d.orders.pop();
                d.as_of = as_of;
                return Err(e);
            }
        }
        self.move_business_day(as_of);
        Ok(())
    }

    /// Records a payment received after the snapshot (see [`Dataset::record_payment`]); when
    /// the customer has a credit account the payment is posted to its receivables (a payment in
    /// another currency than the account is refused). Either both happen or neither.
    pub fn record_payment(&mut self, payment: Payment) -> Result<()> {
        let as_of = self.dataset.as_of;
        self.dataset.as_mut_unchecked().record_payment(payment)?;
        let Some(payment) = self.dataset.payments.last() else { return Ok(()) };
        if self.book.account(&payment.customer).is_some()
            && let Err(e) = self.book.post_payment(payment)
        {
            let d = self.dataset.as_mut_unchecked();
            d.payments.pop();
            d.as_of = as_of;
            return Err(e);
        }
        self.move_business_day(as_of);
        Ok(())
    }

    /// Records a stock movement after the snapshot (see [`Dataset::record_movement`]).
    pub fn record_movement(&mut self, movement: StockMovement) -> Result<()> {
        let as_of = self.dataset.as_of;
        self.dataset.as_mut_unchecked().record_movement(movement)?;
        self.move_business_day(as_of);
        Ok(())
    }

    /// Ages the book to the dataset's `as_of` when a recorded transaction moved it past `before`.
    fn move_business_day(&mut self, before: chrono::NaiveDate) {
        if self.dataset.as_of != before {
            self.book.set_business_day(self.dataset.as_of);
        }
    }
}
