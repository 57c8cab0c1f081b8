//! Identifiers of the domain. Every entity id is a UUID so that an organisation
//! exported from one hub imports into another without renumbering.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person of an organisation (employee, lead, supervisor, admin).
    PersonId
);
id_type!(
    /// A role of an organisation.
    RoleId
);
id_type!(
    /// A team: one lead and their crew.
    TeamId
);
id_type!(
    /// A job (TrackingTime "project") people check in to.
    JobId
);
id_type!(
    /// An enrolled kiosk device.
    DeviceId
);
id_type!(
    /// A clock or check event; made on the device, unique across the whole hub.
    EventId
);
