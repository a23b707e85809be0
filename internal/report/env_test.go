package report_test

import (
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// reference is a database with the real reference data.
var reference = webtest.Reference

// env is the whole app on a test database and a manual clock, with the
// console's two agencies and one account per role.
type env struct {
	*webtest.Console
	clock  *clock.Manual
	actors map[string]user.Actor
}

func newEnv(t testing.TB, d *db.DB, at time.Time) *env {
	t.Helper()
	m := clock.NewManual(at)
	e := &env{Console: webtest.NewConsoleAt(t, d, m.Clock()), clock: m, actors: map[string]user.Actor{}}
	for name, u := range e.Accounts {
		e.actors[name] = u.Actor("")
	}
	return e
}
