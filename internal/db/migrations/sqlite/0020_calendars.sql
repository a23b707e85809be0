-- Working calendars (sla.Calendar): periods per weekday, a time zone, and
-- dated days (public holidays, make-up working days), the week and days
-- as JSON (sla encodes and checks them). Agencies name theirs in
-- agencies.calendar, which was already free text ('24x7', 'office').
CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    zone       TEXT NOT NULL,
    all_day    BOOLEAN NOT NULL DEFAULT 0,
    week       TEXT NOT NULL,
    days       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A policy's calendar may now be '24x7', 'office', 'agency' or a stored
-- calendar's code. sla_policies.calendar keeps its CHECK (SQLite cannot
-- drop one), so the calendar a policy counts on lives in calendar_code.
ALTER TABLE sla_policies ADD COLUMN calendar_code TEXT NOT NULL DEFAULT '';
UPDATE sla_policies SET calendar_code = calendar;
