-- Phone calls reported by the phone system (Zammad's Generic CTI events,
-- channels.md §4a): one row per callId and CTI account, whatever order the
-- newCall, answer and hangup events arrive in. The numbers are personal
-- data: sealed like a contact's, found through the keyed hash of the
-- citizen's side (from for an inbound call, to for an outbound one).
CREATE TABLE calls (
    id                 INTEGER PRIMARY KEY,
    channel_account_id INTEGER NOT NULL REFERENCES channel_accounts(id),
    call_id            TEXT NOT NULL,
    direction          TEXT NOT NULL,
    from_enc           BLOB,
    to_enc             BLOB,
    party_hash         BLOB,
    queue              TEXT NOT NULL DEFAULT '',
    operator_id        INTEGER REFERENCES users(id),
    contact_id         INTEGER REFERENCES contacts(id),
    ticket_id          INTEGER REFERENCES tickets(id),
    started_at         TIMESTAMP NOT NULL,
    answered_at        TIMESTAMP,
    ended_at           TIMESTAMP,
    cause              TEXT NOT NULL DEFAULT '',
    recording_url      TEXT NOT NULL DEFAULT '',
    callback_due_at    TIMESTAMP,
    callback_at        TIMESTAMP,
    callback_by        INTEGER REFERENCES users(id),
    callback_note      TEXT NOT NULL DEFAULT '',
    UNIQUE (channel_account_id, call_id)
);
CREATE INDEX calls_started ON calls(started_at, id);
CREATE INDEX calls_party ON calls(party_hash, started_at);
CREATE INDEX calls_callback ON calls(callback_due_at, id) WHERE callback_due_at IS NOT NULL AND callback_at IS NULL;
CREATE INDEX calls_ticket ON calls(ticket_id) WHERE ticket_id IS NOT NULL;

-- A CTI account is found by the token in its URL: the keyed hash of the
-- token, the token itself sealed with the account's other secrets.
ALTER TABLE channel_accounts ADD COLUMN hook_key BLOB;
CREATE UNIQUE INDEX channel_accounts_hook_key ON channel_accounts(hook_key) WHERE hook_key IS NOT NULL;
