//! Where tapin keeps its files, and the kiosk.toml settings.
//!
//! Settings are layered: defaults, then the file, then `TAPIN_*` environment
//! variables (one per key: `[sync] batch_size` is `TAPIN_SYNC_BATCH_SIZE`).
//! A bad file is refused with its path, line and column, a bad variable with its
//! name: a kiosk must not start on settings it half understood. Unknown keys are
//! errors for the same reason (a typo would otherwise be silently ignored).

use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::Deserialize;

use crate::journal::{DEFAULT_COMPACT_ACKED_AFTER, JournalOptions};
use crate::tui::settings::{BadSetting, range};

/// File name of the kiosk's configuration inside the XDG config dir.
pub const CONFIG_FILE_NAME: &str = "kiosk.toml";

/// Shortest compaction age: the kiosk folds up to a week of a person's events
/// ("this week's hours"), so acknowledged rows must outlive that window.
pub const MIN_KEEP_ACKED_DAYS: u32 = 8;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "tapin")
}

/// `$XDG_CONFIG_HOME/tapin/kiosk.toml`, or `./kiosk.toml` when no home is known
/// (a service account without one).
pub fn default_config_path() -> PathBuf {
    project_dirs()
        .map(|dirs| dirs.config_dir().join(CONFIG_FILE_NAME))
        .unwrap_or_else(|| PathBuf::from(CONFIG_FILE_NAME))
}

/// `$XDG_DATA_HOME/tapin/`: the journal, logs and any file-based secret.
pub fn default_data_dir() -> PathBuf {
    project_dirs()
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("tapin-data"))
}

/// A kiosk.toml that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Syntax, unknown keys and wrong types; the message carries line and column.
    #[error("configuration {path} is not valid: {message}")]
    Invalid { path: PathBuf, message: String },
    /// A value in range of its type but not allowed; `at` says where it was set
    /// ("line 3, column 14", or the environment variable).
    #[error("configuration {path}: {at}: {key} = {value} is not allowed: {why}")]
    BadValue {
        path: PathBuf,
        at: String,
        key: &'static str,
        value: String,
        why: String,
    },
    /// A `TAPIN_*` variable whose value the key cannot take.
    #[error("configuration {path}: environment variable {var}: {message}")]
    Env {
        path: PathBuf,
        var: String,
        message: String,
    },
}

/// The settings of kiosk.toml (see kiosk.toml.example for each key).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    /// Overrides the default data directory; `--data-dir` overrides this.
    pub data_dir: Option<PathBuf>,
    /// The hub this kiosk syncs to; overrides the URL remembered at enrollment.
    pub hub_url: Option<String>,
    /// Where the device token and PIN pepper are kept.
    #[serde(default)]
    pub secret_store: SecretStoreChoice,
    #[serde(default)]
    pub journal: JournalSettings,
    #[serde(default)]
    pub sync: SyncSettings,
    /// The kiosk screen: PIN policy, timeouts, theme, language.
    #[serde(default)]
    pub kiosk: crate::tui::settings::ScreenSettings,
    /// The badge reader.
    #[serde(default)]
    pub badge: crate::tui::settings::BadgeConfig,
    /// The log file.
    #[serde(default)]
    pub log: crate::logging::LogSettings,
}

/// Which secret store holds the device's secrets (kiosk.toml `secret_store`, and
/// `--secret-store` on the command line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SecretStoreChoice {
    /// The first that works: the Secret Service (D-Bus), else a 0600 file under the
    /// data dir; reading also looks in the kernel keyutils store and
    /// `$CREDENTIALS_DIRECTORY` (systemd credentials).
    #[default]
    Auto,
    SecretService,
    /// The kernel keyutils store: does not survive a reboot.
    Keyutils,
    /// Read-only: `$CREDENTIALS_DIRECTORY/tapin-device`, put there by systemd.
    SystemdCredentials,
    File,
}

/// How the sync worker talks to the hub.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// Longest wait between retries, in seconds (also caps a hub's `Retry-After`).
    pub backoff_cap_secs: u64,
    /// Seconds to wait for a TCP/TLS connection.
    pub connect_timeout_secs: u64,
    /// Seconds one request may take, connection included.
    pub request_timeout_secs: u64,
    /// Seconds between roster checks while online.
    pub roster_refresh_secs: u64,
    /// A clock offset to the hub beyond this many seconds shows a warning.
    pub clock_skew_warn_secs: u64,
    /// Events per request (the hub takes at most 1,000).
    pub batch_size: usize,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            backoff_cap_secs: 60,
            connect_timeout_secs: 5,
            request_timeout_secs: 30,
            roster_refresh_secs: 300,
            clock_skew_warn_secs: 60,
            batch_size: 1000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JournalSettings {
    /// Days acknowledged events are kept before compaction may delete them.
    pub keep_acked_days: u32,
}

