-- tapin hub schema, version 2: the site Administrator and admin token lookups.
--
-- The site Administrator (Anuko's fixed "Administrator" role, right administer_site)
-- belongs to no organisation, so it is not a row of `people`; its tokens are rows
-- of `tokens` with org_id NULL and person_id = site_admins.id.

CREATE TABLE site_admins (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- always 1: a hub has one site Administrator, so `tapin hub init` succeeds once
    -- even when two run at the same moment
    singleton   BIGINT NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    created_at  BIGINT NOT NULL
);

-- a person's tokens (token create/revoke, archive)
CREATE INDEX tokens_org_person ON tokens (org_id, person_id);
