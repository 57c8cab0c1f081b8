-- tapin hub schema, version 3: the hub's own pseudo-device, per organisation.
--
-- A correction made through the admin API is a new event like any other, and every
-- event names the device it was recorded on (events.device_id, NOT NULL, composite
-- foreign key). Corrections made at the hub are recorded on the organisation's
-- "hub" device: a devices row of kind 'hub', created on first use, never enrolled
-- (token_hash NULL) and revoked from birth, so no token ever authenticates as it.
-- Kiosks are kind 'kiosk'. The admin API lists and manages kiosks only.

ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'kiosk';

-- at most one hub device per organisation
CREATE UNIQUE INDEX devices_one_hub_per_org ON devices (org_id) WHERE kind = 'hub';
