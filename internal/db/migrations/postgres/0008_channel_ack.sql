-- The automatic acknowledgement a channel account sends on a new ticket,
-- as an admin wrote it, with {code} for the tracking code; empty: the
-- catalogue's default text.
ALTER TABLE channel_accounts ADD COLUMN ack_template TEXT NOT NULL DEFAULT '';
