-- The lease of a channel account's token refresh: an instance about to
-- exchange the single-use refresh token claims it (refresh_lease, until
-- refresh_lease_until) with one conditional UPDATE, so two instances never
-- refresh at once; a crashed refresher's lease runs out.
ALTER TABLE channel_accounts ADD COLUMN refresh_lease TEXT NOT NULL DEFAULT '';
ALTER TABLE channel_accounts ADD COLUMN refresh_lease_until TIMESTAMPTZ;
