-- Where the intake of each mailbox stands (IMAP, RFC 9051 §2.3.1.1): the
-- mailbox's UIDVALIDITY and the highest UID taken in, written in the
-- transaction that stores the mail, so a restart neither skips nor
-- repeats one.
CREATE TABLE mailbox_state (
    account_id   INTEGER PRIMARY KEY REFERENCES channel_accounts(id),
    mailbox      TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Every mail the intake did not make a ticket of, with why: an automatic
-- reply, a bounce, a mailing list, our own mail, one that cannot be read.
-- Nothing is dropped silently; the sender's address is not kept here.
CREATE TABLE mail_skipped (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES channel_accounts(id),
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    message_id   TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (account_id, uid_validity, uid)
);
CREATE INDEX mail_skipped_account ON mail_skipped(account_id, id);
