//! TLS for every outgoing HTTPS call (the kiosk's sync client, `tapin admin`):
//! rustls with the ring provider, chosen once per process because reqwest is built
//! without a default provider (ring builds quickly and small on ARM boards).

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Makes ring the process's rustls provider. Idempotent; call before building a
/// `reqwest::Client`.
pub fn install_crypto_provider() {
    INSTALL.call_once(|| {
        // Err means another provider was installed first, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A `reqwest::ClientBuilder` with the provider installed.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}
