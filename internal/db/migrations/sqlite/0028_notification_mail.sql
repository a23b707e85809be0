-- E-mail notifications (internal/notification). Keep names identical to
-- ../postgres/0028_notification_mail.sql.

-- What each person chooses to get by e-mail, by kind; no row: yes. The
-- in-app centre always has everything.
CREATE TABLE notification_prefs (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    email   BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, kind)
);

-- E-mail templates as admins edited them; no row: the catalogue's text.
CREATE TABLE notification_templates (
    kind       TEXT PRIMARY KEY,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Each e-mail to send, written with the event and sent by a job on the
-- outbound queue from the notify=true account: the record of what was
-- sent, what waits and why (a server that is down). Staff addresses only,
-- never a reporter's.
CREATE TABLE notification_mails (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    account_id INTEGER REFERENCES channel_accounts(id) ON DELETE SET NULL,
    to_addr    TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    agency_id  INTEGER REFERENCES agencies(id),
    ticket_id  INTEGER REFERENCES tickets(id),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'queued',
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP
);
CREATE INDEX notification_mails_ticket ON notification_mails(ticket_id, id);

-- The daily digest: one per agency per day in Vietnam, however many
-- instances or runs.
CREATE TABLE notification_digests (
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    day        TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_id, day)
);
