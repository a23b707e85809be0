-- Open311's GET requests: the newest tickets received within a range of
-- dates, walked in order whatever else filters them (internal/open311).
CREATE INDEX tickets_received ON tickets(received_at, id);

-- mySociety's servicerequestupdates: the timeline's state changes within
-- a range of time, oldest first.
CREATE INDEX messages_events ON messages(created_at, id) WHERE kind = 'event';
