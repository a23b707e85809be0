-- The desk's to-do by deadline (the inbox's "to handle" tab: received,
-- classified and returned tickets, soonest deadline first): a partial
-- index both planners can prove applies, like the agency's to-do queue.
CREATE INDEX tickets_desk_todo ON tickets(deadline, id) WHERE state IN ('received', 'classified', 'returned');
