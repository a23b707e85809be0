package ticket

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Comment adds what a channel's client says on the reporter's side about
// an existing ticket (an Open311 client's update) to its timeline, as an
// inbound message of channel ch. The same providerID on the same channel
// is stored once: a retry returns the first message's id with dup set.
// The ticket's state is the desk's to change; a comment changes none.
func (s *Service) Comment(ctx context.Context, actor user.Actor, id int64, ch Channel, providerID, text string) (msgID int64, dup bool, err error) {
	if err := Permit(actor, Inbound); err != nil {
		return 0, false, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, false, errs.Invalidf("ticket.content_required").InField("description")
	}
	if len([]rune(text)) > MaxContent {
		return 0, false, errs.Invalidf("field.too_long", "max", "10000").InField("description")
	}
	now := s.clock()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE channel = $1 AND provider_id = $2`, string(ch), providerID).Scan(&msgID)
		if err == nil {
			dup = true
			return nil
		}
		if err != sql.ErrNoRows {
			return db.Fail(err)
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE id = $1`, id).Scan(&one); err != nil {
			return db.NotFound(err, "ticket.not_found")
		}
		if msgID, err = addMessage(ctx, tx, Message{TicketID: id, Kind: MsgInbound, Channel: ch, Body: text, ProviderID: providerID, CreatedAt: now}); err != nil {
			return db.Fail(err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE tickets SET updated_at = $2 WHERE id = $1`, id, now)
		return db.Fail(err)
	})
	return msgID, dup, err
}
