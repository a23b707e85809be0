-- The published answers' own full-text index (/answers): the anonymised
-- public text only, folded, written when a ticket is published.
ALTER TABLE tickets ADD COLUMN public_search TSVECTOR;
CREATE INDEX tickets_public_search ON tickets USING GIN (public_search) WHERE published_at IS NOT NULL;

