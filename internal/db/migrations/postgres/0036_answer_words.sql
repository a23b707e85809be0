-- /answers at ten million tickets: a word search walks one word's answers
-- newest first instead of matching every answer holding it. answer_words
-- holds each published answer's distinct folded words (vntext.Tokens of
-- its public text), written with publishing; it replaces public_search,
-- from whose lexemes it is filled.
CREATE TABLE answer_words (
    word      TEXT NOT NULL,
    ticket_id BIGINT NOT NULL,
    PRIMARY KEY (word, ticket_id)
);

INSERT INTO answer_words (word, ticket_id)
    SELECT DISTINCT w.lexeme, t.id FROM tickets t, unnest(t.public_search) AS w
    WHERE t.published_at IS NOT NULL AND t.public_search IS NOT NULL;
DROP INDEX IF EXISTS tickets_public_search;
ALTER TABLE tickets DROP COLUMN public_search;

CREATE INDEX answer_words_ticket ON answer_words (ticket_id);

-- A candidate's filters are checked in the index, not the table row; a
-- month walks its own dates.
CREATE INDEX tickets_published_filters ON tickets (id, category_id, area_code, received_at) WHERE published_at IS NOT NULL;
CREATE INDEX tickets_published_received ON tickets (received_at, id) WHERE published_at IS NOT NULL;
