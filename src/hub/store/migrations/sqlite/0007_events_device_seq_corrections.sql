-- tapin hub schema, version 7: numbering the hub's own events without an index
-- on every event.
--
-- events_device_seq (device_id, seq) served one query: the last number of the
-- hub's device, whose events are all corrections made by an admin. Every ingested
-- row paid for it (one more b-tree insert per row: about a tenth of a bare insert
-- of an event row), so it gives way to an index of corrections alone, which are
-- rare.
DROP INDEX events_device_seq;
CREATE INDEX events_corrections_device_seq ON events (device_id, seq) WHERE kind = 'correction';
