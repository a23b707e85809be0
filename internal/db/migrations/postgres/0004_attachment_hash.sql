-- The attachment sweeper asks, for each stored file, whether any
-- attachment still refers to it.
CREATE INDEX attachments_sha ON attachments(sha256);
