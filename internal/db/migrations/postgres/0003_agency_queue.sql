-- An agency's to-do queue (forwarded or accepted, by deadline) has an
-- index of its own. Lists name states as literals, so both planners can
-- see that this partial index applies.
CREATE INDEX tickets_agency_todo ON tickets(agency_id, deadline, id) WHERE state IN ('forwarded', 'accepted');
