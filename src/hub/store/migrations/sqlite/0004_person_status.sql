-- tapin hub schema, version 4: each person's current punch state, kept beside the
-- events it is folded from, so a roster reads it instead of replaying histories.
--
-- A row is written in the same transaction as the events it folds (ingest; any
-- other writer of events calls the store's refold). It vouches for every event of
-- its person whose `at` is up to `max_at`: an event later than `max_at` that it
-- does not count marks it stale, and a stale row is refolded from the events.

-- bumped (in the writing transaction) whenever any person's status changes; each
-- changed row takes the new value as its changed_seq
ALTER TABLE orgs ADD COLUMN status_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE person_status (
    person_id       TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    -- the tracking mode the state was folded with (domain `TrackingMode`); NULL
    -- until folded: a row with another mode than the person's is refolded
    mode            TEXT,
    -- The state's instants are unix NANOseconds (`_ns`), exactly as in the events'
    -- bodies; `max_at` is microseconds, like events.at.
    -- domain `Clock`: 'out', 'in' (since clock_since_ns) or 'on_break' (since
    -- clock_since_ns, on a break since break_since_ns)
    clock           TEXT NOT NULL DEFAULT 'out',
    clock_since_ns  BIGINT,
    break_since_ns  BIGINT,
    -- the job checked in to, since job_since_ns
    job_id          TEXT,
    job_since_ns    BIGINT,
    -- domain `PunchState::last_punch`: the latest corrected time of a punch
    last_punch_ns   BIGINT,
    -- the latest events.at of the events folded (corrections included)
    max_at          BIGINT,
    -- 1 when a folded correction names no punch of this person: never fold onto it
    dangling        BIGINT NOT NULL DEFAULT 0 CHECK (dangling IN (0, 1)),
    -- orgs.status_seq when the state last changed
    changed_seq     BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);
-- a roster's tag: which people changed since a given status_seq
CREATE INDEX person_status_org_changed ON person_status (org_id, changed_seq);
