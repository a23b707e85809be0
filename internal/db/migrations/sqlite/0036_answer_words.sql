-- /answers at ten million tickets: a word search walks one word's answers
-- newest first instead of matching every answer holding it. answer_words
-- holds each published answer's distinct folded words (vntext.Tokens of
-- its public text), written with publishing; it replaces answers_fts,
-- from whose terms it is filled.
CREATE TABLE answer_words (
    word      TEXT NOT NULL,
    ticket_id INTEGER NOT NULL,
    PRIMARY KEY (word, ticket_id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.answers_vocab USING fts5vocab(main, answers_fts, instance);
INSERT OR IGNORE INTO answer_words (word, ticket_id)
    SELECT v.term, v.doc FROM temp.answers_vocab v JOIN tickets t ON t.id = v.doc WHERE t.published_at IS NOT NULL;
DROP TABLE temp.answers_vocab;
DROP TABLE answers_fts;

CREATE INDEX answer_words_ticket ON answer_words (ticket_id);

-- A candidate's filters are checked in the index, not the table row; a
-- month walks its own dates.
CREATE INDEX tickets_published_filters ON tickets (id, category_id, area_code, received_at) WHERE published_at IS NOT NULL;
CREATE INDEX tickets_published_received ON tickets (received_at, id) WHERE published_at IS NOT NULL;
