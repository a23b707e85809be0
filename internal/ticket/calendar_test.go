package ticket_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

func (e *env) mustCalendar(t *testing.T, c sla.Calendar) {
	t.Helper()
	if _, err := e.slas.SaveCalendarAudited(context.Background(), user.Actor{Origin: "cli"}, c, true); err != nil {
		t.Fatalf("calendar %s: %v", c.Code, err)
	}
}

// officeAgencies puts SXD on a Monday-to-Friday office calendar without
// holidays and TDM on the stored office hours (Saturday mornings,
// Vietnamese public holidays, make-up days).
func (e *env) officeAgencies(t *testing.T) {
	t.Helper()
	weekdays := sla.Calendar{Code: "thu-hai-thu-sau", Name: "Thứ Hai–Thứ Sáu", Zone: "Asia/Ho_Chi_Minh", Week: sla.VietnamOfficeWeek()}
	e.mustCalendar(t, weekdays)
	e.mustCalendar(t, sla.OfficeHours())
	e.setAgencyCalendar(t, "SXD", weekdays.Code)
	e.setAgencyCalendar(t, "TDM", sla.OfficeHoursCode)
}

// forwardAt creates a ticket at at and forwards it to agency at once,
// returning the ticket and its assignment.
func (e *env) forwardAt(t *testing.T, at time.Time, agency string) (ticket.Ticket, ticket.Assignment) {
	t.Helper()
	e.clock.Set(at)
	tk := e.mustCreate(t, ticket.NewTicket{Content: "Cống thoát nước bị tắc trước chợ"})
	tk = e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: agency})
	return tk, e.currentAssignment(t, tk.ID)
}

// Each forwarding's deadline counts the policy's target on the agency's
// own calendar, to the minute: office hours with their lunch break,
// weekends, public holidays and make-up working days; the ticket's own
// deadline stays on its policy's calendar (here around the clock).
func TestAssignmentDeadlinesOnTheAgencyCalendar(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.officeAgencies(t)

		// Friday 16:00 at an office open Monday to Friday: one hour on
		// Friday, four on Monday morning.
		tk, asg := e.forwardAt(t, local(t, "2026-11-27 16:00"), "SXD")
		sameMinute(t, "Friday afternoon forward", asg.Deadline, local(t, "2026-11-30 11:30"))
		sameMinute(t, "the ticket's own deadline, around the clock", tk.Deadline, local(t, "2026-11-27 21:00"))

		cases := []struct{ name, agency, at, due string }{
			// 2½ hours before lunch, the lunch break 11:30–13:30 not
			// counted, 2½ after.
			{"across the lunch break", "SXD", "2026-12-01 09:00", "2026-12-01 16:00"},
			// The Saturday-morning office: 1 hour on Friday, 4 on Saturday.
			{"Saturday morning hours", "TDM", "2026-11-27 16:00", "2026-11-28 11:30"},
			// Tết Dương lịch 2026: 1 to 3 January off, Sunday the 4th.
			{"New Year holidays", "TDM", "2025-12-31 16:00", "2026-01-05 11:30"},
			// Tết Nguyên đán: 14 to 22 February 2026 off.
			{"Tết", "TDM", "2026-02-13 15:00", "2026-02-23 10:30"},
			// Half an hour on Wednesday, 30 April and 1 May off, 4 hours on
			// Saturday morning, half an hour on Monday.
			{"April holidays", "TDM", "2026-04-29 16:30", "2026-05-04 08:00"},
		}
		for _, c := range cases {
			_, asg := e.forwardAt(t, local(t, c.at), c.agency)
			sameMinute(t, c.name, asg.Deadline, local(t, c.due))
		}

		// The make-up Saturday, 10 January 2026, is worked with Monday's
		// hours: an 8-hour target forwarded on Friday at 16:00 is due on
		// Saturday afternoon, not on Monday.
		e.mustPolicy(t, sla.Policy{Name: "8 giờ", Priority: "high", Target: 8 * time.Hour, Calendar: sla.Always, WarnPercent: 75, Active: true})
		e.clock.Set(local(t, "2026-01-09 16:00"))
		high := e.mustCreate(t, ticket.NewTicket{Content: "Cây đổ chắn ngang đường", Priority: "high"})
		e.mustDo(t, op, high.ID, ticket.Forward, ticket.Input{Agency: "TDM"})
		sameMinute(t, "make-up working day", e.currentAssignment(t, high.ID).Deadline, local(t, "2026-01-10 16:30"))
		// A week later there is no make-up day: Saturday morning, then Monday.
		e.clock.Set(local(t, "2026-01-16 16:00"))
		high = e.mustCreate(t, ticket.NewTicket{Content: "Cây đổ chắn ngang đường", Priority: "high"})
		e.mustDo(t, op, high.ID, ticket.Forward, ticket.Input{Agency: "TDM"})
		sameMinute(t, "an ordinary Saturday", e.currentAssignment(t, high.ID).Deadline, local(t, "2026-01-19 10:30"))

		// An approved extension moves the assignment's deadline, and the
		// timeline keeps the request's reason and the granted date.
		tk, _ = e.forwardAt(t, local(t, "2026-11-30 08:00"), "SXD")
		e.clock.Set(local(t, "2026-11-30 09:00"))
		e.mustDo(t, sxd, tk.ID, ticket.RequestExtension, ticket.Input{Until: local(t, "2026-12-02 10:00"), Reason: "Cần khảo sát hiện trường"})
		got := e.mustDo(t, sup, tk.ID, ticket.GrantExtension, ticket.Input{})
		sameMinute(t, "extended assignment", e.currentAssignment(t, tk.ID).Deadline, local(t, "2026-12-02 10:00"))
		sameMinute(t, "extended ticket", got.Deadline, local(t, "2026-12-02 10:00"))
		// 17 office hours from the forward on SXD's calendar (lunch
		// 11:30–13:30): 80% of them, 13h36m, is Tuesday at 16:06.
		sameMinute(t, "extended warning", got.WarnAt, local(t, "2026-12-01 16:06"))
		det, err := e.svc.Detail(context.Background(), sup, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var reason, until string
		for _, m := range det.Timeline {
			switch m.Event {
			case string(ticket.RequestExtension):
				reason = m.Body
			case string(ticket.GrantExtension):
				until, _ = m.Data["until"].(string)
			}
		}
		if reason != "Cần khảo sát hiện trường" || until != local(t, "2026-12-02 10:00").UTC().Format(time.RFC3339) {
			t.Errorf("timeline: request reason %q, granted until %q", reason, until)
		}
	})
}

