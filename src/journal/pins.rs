//! Wrong-PIN counters per person. They live in the journal so that restarting the
//! kiosk (or pulling its plug) does not reset a lockout. The policy — how many tries,
//! how long a lockout — belongs to the caller; this only stores it.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Journal;
use super::codec::{instant_opt, micros};
use super::error::JournalError;
use crate::domain::PersonId;

const GET: &str = "SELECT failures, locked_until_us FROM pin_failures WHERE person = ?1";
const PUT: &str = "INSERT INTO pin_failures (person, failures, locked_until_us) \
     VALUES (?1, ?2, ?3) ON CONFLICT (person) DO UPDATE \
     SET failures = excluded.failures, locked_until_us = excluded.locked_until_us";
const CLEAR: &str = "DELETE FROM pin_failures WHERE person = ?1";

/// Wrong PIN attempts of one person.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinFailures {
    /// Consecutive wrong PINs since the last right one.
    pub count: u32,
    /// PIN entry refused until then.
    pub locked_until: Option<DateTime<Utc>>,
}

impl Journal {
    /// The person's counter (zero and unlocked if none is stored).
    pub fn pin_failures(&self, person: PersonId) -> Result<PinFailures, JournalError> {
        let row = self.query_opt(GET, [person.0.as_bytes().as_slice()], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Option<i64>>(1)?))
        })?;
        let Some((count, locked_until)) = row else {
            return Ok(PinFailures::default());
        };
        Ok(PinFailures {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            locked_until: instant_opt(&self.db_path, locked_until)?,
        })
    }

    /// Stores the person's counter.
    pub fn set_pin_failures(
        &mut self,
        person: PersonId,
        failures: PinFailures,
    ) -> Result<(), JournalError> {
        self.execute(
            PUT,
            params![
                person.0.as_bytes().as_slice(),
                i64::from(failures.count),
                failures.locked_until.map(micros),
            ],
        )?;
        Ok(())
    }

    /// Forgets the person's counter (after a right PIN, or an admin's unlock).
    pub fn clear_pin_failures(&mut self, person: PersonId) -> Result<(), JournalError> {
        self.execute(CLEAR, [person.0.as_bytes().as_slice()])?;
        Ok(())
    }
}

/// The settings key of the device-wide counter of wrong privileged PINs (the
/// Admin screen, a supervisor's override), stored as "COUNT UNTIL_US" (`-` for
/// no wait).
const PRIVILEGED: &str = "privileged_pin_failures";

impl Journal {
    /// The device's counter of wrong privileged PINs, whoever they were for.
    pub fn privileged_pin_failures(&self) -> Result<PinFailures, JournalError> {
        let Some(text) = self.setting(PRIVILEGED)? else {
            return Ok(PinFailures::default());
        };
        let corrupt = |why: &str| {
            JournalError::corrupt(
                &self.db_path,
                format!("setting {PRIVILEGED} = {text:?}: {why}"),
            )
        };
        let (count, until) = text.split_once(' ').ok_or_else(|| corrupt("no space"))?;
        let count = count.parse::<u32>().map_err(|e| corrupt(&e.to_string()))?;
        let until = match until {
            "-" => None,
            us => Some(us.parse::<i64>().map_err(|e| corrupt(&e.to_string()))?),
        };
        Ok(PinFailures {
            count,
            locked_until: instant_opt(&self.db_path, until)?,
        })
    }

    /// Stores the device's counter of wrong privileged PINs.
    pub fn set_privileged_pin_failures(
        &mut self,
        failures: PinFailures,
    ) -> Result<(), JournalError> {
        let until = failures
            .locked_until
            .map_or_else(|| "-".to_owned(), |t| micros(t).to_string());
        self.set_setting(PRIVILEGED, &format!("{} {until}", failures.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_support::{fresh, reopen, t0};

    #[test]
    fn pin_counters_survive_reopen_and_clear() {
        let (dir, mut j) = fresh();
        let (alice, bob) = (PersonId::new(), PersonId::new());
        assert_eq!(j.pin_failures(alice).unwrap(), PinFailures::default());
        j.set_pin_failures(
            alice,
            PinFailures {
                count: 2,
                locked_until: None,
            },
        )
        .unwrap();
        let locked = PinFailures {
            count: 5,
            locked_until: Some(t0() + chrono::Duration::minutes(15)),
        };
        j.set_pin_failures(bob, locked).unwrap();

        let mut j = reopen(&dir, j);
        assert_eq!(j.pin_failures(alice).unwrap().count, 2);
        assert_eq!(j.pin_failures(bob).unwrap(), locked);
        j.clear_pin_failures(bob).unwrap();
        let j = reopen(&dir, j);
        assert_eq!(j.pin_failures(bob).unwrap(), PinFailures::default());
        assert_eq!(j.pin_failures(alice).unwrap().count, 2);
    }
    #[test]
    fn the_privileged_counter_survives_a_reopen_and_damage_is_reported() {
        let (dir, mut j) = fresh();
        assert_eq!(j.privileged_pin_failures().unwrap(), PinFailures::default());
        let waiting = PinFailures {
            count: 4,
            locked_until: Some(t0() + chrono::TimeDelta::seconds(60)),
        };
        j.set_privileged_pin_failures(waiting).unwrap();
        let mut j = reopen(&dir, j);
        assert_eq!(j.privileged_pin_failures().unwrap(), waiting);
        let free = PinFailures {
            count: 1,
            locked_until: None,
        };
        j.set_privileged_pin_failures(free).unwrap();
        assert_eq!(j.privileged_pin_failures().unwrap(), free);
        for bad in ["", "4", "x -", "4 soon"] {
            j.set_setting(PRIVILEGED, bad).unwrap();
            assert!(
                matches!(
                    j.privileged_pin_failures(),
                    Err(JournalError::Corrupt { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
