-- The published answers' own full-text index (/answers): the anonymised
-- public text only, folded, written when a ticket is published. Contentless;
-- rowid is the ticket's id.
CREATE VIRTUAL TABLE answers_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

