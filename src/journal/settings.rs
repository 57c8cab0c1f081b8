//! Device settings kept in the journal, as key/value rows behind typed accessors:
//! the values the hub gave at enrollment, which must survive a lost kiosk.toml.

use rusqlite::params;

use super::Journal;
use super::error::JournalError;
use crate::domain::DeviceId;

const GET: &str = "SELECT value FROM settings WHERE key = ?1";
const PUT: &str = "INSERT INTO settings (key, value) VALUES (?1, ?2) \
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

const DEVICE_ID: &str = "device_id";
const DEVICE_NAME: &str = "device_name";
const HUB_URL: &str = "hub_url";

impl Journal {
    /// The device id the hub gave this kiosk at enrollment.
    pub fn device_id(&self) -> Result<Option<DeviceId>, JournalError> {
        self.setting(DEVICE_ID)?
            .map(|text| {
                text.parse().map_err(|e| {
                    JournalError::corrupt(
                        &self.db_path,
                        format!("setting {DEVICE_ID} = {text:?} is not a device id: {e}"),
                    )
                })
            })
            .transpose()
    }

    pub fn set_device_id(&mut self, id: DeviceId) -> Result<(), JournalError> {
        self.set_setting(DEVICE_ID, &id.to_string())
    }

    /// The device's display name.
    pub fn device_name(&self) -> Result<Option<String>, JournalError> {
        self.setting(DEVICE_NAME)
    }

    pub fn set_device_name(&mut self, name: &str) -> Result<(), JournalError> {
        self.set_setting(DEVICE_NAME, name)
    }

    /// The hub's base URL.
    pub fn hub_url(&self) -> Result<Option<String>, JournalError> {
        self.setting(HUB_URL)
    }

    pub fn set_hub_url(&mut self, url: &str) -> Result<(), JournalError> {
        self.set_setting(HUB_URL, url)
    }

    pub(super) fn setting(&self, key: &str) -> Result<Option<String>, JournalError> {
        self.query_opt(GET, [key], |row| row.get(0))
    }

    pub(super) fn set_setting(&mut self, key: &str, value: &str) -> Result<(), JournalError> {
        self.execute(PUT, params![key, value])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::test_support::{fresh, reopen};

    #[test]
    fn settings_round_trip() {
        let (dir, mut j) = fresh();
        assert_eq!(j.device_id().unwrap(), None);
        assert_eq!(j.device_name().unwrap(), None);
        assert_eq!(j.hub_url().unwrap(), None);
        let id = DeviceId::new();
        j.set_device_id(id).unwrap();
        j.set_device_name("Front desk").unwrap();
        j.set_hub_url("https://hub.example:8443/").unwrap();
        j.set_device_name("Front desk 2").unwrap();
        let j = reopen(&dir, j);
        assert_eq!(j.device_id().unwrap(), Some(id));
        assert_eq!(j.device_name().unwrap().as_deref(), Some("Front desk 2"));
        assert_eq!(
            j.hub_url().unwrap().as_deref(),
            Some("https://hub.example:8443/")
        );
    }

    #[test]
    fn a_damaged_device_id_is_reported_not_ignored() {
        let (_dir, mut j) = fresh();
        j.set_setting(DEVICE_ID, "not-a-uuid").unwrap();
        assert!(matches!(j.device_id(), Err(JournalError::Corrupt { .. })));
    }
}
