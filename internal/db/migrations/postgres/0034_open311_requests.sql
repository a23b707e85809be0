-- Open311's GET requests: the newest tickets received within a range of
-- dates, walked in order whatever else filters them (internal/open311).
CREATE INDEX tickets_received ON tickets(received_at, id);
