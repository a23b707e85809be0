-- When a ticket's SLA clock started, when that is not its receipt: a
-- reopened ticket counts from its reopening, and classifying it later must
-- not count from the receipt again. NULL means received_at.
ALTER TABLE tickets ADD COLUMN sla_started_at TIMESTAMPTZ;