// A policy on "agency" counts the ticket's own deadline, from receipt, on
// the calendar of the agency holding it: around the clock while the desk
// has it, on the agency's office hours once forwarded.
func TestPolicyOnTheAgencyCalendar(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.mustCalendar(t, sla.OfficeHours())
		e.setAgencyCalendar(t, "SXD", sla.OfficeHoursCode)
		e.mustPolicy(t, sla.Policy{Name: "roads", CategoryID: 1, Target: 5 * time.Hour, Calendar: sla.Agency, WarnPercent: 80, Active: true})

		// Received on Friday 15:00; classified 15:30, forwarded 16:30.
		e.clock.Set(local(t, "2026-11-27 15:00"))
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà lớn trên đường Lê Lợi"})
		e.clock.Set(local(t, "2026-11-27 15:30"))
		got := e.mustDo(t, op, tk.ID, ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong"})
		sameMinute(t, "with the desk, around the clock", got.Deadline, local(t, "2026-11-27 20:00"))
		e.clock.Set(local(t, "2026-11-27 16:30"))
		got = e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		// From receipt on SXD's hours: 2 hours on Friday, 3 on Saturday.
		sameMinute(t, "on the agency's hours, from receipt", got.Deadline, local(t, "2026-11-28 10:30"))
		sameMinute(t, "its warning", got.WarnAt, local(t, "2026-11-28 09:30"))
		// Half an hour on Friday, 4 hours on Saturday, half an hour on Monday.
		sameMinute(t, "the assignment, from the forward", e.currentAssignment(t, tk.ID).Deadline, local(t, "2026-11-30 08:00"))
	})
}

// Around the clock, no deadline is ever earlier than its clock's start
// plus the target: the ticket's from receipt, the assignment's from its
// forward, whatever the hour, target and warning share.
func TestDeadlineNeverBeforeTargetAroundTheClock(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rnd := rand.New(rand.NewPCG(1022, 10))
		prios := []string{"low", "normal", "high", "urgent"}
		targets := map[string]time.Duration{}
		for _, pr := range prios {
			targets[pr] = time.Duration(1+rnd.IntN(72*60)) * time.Minute
			e.mustPolicy(t, sla.Policy{Name: pr, Priority: pr, Target: targets[pr], Calendar: sla.Always, WarnPercent: 1 + rnd.IntN(99), Active: true})
		}
		start := local(t, "2026-01-01 00:00")
		for i := range 25 {
			pr := prios[rnd.IntN(len(prios))]
			received := start.Add(time.Duration(rnd.Int64N(int64(2 * 365 * 24 * time.Hour)))).Truncate(time.Second)
			e.clock.Set(received)
			tk := e.mustCreate(t, ticket.NewTicket{Content: "Phản ánh thử số ngẫu nhiên", Priority: pr})
			forwarded := received.Add(time.Duration(rnd.Int64N(int64(48 * time.Hour)))).Truncate(time.Second)
			e.clock.Set(forwarded)
			tk = e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "DIAN"})
			asg := e.currentAssignment(t, tk.ID)
			if tk.Deadline.Before(received.Add(targets[pr])) || tk.WarnAt.After(tk.Deadline) || tk.WarnAt.Before(received) {
				t.Fatalf("#%d %s received %s: warn %s deadline %s, target %s", i, pr, received, tk.WarnAt, tk.Deadline, targets[pr])
			}
			if asg.Deadline.Before(forwarded.Add(targets[pr])) {
				t.Fatalf("#%d %s forwarded %s: assignment deadline %s, target %s", i, pr, forwarded, asg.Deadline, targets[pr])
			}
		}
	})
}
