package ticket

import (
	"context"

	"github.com/hotline-1022/hotline/internal/user"
)

// ListQuery exposes the list query builder to the query-plan tests.
func (s *Service) ListQuery(ctx context.Context, actor user.Actor, f Filter) (string, []any, error) {
	q, args, _, _, err := s.listQuery(ctx, actor, f)
	return q, args, err
}

// CountQuery exposes the count query to the query-plan tests.
func (s *Service) CountQuery(ctx context.Context, actor user.Actor, f Filter) (string, []any, error) {
	f.count = true
	q, args, _, _, err := s.listQuery(ctx, actor, f)
	return "SELECT COUNT(*) FROM (" + q + ") n", args, err
}

// SetExportPage makes exports read n tickets per query, so tests page
// through a few tickets; it returns the function that restores the size.
func SetExportPage(n int) func() {
	old := exportPage
	exportPage = n
	return func() { exportPage = old }
}
