//! Engagement of online trainings and campaigns: attendees per day, interactions and likes per
//! attendee per day (the fertilizer case: 180 attendees a day, 5,521 interactions and 3,546 likes
//! in 10 days).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};

/// One day of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDay {
    /// The day.
    pub date: NaiveDate,
    /// People who attended.
    pub attendees: u64,
    /// Comments, questions and other interactions.
    pub interactions: u64,
    /// Likes.
    pub likes: u64,
}

/// Engagement over a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    /// Days of the campaign.
    pub days: usize,
    /// Average attendees per day.
    pub attendees_per_day: f64,
    /// Interactions per attendee per day: all interactions over all attendee-days.
    pub interactions_per_attendee_day: f64,
    /// Likes per attendee per day.
    pub likes_per_attendee_day: f64,
}

/// Engagement of a campaign from its daily counts.
///
/// ```
/// use omo_core::analytics::{CampaignDay, engagement};
/// let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 2, d).unwrap();
/// let days = [CampaignDay { date: day(1), attendees: 100, interactions: 300, likes: 50 },
///             CampaignDay { date: day(2), attendees: 300, interactions: 500, likes: 150 }];
/// let e = engagement(&days)?;
/// assert_eq!((e.attendees_per_day, e.interactions_per_attendee_day), (200.0, 2.0));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn engagement(days: &[CampaignDay]) -> Result<Engagement> {
    let attendee_days: u64 = days.iter().map(|d| d.attendees).sum();
    if attendee_days == 0 {
        return Err(OmoError::InvalidArgument {
            name: "days",
            message: "a campaign needs at least one attendee".into(),
        });
    }
    let total = |f: fn(&CampaignDay) -> u64| days.iter().map(f).sum::<u64>() as f64;
    Ok(Engagement {
        days: days.len(),
        attendees_per_day: attendee_days as f64 / days.len() as f64,
        interactions_per_attendee_day: total(|d| d.interactions) / attendee_days as f64,
        likes_per_attendee_day: total(|d| d.likes) / attendee_days as f64,
    })
}
