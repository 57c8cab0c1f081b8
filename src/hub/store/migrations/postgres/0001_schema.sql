-- tapin hub schema, version 1.
--
-- One SQL text for SQLite and PostgreSQL (the copy under ../postgres is identical; a
-- unit test keeps them so): uuids are TEXT, instants are BIGINT unix microseconds,
-- calendar dates are TEXT 'YYYY-MM-DD', booleans are BIGINT 0/1, JSON is TEXT, money
-- is BIGINT minor units (cents). Every row belongs to an organisation (org_id), and
-- composite foreign keys (org_id, x_id) make a cross-organisation reference impossible
-- in the database itself, not only in the queries.

CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    date_lock   TEXT,
    -- the offset that tells which day an instant falls on (domain `OrgSettings`)
    utc_offset_secs BIGINT NOT NULL DEFAULT 0,
    pin_pepper  TEXT NOT NULL,
    -- bumped on every change a device roster can show (people, jobs, teams, status)
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);

CREATE TABLE roles (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL REFERENCES orgs (id),
    name    TEXT NOT NULL,
    rank    BIGINT NOT NULL,
    -- JSON list of right names (domain `RightSet`)
    rights  TEXT NOT NULL DEFAULT '[]',
    fixed   BIGINT NOT NULL DEFAULT 0 CHECK (fixed IN (0, 1)),
    -- the preset the role was made from (domain `Preset`, snake_case), if any
    preset  TEXT,
    UNIQUE (org_id, name),
    UNIQUE (org_id, id)
);

CREATE TABLE teams (
    id       TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL REFERENCES orgs (id),
    name     TEXT NOT NULL,
    -- no foreign key: people.team_id refers to teams, and PostgreSQL wants a table
    -- to exist before a key names it; the store checks the lead is of the org
    lead_id  TEXT NOT NULL,
    UNIQUE (org_id, name),
    UNIQUE (org_id, id)
);

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    name          TEXT NOT NULL,
    badge         TEXT,
    -- domain `TrackingMode`, snake_case
    mode          TEXT NOT NULL,
    team_id       TEXT,
    role_id       TEXT NOT NULL,
    archived      BIGINT NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    -- 1: may check in to every job; 0: only to those in person_jobs
    all_jobs      BIGINT NOT NULL DEFAULT 0 CHECK (all_jobs IN (0, 1)),
    -- argon2id of the PIN keyed with the org's pepper; never the PIN
    pin_verifier  TEXT,
    created_at    BIGINT NOT NULL,
    UNIQUE (org_id, badge),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
    FOREIGN KEY (org_id, role_id) REFERENCES roles (org_id, id)
);

-- a team's crew, in the order the lead sees them (the lead is not a member)
CREATE TABLE team_members (
    org_id     TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    position   BIGINT NOT NULL,
    PRIMARY KEY (team_id, person_id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);

CREATE TABLE jobs (
    id        TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL REFERENCES orgs (id),
    name      TEXT NOT NULL,
    archived  BIGINT NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    UNIQUE (org_id, id)
);

CREATE TABLE person_jobs (
    org_id     TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    job_id     TEXT NOT NULL,
    PRIMARY KEY (org_id, person_id, job_id),
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
    FOREIGN KEY (org_id, job_id) REFERENCES jobs (org_id, id)
);

CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    name            TEXT NOT NULL,
    -- sha256 of the device token, hex; NULL until enrolled
    token_hash      TEXT UNIQUE,
    revoked         BIGINT NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    created_at      BIGINT NOT NULL,
    enrolled_at     BIGINT,
    last_seen       BIGINT,
    -- bumped when this device's roster entries change
    roster_version  BIGINT NOT NULL DEFAULT 1,
    UNIQUE (org_id, id)
);

CREATE TABLE enrollment_codes (
    -- sha256 of the normalised code, hex; the code itself is never stored
    code_hash   TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    FOREIGN KEY (org_id, device_id) REFERENCES devices (org_id, id)
);

CREATE TABLE roster_entries (
    org_id      TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    position    BIGINT NOT NULL,
    group_name  TEXT,
    person_id   TEXT,
    team_id     TEXT,
    PRIMARY KEY (device_id, position),
    CHECK ((person_id IS NULL) <> (team_id IS NULL)),
    FOREIGN KEY (org_id, device_id) REFERENCES devices (org_id, id),
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id)
);

CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs (id),
    device_id    TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    subject      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    job_id       TEXT,
    -- the event this one corrects (kind = 'correction')
    corrects     TEXT,
    at           BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    -- why the event breaks a punch rule, as judged on arrival; NULL when it does not
    anomaly      TEXT,
    -- the whole event as JSON, exactly as the hub understood it
    body         TEXT NOT NULL,
    FOREIGN KEY (org_id, device_id) REFERENCES devices (org_id, id),
    FOREIGN KEY (org_id, subject) REFERENCES people (org_id, id)
);
-- Subject and device ids are unique hub-wide, so these indexes need no org_id
-- prefix (queries still filter by org_id); without one, a lookup by event id can
-- only use the primary key. Both grow at their ends as events arrive in order.
-- `kind` makes the anomaly check's look back for a clock event index-only.
CREATE INDEX events_subject_at ON events (subject, at, kind);
CREATE INDEX events_device_seq ON events (device_id, seq);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    -- NULL for the site administrator's tokens
    org_id      TEXT REFERENCES orgs (id),
    person_id   TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked     BIGINT NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    revoked_at  BIGINT
);

CREATE TABLE rates (
    org_id      TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    rate_cents  BIGINT NOT NULL,
    cost_cents  BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id, valid_from),
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);

CREATE TABLE audit (
    id        TEXT PRIMARY KEY,
    -- NULL for site-level actions (adding an organisation)
    org_id    TEXT REFERENCES orgs (id),
    actor     TEXT NOT NULL,
    at        BIGINT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_org_at ON audit (org_id, at);
