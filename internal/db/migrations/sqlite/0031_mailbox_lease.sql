-- Who reads each mailbox: of several instances polling one mailbox, the
-- one holding its lease (a random token per reader, renewed while it
-- reads and checked again in each mail's own transaction), so every mail
-- is taken in once. A reader that stops gives the lease back; one that
-- dies loses it at lease_until.
CREATE TABLE mailbox_lease (
    account_id  INTEGER PRIMARY KEY REFERENCES channel_accounts(id),
    holder      TEXT NOT NULL,
    lease_until TIMESTAMP NOT NULL
);
