-- Open311's GET requests read a page's ids from one index in the order
-- asked, the offset skipped in the index alone (internal/open311
-- RequestsQuery): every ticket or the closed ones by received time with
-- resolved_at at hand, the open ones, and one service_code's.
DROP INDEX tickets_received;
CREATE INDEX tickets_received ON tickets(received_at, id, resolved_at);
CREATE INDEX tickets_open_received ON tickets(received_at, id, resolved_at) WHERE resolved_at IS NULL;
CREATE INDEX tickets_category_received ON tickets(category_id, received_at, id, resolved_at);
