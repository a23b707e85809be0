-- Staff notifications (internal/notification): one row per recipient per
-- ticket event, written in the event's transaction. Nothing of the
-- reporter: the kind, the ticket's id and tracking code. Keep names
-- identical to ../postgres/0027_notifications.sql.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    event      TEXT NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    code       TEXT NOT NULL,
    message_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
-- A person's centre newest first, and their unread count, each one range.
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;

-- The agency's lead: who an overdue ticket escalated to "agency_lead"
-- reaches. None named: every staff member of the agency.
ALTER TABLE agencies ADD COLUMN lead_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
