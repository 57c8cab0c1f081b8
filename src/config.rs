//! Where tapin keeps its files. The kiosk.toml settings themselves arrive with the
//! kiosk; for now this resolves the two global paths every subcommand honours.

use std::path::PathBuf;

use directories::ProjectDirs;

/// File name of the kiosk's configuration inside the XDG config dir.
pub const CONFIG_FILE_NAME: &str = "kiosk.toml";

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
