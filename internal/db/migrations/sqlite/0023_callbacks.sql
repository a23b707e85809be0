-- Answers still queued: the call-back list of answers to give by phone
-- reads them oldest first. A handful at any time, however many messages.
CREATE INDEX messages_queued ON messages(created_at, id) WHERE kind = 'outbound' AND delivery = 'queued';
