-- tapin hub schema, version 5: what each organisation version changed, so a
-- device's roster is brought up to date from its cached copy by reloading only
-- the people and teams an admin change touched (see
-- src/hub/store/roster_delta.rs).
--
-- Every bump of orgs.version writes, in the same transaction, one row per person
-- whose roster data (their row, job access, PIN verifier) it changed and one per
-- team whose row or crew it changed, or one row naming neither when it changed
-- none of those. A version with no row is an unknown change: rosters are built
-- whole. Not part of an organisation's dump: it only saves work, and old rows
-- are pruned.
CREATE TABLE org_changes (
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    version    BIGINT NOT NULL,
    person_id  TEXT,
    team_id    TEXT
);
CREATE INDEX org_changes_org_version ON org_changes (org_id, version);
