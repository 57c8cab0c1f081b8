//! What the hub benchmarks share beside the tests' hub scaffolding
//! (`tests/hub_support`): running on SQLite and PostgreSQL with the exit rule, a
//! one-connection pool for bulk SQL, multi-row placeholders, and percentiles.
#![allow(dead_code)]

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use tapin::hub::store::SQLITE_WRITER_PRAGMAS;

use crate::hub_support::{PG_ENV, sqlite_url};

/// Runs `bench(label, url)` on SQLite (a temp file under `TAPIN_BENCH_DIR`, default
/// the system temp dir), then on PostgreSQL when `TAPIN_TEST_POSTGRES_URL` is set.
/// Fails when `bench` says SQLite's targets were missed, unless
/// `TAPIN_BENCH_NO_FAIL` is set.
pub fn main(
    what: &str,
    bench: impl AsyncFn(&str, &str) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    // For profiling: `TAPIN_BENCH_LOG=tapin::hub::store=debug` logs the hub's
    // timings per batch to stderr.
    if let Ok(filter) = std::env::var("TAPIN_BENCH_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let base = std::env::var_os("TAPIN_BENCH_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::tempdir_in(base)?;
        let met = bench("sqlite", &sqlite_url(&dir.path().join("hub.db"))).await?;
        match std::env::var(PG_ENV) {
            Ok(url) if !url.is_empty() => {
                let schema = Schema::create(&url).await?;
                let run = bench("postgres", &schema.url).await;
                schema.drop().await?;
                run?;
            }
            _ => println!("postgres: skipped: {PG_ENV} not set"),
        }
        if met || std::env::var_os("TAPIN_BENCH_NO_FAIL").is_some() {
            Ok(())
        } else {
            anyhow::bail!("sqlite {what} target missed")
        }
    })
}

/// A schema of its own for one run on PostgreSQL, so that every run starts from
/// empty tables, as the SQLite run does: runs into one database's tables, which
/// every run and test leaves 200,000 rows bigger, measured an ever bigger table
/// (on a 2-core machine: 16,000 events/s on an empty database, 4,000–6,000 after
/// a few runs, the bare inserts falling with it).
struct Schema {
    admin: AnyPool,
    name: String,
    /// `url` with the schema as its search path.
    url: String,
}

impl Schema {
    async fn create(url: &str) -> anyhow::Result<Schema> {
        sqlx::any::install_default_drivers();
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .connect_with(AnyConnectOptions::from_str(url)?)
            .await?;
        let name = format!(
            "bench_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp()
        );
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin)
            .await?;
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}options[search_path]={name}");
        Ok(Schema { admin, name, url })
    }

    async fn drop(self) -> anyhow::Result<()> {
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&self.admin)
            .await?;
        self.admin.close().await;
        Ok(())
    }
}

/// One connection to `url`, set up as the store's SQLite writer is.
pub async fn writer_pool(url: &str) -> anyhow::Result<AnyPool> {
    let sqlite = url.starts_with("sqlite:");
    Ok(AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    conn.execute(SQLITE_WRITER_PRAGMAS).await?;
                }
                Ok(())
            })
        })
        .connect_with(AnyConnectOptions::from_str(url)?)
        .await?)
}

/// `rows` tuples of `cols` placeholders: `?` on SQLite (numbered parameters are
/// looked up linearly there, which makes a statement of thousands of values
/// quadratic to bind), `$n` on PostgreSQL.
pub fn placeholders(sqlite: bool, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let list: Vec<String> = (1..=cols)
                .map(|c| {
                    if sqlite {
                        "?".to_owned()
                    } else {
                        format!("${}", r * cols + c)
                    }
                })
                .collect();
            format!("({})", list.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// p50 and p99 of some samples.
#[derive(Clone, Copy)]
pub struct Spread {
    pub p50: Duration,
    pub p99: Duration,
}

pub fn spread(mut samples: Vec<Duration>) -> Spread {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).saturating_sub(1);
        samples.get(i).copied().unwrap_or_default()
    };
    Spread {
        p50: at(0.50),
        p99: at(0.99),
    }
}
