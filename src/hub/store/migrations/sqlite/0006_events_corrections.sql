-- tapin hub schema, version 6: whether a person has any correction, in one seek.
--
-- When events arrive out of order, ingest refolds a person's state (person_status)
-- from their latest clock-out (check-in for individual users) on instead of from
-- all their events; that is only the same as a full replay when no correction can
-- move an event across that punch, so it first asks whether the person has one.
-- Corrections are rare, so this index stays small.
CREATE INDEX events_subject_corrections ON events (subject) WHERE kind = 'correction';
