//! Writing event rows, with group commit.
//!
//! SQLite has one writer. Rather than queue batches for it one transaction each,
//! a single task takes every batch waiting (up to [`GROUP_ROWS`] rows) and writes
//! them in one transaction: one fsync (`synchronous = FULL`) for many batches.
//! PostgreSQL goes through the same queue, with a few writer tasks (see
//! [`writers`]): every transaction that changes a person's state takes its
//! organisation's row lock (`orgs.status_seq`, see [`super::status`]) until it
//! commits, so batches written straight from up to 16 requests queued on that
//! lock, each with its own commit, and on a small machine the one holding the
//! lock was often not running: 4,000–6,000 events/s and a p99 of 8–12 s.
//! Guarantees: each batch still gets exactly its own outcome (which of its rows are
//! new, and for the others which device holds the id); a group that fails is
//! retried batch by batch, so one bad batch never fails another; a batch whose
//! caller has gone away is still written (ingest is idempotent).
//! Inserts learn which rows were new from the row count, falling back to
//! `RETURNING` only when some were not (see [`insert`]). The new rows are folded
//! into their people's stored states in the same transaction (see
//! [`super::status`]); nothing else of the organisation changes, so only the
//! rosters showing those people get a new tag.

use std::collections::{BTreeMap, HashMap, HashSet};

use std::sync::Arc;
use std::time::Instant;

use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::checkpoint::Checkpointer;
use super::error::{DbContext, StoreError, StoreResult};
use super::events::held_ids;
use super::{Backend, sql, status};
use crate::domain::Event;
use crate::wire::OrgId;

/// Rows one group transaction takes at most.
pub(crate) const GROUP_ROWS: usize = 5_000;
/// Batches that may wait for the writer before callers wait to hand theirs over.
const QUEUE: usize = 256;
/// Columns of one `events` row.
const EVENT_COLS: usize = 12;
/// Rows per INSERT statement, within every backend's bind limit.
const INSERT_ROWS: usize = sql::MAX_BINDS / EVENT_COLS;

/// The values of one new `events` row.
#[derive(Clone, Debug)]
pub(crate) struct EventRow {
    pub id: String,
    pub seq: i64,
    pub subject: String,
    pub kind: &'static str,
    pub job: Option<String>,
    pub corrects: Option<String>,
    pub at: i64,
    pub anomaly: Option<String>,
    pub body: String,
    /// The event itself, to fold into its subject's stored state.
    pub event: Event,
}

/// One device's batch of new rows.
#[derive(Debug)]
pub(crate) struct WriteJob {
    pub org: OrgId,
    pub org_text: String,
    pub device: String,
    pub received_at: i64,
    pub rows: Vec<EventRow>,
}

/// What became of a job's rows.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Ids written now.
    pub inserted: HashSet<String>,
    /// For the rows not written: the device already holding each id in the org.
    pub held: HashMap<String, String>,
}

type Reply = oneshot::Sender<StoreResult<Written>>;

/// The handle of the writer task.
#[derive(Clone, Debug)]
pub(crate) struct GroupWriter {
    queue: mpsc::Sender<(WriteJob, Reply)>,
}

impl GroupWriter {
    /// Starts the writer tasks on `pool`: one on SQLite (one writer), a few on
    /// PostgreSQL (see [`writers`]), each taking whatever waits when it is free.
    /// They end when every handle is dropped. `checkpointer`, if any, hears of
    /// every commit.
    pub fn spawn(
        pool: AnyPool,
        backend: Backend,
        checkpointer: Option<Checkpointer>,
    ) -> GroupWriter {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..writers(backend) {
            tokio::spawn(run(pool.clone(), backend, checkpointer.clone(), rx.clone()));
        }
        GroupWriter { queue }
    }

    /// Writes a job with whatever else is waiting.
    pub async fn write(&self, job: WriteJob) -> StoreResult<Written> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((job, reply))
            .await
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> StoreError {
    StoreError::Corrupt {
        context: "writing events",
        detail: "the database writer has stopped".to_owned(),
    }
}

/// Writer tasks. PostgreSQL runs the inserts of concurrent transactions in
/// parallel, and only their last step (the status rows and commit) queues on
/// the organisation's row lock: a writer per core, at least two so that one
/// group's inserts overlap another's commit, at most 8. Not one per
/// connection: 16 transactions on a 2-core machine queued on that lock behind a
/// holder that was not running.
fn writers(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(2, 8),
    }
}

type Queue = Arc<Mutex<mpsc::Receiver<(WriteJob, Reply)>>>;

/// The next group: the first job waiting and whatever else waits behind it, up
/// to [`GROUP_ROWS`] rows. `None` once every handle is dropped.
async fn next_group(queue: &Queue) -> Option<Vec<(WriteJob, Reply)>> {
    let mut rx = queue.lock().await;
    let first = rx.recv().await?;
    let mut rows = first.0.rows.len();
    let mut group = vec![first];
    while rows < GROUP_ROWS {
        match rx.try_recv() {
            Ok(next) => {
                rows += next.0.rows.len();
                group.push(next);
            }
            Err(_) => break,
        }
    }
    Some(group)
}