impl Default for JournalSettings {
    /// The journal's own default, [`DEFAULT_COMPACT_ACKED_AFTER`].
    fn default() -> Self {
        Self {
            keep_acked_days: DEFAULT_COMPACT_ACKED_AFTER.num_days() as u32,
        }
    }
}

/// Every key a `TAPIN_*` variable may set, and whether its value is a number.
/// The variable's name is `TAPIN_` and the key in capitals, dots as underscores.
pub const ENV_KEYS: &[(&str, bool)] = &[
    ("data_dir", false),
    ("hub_url", false),
    ("secret_store", false),
    ("journal.keep_acked_days", true),
    ("sync.backoff_cap_secs", true),
    ("sync.connect_timeout_secs", true),
    ("sync.request_timeout_secs", true),
    ("sync.roster_refresh_secs", true),
    ("sync.clock_skew_warn_secs", true),
    ("sync.batch_size", true),
    ("kiosk.device_name", false),
    ("kiosk.pin", false),
    ("kiosk.idle_timeout_secs", true),
    ("kiosk.confirmation_secs", true),
    ("kiosk.missed_punch_hours", true),
    ("kiosk.theme", false),
    ("kiosk.language", false),
    ("badge.prefix", false),
    ("badge.suffix", false),
    ("badge.max_gap_ms", true),
    ("log.level", false),
    ("log.dir", false),
    ("log.max_files", true),
];

/// The environment variable that sets `key`.
pub fn env_var_of(key: &str) -> String {
    format!("TAPIN_{}", key.replace('.', "_").to_uppercase())
}

/// A configuration as loaded, with where its values came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub config: KioskConfig,
    /// Whether the file existed (the default location may be absent).
    pub file_found: bool,
    /// The variables that set a value, by name.
    pub from_env: Vec<String>,
}

impl KioskConfig {
    /// Reads `path`. A missing file is an error when the path was asked for
    /// explicitly; the default location may be absent (defaults then apply).
    pub fn load(path: &Path, explicit: bool) -> Result<Self, ConfigError> {
        Self::load_layered(path, explicit, |_| None).map(|loaded| loaded.config)
    }

