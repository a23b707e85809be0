-- An agency's tickets in one state, newest first: the agency's "answered"
-- tab reads one ordered range per state. Without it a rare state (approved)
-- walked every one of the agency's tickets (docs/perf.md).
CREATE INDEX tickets_agency_state ON tickets(agency_id, state, id);