async fn run(pool: AnyPool, backend: Backend, checkpointer: Option<Checkpointer>, queue: Queue) {
    while let Some(group) = next_group(&queue).await {
        let (jobs, replies): (Vec<WriteJob>, Vec<Reply>) = group.into_iter().unzip();
        let result = write_group(&pool, backend, &jobs).await;
        if let Some(checkpointer) = &checkpointer {
            checkpointer.committed();
        }
        match result {
            Ok(written) => {
                for (reply, w) in replies.into_iter().zip(written) {
                    let _ = reply.send(Ok(w));
                }
            }
            Err(err) if jobs.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(err));
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, batches = jobs.len(), "group write failed; retrying batch by batch");
                for (job, reply) in jobs.iter().zip(replies) {
                    let one = write_group(&pool, backend, std::slice::from_ref(job)).await;
                    let _ = reply.send(one.and_then(|mut w| w.pop().ok_or_else(writer_gone)));
                }
            }
        }
    }
}

/// Writes `jobs` in one transaction; one [`Written`] per job, in order.
pub(crate) async fn write_group(
    pool: &AnyPool,
    backend: Backend,
    jobs: &[WriteJob],
) -> StoreResult<Vec<Written>> {
    let began = Instant::now();
    let mut tx = super::begin_write(pool, backend).await?;
    // An id twice in a group is written for its first batch only.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut all: Vec<(&WriteJob, &EventRow)> = Vec::new();
    for job in jobs {
        for row in &job.rows {
            if seen.insert(row.id.as_str()) {
                all.push((job, row));
            }
        }
    }
    let mut inserted_all: HashSet<String> = HashSet::with_capacity(all.len());
    for chunk in all.chunks(INSERT_ROWS) {
        inserted_all.extend(insert(&mut tx, backend, chunk).await?);
    }
    let inserted = began.elapsed();
    let mut out = Vec::with_capacity(jobs.len());
    let mut fresh: BTreeMap<OrgId, Vec<&Event>> = BTreeMap::new();
    for job in jobs {
        let mut written = Written::default();
        let mut missing = Vec::new();
        for row in &job.rows {
            if inserted_all.remove(&row.id) {
                written.inserted.insert(row.id.clone());
            } else {
                missing.push(row.id.clone());
            }
        }
        written.held = held_ids(&mut tx, backend, &job.org_text, &missing).await?;
        fresh.entry(job.org).or_default().extend(
            job.rows
                .iter()
                .filter(|row| written.inserted.contains(&row.id))
                .map(|row| &row.event),
        );
        out.push(written);
    }
    for (org, events) in &fresh {
        status::fold_in(&mut tx, backend, *org, events).await?;
    }
    let folded = began.elapsed();
    tx.commit().await.ctx("committing events")?;
    // For profiling ingest (`RUST_LOG=tapin::hub::store::writer=debug`).
    tracing::debug!(
        batches = jobs.len(),
        rows = all.len(),
        insert_us = inserted.as_micros() as u64,
        fold_us = (folded - inserted).as_micros() as u64,
        commit_us = (began.elapsed() - folded).as_micros() as u64,
        "events written"
    );
    Ok(out)
}

/// One multi-row INSERT; the ids it wrote. Rows are inserted without
/// `RETURNING` (streaming 500 ids back costs more than the insert itself); only
/// when some row was not written (an id already held, which the reads before the
/// transaction almost always catch) is the statement rolled back to a savepoint
/// and run again with `RETURNING id` to learn exactly which.
async fn insert(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[(&WriteJob, &EventRow)],
) -> StoreResult<Vec<String>> {
    sqlx::query("SAVEPOINT ingest_rows")
        .execute(&mut *conn)
        .await
        .ctx("opening a savepoint")?;
    let plain = insert_query(backend, rows.len(), "");
    let written = bind_rows(sqlx::query(&plain), rows)
        .execute(&mut *conn)
        .await
        .ctx("inserting events")?
        .rows_affected();
    if usize::try_from(written).is_ok_and(|n| n == rows.len()) {
        sqlx::query("RELEASE SAVEPOINT ingest_rows")
            .execute(&mut *conn)
            .await
            .ctx("releasing a savepoint")?;
        return Ok(rows.iter().map(|(_, row)| row.id.clone()).collect());
    }
    sqlx::query("ROLLBACK TO SAVEPOINT ingest_rows")
        .execute(&mut *conn)
        .await
        .ctx("rolling back to a savepoint")?;
    let returning = insert_query(backend, rows.len(), " RETURNING id");
    let ids = bind_rows(sqlx::query(&returning), rows)
        .fetch_all(&mut *conn)
        .await
        .ctx("inserting events")?
        .iter()
        .map(|row| sqlx::Row::try_get::<String, _>(row, 0))
        .collect::<Result<Vec<_>, _>>()
        .ctx("reading inserted ids")?;
    sqlx::query("RELEASE SAVEPOINT ingest_rows")
        .execute(&mut *conn)
        .await
        .ctx("releasing a savepoint")?;
    Ok(ids)
}

fn insert_query(backend: Backend, rows: usize, tail: &str) -> String {
    format!(
        "INSERT INTO events (id, org_id, device_id, seq, subject, kind, job_id, corrects, \
         at, received_at, anomaly, body) VALUES {} ON CONFLICT (id) DO NOTHING{tail}",
        sql::Params::new(backend).tuples(rows, EVENT_COLS)
    )
}

fn bind_rows<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    rows: &'q [(&'q WriteJob, &'q EventRow)],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for (job, row) in rows {
        q = q
            .bind(row.id.as_str())
            .bind(job.org_text.as_str())
            .bind(job.device.as_str())
            .bind(row.seq)
            .bind(row.subject.as_str())
            .bind(row.kind)
            .bind(row.job.as_deref())
            .bind(row.corrects.as_deref())
            .bind(row.at)
            .bind(job.received_at)
            .bind(row.anomaly.as_deref())
            .bind(row.body.as_str());
    }
    q
}
