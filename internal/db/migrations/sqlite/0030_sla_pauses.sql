-- The clock's pauses (sla.Pause): a ticket waits for the citizen's answer
-- to a question (the "request-info" step) from paused_at until the answer
-- comes (resumed_at). The ticket's clock leaves out every pause since it
-- started; an assignment's clock the pauses taken while it held the
-- ticket. waiting_since is the open pause's start, on the ticket itself
-- so lists and the sweeper need no join.
ALTER TABLE tickets ADD COLUMN waiting_since TIMESTAMP;
CREATE TABLE sla_pauses (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    assignment_id INTEGER REFERENCES assignments(id),
    paused_at     TIMESTAMP NOT NULL,
    resumed_at    TIMESTAMP
);
CREATE INDEX sla_pauses_ticket ON sla_pauses(ticket_id, paused_at);
CREATE UNIQUE INDEX sla_pauses_open ON sla_pauses(ticket_id) WHERE resumed_at IS NULL;

-- The second escalation: at escalate_again_percent of the target (150 by
-- default) an overdue ticket is escalated again. escalate_at is when, as
-- sla.Compute gives it; sla_escalated_at marks it done. Tickets from before
-- this migration have no escalate_at and are escalated once.
ALTER TABLE sla_policies ADD COLUMN escalate_again_percent INTEGER NOT NULL DEFAULT 150;
ALTER TABLE tickets ADD COLUMN escalate_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN sla_escalated_at TIMESTAMP;
CREATE INDEX tickets_sla_escalate ON tickets(escalate_at) WHERE resolved_at IS NULL AND sla_escalated_at IS NULL AND escalate_at IS NOT NULL;

