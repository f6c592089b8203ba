//! A dataset validated once: [`ValidDataset`], and [`DatasetInput`], how the calculators take a
//! dataset — a plain [`Dataset`], whose stock records they check on every call, or a
//! [`ValidDataset`], which they trust.

use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::error::Result;

/// A dataset that passed [`Dataset::validate`]: every record, reference and the stock rule.
/// Views and calculators given one do not check it again (a report that calls a dozen of them
/// validates once). It reads as a [`Dataset`] (`Deref`) and cannot be changed in place.
///
/// ```
/// use omo_core::ValidDataset;
/// use omo_core::sample::{SampleConfig, sample_company};
/// use omo_core::spi::{HealthOptions, inventory_health};
/// let company = ValidDataset::new(sample_company(&SampleConfig::small(1))?)?;
/// let health = inventory_health(&company, &HealthOptions::new(company.as_of))?;
/// assert!(!health.stock.is_empty());
///
/// let mut broken = company.into_inner();
/// broken.movements[0].quantity = -broken.movements[0].quantity;
/// assert!(ValidDataset::new(broken).is_err());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Dataset")]
pub struct ValidDataset(Dataset);

/// Written as the dataset it holds.
impl Serialize for ValidDataset {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl ValidDataset {
    /// `dataset` once it passes [`Dataset::validate`]; else every problem at once
    /// ([`crate::OmoError::Invalid`]).
    pub fn new(dataset: Dataset) -> Result<Self> {
        dataset.validate().into_result()?;
        Ok(ValidDataset(dataset))
    }

    /// A dataset the crate keeps valid by construction (the live engine's, which checks every
    /// event as the batch validation would).
    pub(crate) fn assume_valid(dataset: Dataset) -> Self {
        ValidDataset(dataset)
    }

    /// The dataset to change in place, for the engine only: its checks of every event keep it
    /// valid.
    pub(crate) fn as_mut_unchecked(&mut self) -> &mut Dataset {
        &mut self.0
    }

    /// The dataset itself.
    pub fn into_inner(self) -> Dataset {
        self.0
    }
}

impl TryFrom<Dataset> for ValidDataset {
    type Error = crate::OmoError;

    fn try_from(dataset: Dataset) -> Result<Self> {
        ValidDataset::new(dataset)
    }
}

impl std::ops::Deref for ValidDataset {
    type Target = Dataset;

    fn deref(&self) -> &Dataset {
        &self.0
    }
}

/// A dataset as the calculators take it: a [`Dataset`], whose stock records (ids, fields, the
/// negative-stock rule) are checked on each call, or a [`ValidDataset`], checked once when it
/// was made.
pub trait DatasetInput {
    /// The dataset, once its stock records are known to be sound.
    ///
    /// # Errors
    /// [`crate::OmoError::Invalid`] with every problem of the stock records.
    fn checked_stock(&self) -> Result<&Dataset>;
}

impl DatasetInput for Dataset {
    fn checked_stock(&self) -> Result<&Dataset> {
        self.validate_stock().into_result()?;
        Ok(self)
    }
}

/// A dataset a calculator has just checked, handed to the calculators it calls so that they do
/// not check it again.
pub(crate) struct Checked<'a>(pub(crate) &'a Dataset);

impl DatasetInput for Checked<'_> {
    fn checked_stock(&self) -> Result<&Dataset> {
        Ok(self.0)
    }
}

impl DatasetInput for ValidDataset {
    fn checked_stock(&self) -> Result<&Dataset> {
        Ok(&self.0)
    }
}

impl<T: DatasetInput + ?Sized> DatasetInput for &T {
    fn checked_stock(&self) -> Result<&Dataset> {
        (**self).checked_stock()
    }
}

impl<T: DatasetInput + ?Sized> DatasetInput for std::sync::Arc<T> {
    fn checked_stock(&self) -> Result<&Dataset> {
        (**self).checked_stock()
    }
}