    /// Defaults, then the file at `path` (see [`Self::load`]), then the `TAPIN_*`
    /// variables `env` returns.
    pub fn load_layered(
        path: &Path,
        explicit: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Loaded, ConfigError> {
        let (text, file_found) = match std::fs::read_to_string(path) {
            Ok(text) => (text, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                (String::new(), false)
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let (config, from_env) = Self::parse_layered(path, &text, env)?;
        Ok(Loaded {
            config,
            file_found,
            from_env,
        })
    }

    /// Parses and checks the text of a kiosk.toml read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        Self::parse_layered(path, text, |_| None).map(|(config, _)| config)
    }

    fn parse_layered(
        path: &Path,
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<(Self, Vec<String>), ConfigError> {
        let invalid = |e: toml::de::Error| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        // The file alone first: its errors carry line and column.
        let mut config: KioskConfig = toml::from_str(text).map_err(invalid)?;
        let mut table: toml::Table = toml::from_str(text).map_err(invalid)?;
        let mut from_env = Vec::new();
        for &(key, number) in ENV_KEYS {
            let var = env_var_of(key);
            let Some(raw) = env(&var) else { continue };
            let env_error = |message: String| ConfigError::Env {
                path: path.to_path_buf(),
                var: var.clone(),
                message,
            };
            let value = if number {
                let n = raw.trim().parse::<i64>().map_err(|_| {
                    env_error(format!(
                        "{:?} is not a whole number",
                        crate::sanitize::for_terminal(&raw)
                    ))
                })?;
                toml::Value::Integer(n)
            } else {
                toml::Value::String(raw)
            };
            // The variable alone, so that its error names it and nothing else.
            let mut alone = toml::Table::new();
            set_key(&mut alone, key, value.clone());
            alone
                .try_into::<KioskConfig>()
                .map_err(|e| env_error(e.message().to_owned()))?;
            set_key(&mut table, key, value);
            from_env.push(var);
        }
        if !from_env.is_empty() {
            config = table.try_into().map_err(invalid)?;
        }
        let at = |key: &str| {
            let var = env_var_of(key);
            if from_env.contains(&var) {
                format!("environment variable {var}")
            } else {
                match locate(text, key) {
                    Some((line, column)) => format!("line {line}, column {column}"),
                    None => "default".to_owned(),
                }
            }
        };
        let keep = config.journal.keep_acked_days;
        if keep < MIN_KEEP_ACKED_DAYS {
            return Err(ConfigError::BadValue {
                path: path.to_path_buf(),
                at: at("journal.keep_acked_days"),
                key: "journal.keep_acked_days",
                value: keep.to_string(),
                why: format!(
                    "must be at least {MIN_KEEP_ACKED_DAYS}, so a week of hours stays on the device"
                ),
            });
        }
        config
            .check()
            .map_err(|(key, value, why)| ConfigError::BadValue {
                path: path.to_path_buf(),
                at: at(key),
                key,
                value,
                why,
            })?;
        Ok((config, from_env))
    }

    /// The `[sync]`, `[kiosk]` and `[badge]` values and the hub URL in range.
    fn check(&self) -> Result<(), BadSetting> {
        let sync = &self.sync;
        let max = crate::wire::MAX_BATCH_EVENTS as u64;
        range("sync.batch_size", sync.batch_size as u64, 1, max)?;
        for (key, secs) in [
            ("sync.backoff_cap_secs", sync.backoff_cap_secs),
            ("sync.connect_timeout_secs", sync.connect_timeout_secs),
            ("sync.request_timeout_secs", sync.request_timeout_secs),
            ("sync.roster_refresh_secs", sync.roster_refresh_secs),
        ] {
            range(key, secs, 1, 86_400)?;
        }
        if let Some(url) = &self.hub_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err((
                "hub_url",
                crate::sanitize::for_terminal(url),
                "must start with https:// (or http:// on a trusted network)".into(),
            ));
        }
        self.kiosk.check()?;
        self.badge.check()?;
        self.log.check()
    }

    /// Journal options these settings ask for.
    pub fn journal_options(&self) -> JournalOptions {
        JournalOptions {
            compact_acked_after: chrono::Duration::days(i64::from(self.journal.keep_acked_days)),
            ..JournalOptions::default()
        }
    }
}

/// Sets `key` ("section.name" or "name") in `table`, making the section.
fn set_key(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        Some((section, name)) => {
            let entry = table
                .entry(section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                // The file's error (a section given a plain value) wins: it is
                // reported when the file alone is read, before this runs.
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(section) = entry {
                section.insert(name.to_owned(), value);
            }
        }
        None => {
            table.insert(key.to_owned(), value);
        }
    }
}

/// Line and column (1-based) of the value of `key` in `text`, for messages
/// about values the parser accepted but the checks refuse.
fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let (section, name) = key.rsplit_once('.').unwrap_or(("", key));
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            continue;
        }
        if current != section {
            continue;
        }
        let Some(rest) = trimmed.strip_prefix(name) else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let column = line.len() - value.trim_start().len() + 1;
        return Some((i + 1, line[..column - 1].chars().count() + 1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<KioskConfig, ConfigError> {
        KioskConfig::parse(Path::new("/etc/tapin/kiosk.toml"), text)
    }

    #[test]
    fn a_valid_file_sets_what_it_names_and_defaults_the_rest() {
        let cases = [
            ("", KioskConfig::default()),
            (
                "data_dir = \"/var/lib/tapin\"\n",
                KioskConfig {
                    data_dir: Some(PathBuf::from("/var/lib/tapin")),
                    ..KioskConfig::default()
                },
            ),
            (
                "[journal]\nkeep_acked_days = 60\n",
                KioskConfig {
                    journal: JournalSettings {
                        keep_acked_days: 60,
                    },
                    ..KioskConfig::default()
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).expect(text), expected, "{text:?}");
        }
    }

    #[test]
    fn a_bad_file_is_refused_with_path_line_and_column() {
        let cases = [
            ("data_dri = \"/x\"\n", "unknown field `data_dri`"),
            (
                "[journal]\nkeep_acked_days = \"many\"\n",
                "line 2, column 19",
            ),
            ("[journal\n", "line 1"),
            ("[journal]\nkeep_acked_days = 3\n", "must be at least 8"),
            ("[sync]\nbatch_size = 5000\n", "between 1 and 1000"),
            (
                "[sync]\nbackoff_cap_secs = 0\n",
                "sync.backoff_cap_secs = 0",
            ),
            ("[sync]\nretries = 3\n", "unknown field `retries`"),
            ("hub_url = \"ftp://hub\"\n", "must start with https://"),
            ("secret_store = \"vault\"\n", "unknown variant `vault`"),
            ("[kiosk]\nidle_timeout_secs = 1\n", "between 5 and 3600"),
            (
                "[kiosk]\npin = \"sometimes\"\n",
                "unknown variant `sometimes`",
            ),
            ("[kiosk]\nlanguage = \"fr\"\n", "unknown variant `fr`"),
            (
                "[kiosk]\nconfirmation_secs = 0\n",
                "kiosk.confirmation_secs = 0",
            ),
            ("[kiosk]\nmissed_punch_hours = 100\n", "between 1 and 72"),
            (
                "[kiosk]\ndevice_name = \"a\\u001b[2J\"\n",
                "control characters",
            ),
            ("[badge]\nmax_gap_ms = 5000\n", "between 5 and 500"),
        ];
        for (text, needle) in cases {
            let message = parse(text).expect_err(text).to_string();
            assert!(message.contains("/etc/tapin/kiosk.toml"), "{message}");
            assert!(message.contains(needle), "{text:?}: {message}");
        }
    }

    #[test]
    fn only_an_explicitly_named_file_must_exist() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("kiosk.toml");
        assert_eq!(
            KioskConfig::load(&missing, false).expect("default location may be absent"),
            KioskConfig::default()
        );
        let error = KioskConfig::load(&missing, true).expect_err("asked-for file must exist");
        assert!(error.to_string().contains("kiosk.toml"), "{error}");
    }

    fn layered(
        text: &str,
        env: &[(&str, &str)],
    ) -> Result<(KioskConfig, Vec<String>), ConfigError> {
        KioskConfig::parse_layered(Path::new("/etc/tapin/kiosk.toml"), text, |name| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn variables_override_the_file_and_the_defaults() {
        let (config, from_env) = layered(
            "[sync]\nbatch_size = 100\n[kiosk]\nlanguage = \"en\"\n",
            &[
                ("TAPIN_SYNC_BATCH_SIZE", "250"),
                ("TAPIN_KIOSK_LANGUAGE", "es"),
                ("TAPIN_HUB_URL", "https://hub.example.org"),
                ("TAPIN_LOG", "debug"),
                ("TAPIN_UNRELATED", "x"),
            ],
        )
        .expect("valid");
        assert_eq!(config.sync.batch_size, 250);
        assert_eq!(config.kiosk.language, crate::tui::catalog::Language::Es);
        assert_eq!(config.hub_url.as_deref(), Some("https://hub.example.org"));
        // Untouched keys keep the file's or the default value.
        assert_eq!(config.sync.backoff_cap_secs, 60);
        assert_eq!(
            from_env,
            [
                "TAPIN_HUB_URL",
                "TAPIN_SYNC_BATCH_SIZE",
                "TAPIN_KIOSK_LANGUAGE"
            ]
        );
    }

    #[test]
    fn a_bad_variable_is_named() {
        let cases = [
            (("TAPIN_SYNC_BATCH_SIZE", "many"), "not a whole number"),
            (("TAPIN_SYNC_BATCH_SIZE", "0"), "between 1 and 1000"),
            (
                ("TAPIN_KIOSK_PIN", "sometimes"),
                "unknown variant `sometimes`",
            ),
            (("TAPIN_SECRET_STORE", "vault"), "unknown variant `vault`"),
        ];
        for ((var, value), needle) in cases {
            let message = layered("", &[(var, value)]).expect_err(var).to_string();
            assert!(message.contains(var), "{message}");
            assert!(message.contains(needle), "{var}={value}: {message}");
        }
    }

    #[test]
    fn a_refused_value_is_placed_at_its_line_and_column() {
        let message = parse("# x\n\n[kiosk]\n  confirmation_secs =  0\n")
            .expect_err("out of range")
            .to_string();
        assert!(message.contains("line 4, column 24"), "{message}");
        assert_eq!(locate("[a]\nk = 1\n[b]\nk = 2\n", "b.k"), Some((4, 5)));
        assert_eq!(locate("k = 1\n", "b.k"), None);
    }

    #[test]
    fn every_key_has_a_variable_and_the_example_documents_it() {
        let example = include_str!("../kiosk.toml.example");
        for (key, _) in ENV_KEYS {
            let name = key.rsplit('.').next().unwrap_or(key);
            assert!(
                example.contains(name),
                "kiosk.toml.example does not document {key}"
            );
        }
    }

    #[test]
    fn the_example_file_parses() {
        let text = include_str!("../kiosk.toml.example");
        parse(text).expect("kiosk.toml.example must stay valid");
    }
}
