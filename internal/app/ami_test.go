package app_test

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/ami/amitest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// amiApp is a serving app whose AMI connector retries quickly.
func amiApp(t *testing.T, d *db.DB) *channelApp {
	t.Helper()
	ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clock.New(time.Now))
	ta.AMI.Poll, ta.AMI.Retry, ta.AMI.RetryMax = 100*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond
	return startChannels(t, ta, nil)
}

func addAMI(t *testing.T, ca *channelApp, name string, settings map[string]string) int64 {
	t.Helper()
	a, err := ca.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.AMI, name, settings)
	if err != nil {
		t.Fatal(err)
	}
	if a.Settings["secret"] != "" || !slices.Contains(a.Secrets, "secret") {
		t.Fatalf("the AMI secret is not sealed: %v %v", a.Settings, a.Secrets)
	}
	return a.ID
}

// An Asterisk PBX's manager interface, as the fake speaks it: a queue call
// the operator answers, a call nobody answers, each read from Newchannel,
// AgentCalled, DialEnd, AgentConnect and Hangup correlated by Linkedid,
// make the same records the CTI endpoint makes (the operator, the known
// contact, the call-back owed, the screen pop); a PBX that drops the
// session is reconnected and read on; a refused login is the account's
// error.
func TestAMIConnectorRecordsCalls(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := amiApp(t, d)
		ca.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201) // the caller is a known contact
		pops, stop := ca.Live.Subscribe()
		defer stop()
		pbx := amitest.New(t, "hotline", "s3cret-ami")
		id := addAMI(t, ca, "Tổng đài Asterisk", pbx.Settings())
		pbx.WaitLogin(t)

		caller := amitest.Chan{Name: "PJSIP/trunk-vnpt-00000012", CallerNum: "84987654321", Context: "from-trunk", Exten: "842743822022",
			Uniqueid: "1732694400.4711"}
		agent := amitest.Chan{Name: "PJSIP/201-00000013", CallerNum: "201", CallerName: "operator", Context: "from-queue", Exten: "201",
			Uniqueid: "1732694400.4712", Linkedid: caller.Uniqueid}
		both := func(kv ...string) []string {
			return amitest.With(append(caller.Fields(""), agent.Fields("Dest")...), kv...)
		}
		member := []string{"Queue", "tiep-nhan", "MemberName", "operator", "Interface", "PJSIP/201"}
		pbx.Emit(t, "Newchannel", caller.Fields("")...)
		pbx.Emit(t, "AgentCalled", both(member...)...)
		pbx.Emit(t, "Newchannel", agent.Fields("")...)
		pbx.Emit(t, "DialEnd", both("DialStatus", "ANSWER")...)
		pbx.Emit(t, "AgentConnect", both(append(member, "RingTime", "3", "HoldTime", "5")...)...)
		pbx.Emit(t, "Hangup", amitest.With(agent.Fields(""), "Cause", "16", "Cause-txt", "Normal Clearing")...)
		pbx.Emit(t, "Hangup", amitest.With(caller.Fields(""), "Cause", "16", "Cause-txt", "Normal Clearing")...)

		ended := func(n int) []map[string]any {
			t.Helper()
			var cs []map[string]any
			waitFor(t, strconv.Itoa(n)+" ended calls", func() bool {
				cs = calls(t, ca.testApp, "operator", "")
				done := 0
				for _, c := range cs {
					if c["ended_at"] != nil {
						done++
					}
				}
				return done == n && len(cs) == n
			})
			return cs
		}
		c := ended(1)[0]
		op, _ := c["operator"].(map[string]any)
		if c["call_id"] != caller.Uniqueid || c["direction"] != "in" || c["answered"] != true || op["name"] != "operator" ||
			c["queue"] != "tiep-nhan" || c["cause"] != "normalClearing" || c["from"] != "84987654321" || c["to"] != "842743822022" ||
			c["contact_id"] == nil {
			t.Fatalf("call %v", c)
		}
		select {
		case ev := <-pops:
			for ev.Kind != "call" {
				ev = <-pops
			}
			if len(ev.UserIDs) != 1 {
				t.Fatalf("screen pop %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no screen pop for the ringing operator")
		}

		// Nobody answers: the caller gives up; a call-back is owed.
		missed := amitest.Chan{Name: "PJSIP/trunk-vnpt-00000014", CallerNum: "84912345678", Context: "from-trunk", Exten: "842743822022",
			Uniqueid: "1732694500.4713"}
		ring := amitest.Chan{Name: "PJSIP/202-00000015", CallerNum: "202", Context: "from-queue", Exten: "202", Uniqueid: "1732694500.4714",
			Linkedid: missed.Uniqueid}
		pbx.Emit(t, "Newchannel", missed.Fields("")...)
		pbx.Emit(t, "DialEnd", amitest.With(append(missed.Fields(""), ring.Fields("Dest")...), "DialStatus", "NOANSWER")...)
		pbx.Emit(t, "Hangup", amitest.With(missed.Fields(""), "Cause", "16", "Cause-txt", "Normal Clearing")...)
		ended(2)
		cb := calls(t, ca.testApp, "operator", "?callbacks=true")
		if len(cb) != 1 || cb[0]["call_id"] != missed.Uniqueid || cb[0]["cause"] != "noAnswer" || cb[0]["missed"] != true {
			t.Fatalf("call-back list %v", cb)
		}
		if st, ok := ca.AMI.State(id); !ok || !st.Connected || st.Version != "9.0.0" || st.Events < 5 {
			t.Fatalf("session state %+v %v", st, ok)
		}

		// The PBX restarts: the connector logs in again and reads on.
		pbx.Drop()
		pbx.WaitLogin(t)
		again := amitest.Chan{Name: "PJSIP/trunk-vnpt-00000016", Context: "from-trunk", Exten: "842743822022", Uniqueid: "1732694600.4715"}
		pbx.Emit(t, "Newchannel", again.Fields("")...)
		pbx.Emit(t, "Hangup", amitest.With(again.Fields(""), "Cause", "17", "Cause-txt", "User busy")...)
		cs := ended(3)
		if cs[0]["call_id"] != again.Uniqueid || cs[0]["from"] != "anonymous" || cs[0]["cause"] != "busy" {
			t.Fatalf("the call after the reconnection: %v", cs[0])
		}
		if ok, _ := pbx.Logins(); ok != 2 {
			t.Fatalf("%d logins", ok)
		}
		if strings.Contains(ca.logs.String(), "987654321") || strings.Contains(ca.logs.String(), "s3cret-ami") {
			t.Fatal("a caller's number or the AMI secret is in the log")
		}

		// A wrong secret is refused, retried and shown.
		bad := pbx.Settings()
		bad["secret"] = "sai-mat-khau"
		badID := addAMI(t, ca, "Tổng đài sai mật khẩu", bad)
		waitFor(t, "the refused login on the account", func() bool {
			a, err := ca.Channels.Get(context.Background(), badID)
			return err == nil && strings.Contains(a.LastError, "login refused: Authentication failed")
		})
		if st, _ := ca.AMI.State(badID); st.Connected || !strings.Contains(st.Error, "Authentication failed") {
			t.Fatalf("refused session state %+v", st)
		}
	})
}

// Two instances on one database and one AMI account: one at a time holds
// the connection (one session logs in), so each call makes one record and
// one screen pop; when the holder stops, the other takes the account over
// and reads on.
func TestAMIConnectionHeldByOneOfTwoInstances(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		fast := func(ta *testApp, name string) *channelApp {
			ta.AMI.Poll, ta.AMI.Retry, ta.AMI.RetryMax, ta.AMI.Lease = 100*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond, 600*time.Millisecond
			ta.AMI.Instance = name
			return startChannels(t, ta, nil)
		}
		a := fast(newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clock.New(time.Now)), "may-1:101")
		logsB := &syncBuffer{}
		b := fast(&testApp{App: app.New(app.Config{Province: "79", Queue: fastQueue}, d, a.Box, slog.New(slog.NewJSONHandler(logsB, nil))),
			logs: logsB}, "may-2:202")
		popsA, stopA := a.Live.Subscribe()
		defer stopA()
		popsB, stopB := b.Live.Subscribe()
		defer stopB()
		pbx := amitest.New(t, "hotline", "s3cret-ami")
		id := addAMI(t, a, "Tổng đài Asterisk", pbx.Settings())
		pbx.WaitLogin(t)
		waitFor(t, "the other instance waiting", func() bool {
			sa, _ := a.AMI.State(id)
			sb, _ := b.AMI.State(id)
			return (sa.Connected && sb.Waiting) || (sb.Connected && sa.Waiting)
		})
		holder, other := a, b
		if st, _ := b.AMI.State(id); st.Connected {
			holder, other = b, a
		}
		ring := func(n int) {
			t.Helper()
			caller := amitest.Chan{Name: "PJSIP/trunk-vnpt-0000002" + strconv.Itoa(n), CallerNum: "8498765432" + strconv.Itoa(n), Context: "from-trunk",
				Exten: "842743822022", Uniqueid: "1732694800." + strconv.Itoa(n)}
			agent := amitest.Chan{Name: "PJSIP/201-0000003" + strconv.Itoa(n), CallerNum: "201", Context: "from-queue", Exten: "201",
				Uniqueid: "1732694800.9" + strconv.Itoa(n), Linkedid: caller.Uniqueid}
			pbx.Emit(t, "Newchannel", caller.Fields("")...)
			pbx.Emit(t, "AgentCalled", amitest.With(append(caller.Fields(""), agent.Fields("Dest")...),
				"Queue", "tiep-nhan", "MemberName", "operator", "Interface", "PJSIP/201")...)
			pbx.Emit(t, "Hangup", amitest.With(caller.Fields(""), "Cause", "16", "Cause-txt", "Normal Clearing")...)
			waitFor(t, "the call's record", func() bool {
				return count(t, d, `SELECT count(*) FROM calls WHERE ended_at IS NOT NULL`) == n
			})
		}
		pops := func() int {
			n := 0
			for {
				select {
				case ev := <-popsA:
					n += btoi(ev.Kind == "call")
				case ev := <-popsB:
					n += btoi(ev.Kind == "call")
				default:
					return n
				}
			}
		}
		for n := 1; n <= 3; n++ {
			ring(n)
		}
		if ok, _ := pbx.Logins(); ok != 1 || count(t, d, `SELECT count(*) FROM calls`) != 3 {
			t.Fatalf("%d sessions logged in for 3 calls, %d records", ok, count(t, d, `SELECT count(*) FROM calls`))
		}
		if n := pops(); n != 3 {
			t.Fatalf("%d screen pops for 3 calls", n)
		}

		// The holder stops: the other takes the connection over and reads on.
		holder.stop()
		pbx.WaitLogin(t)
		ring(4)
		if ok, _ := pbx.Logins(); ok != 2 || count(t, d, `SELECT count(*) FROM calls`) != 4 {
			t.Fatalf("%d logins, %d records after the take-over", ok, count(t, d, `SELECT count(*) FROM calls`))
		}
		if st, _ := other.AMI.State(id); !st.Connected {
			t.Fatalf("the other instance's session %+v", st)
		}
		// Every instance reads who holds the connection from the database.
		if h, err := holder.Channels.Lease(context.Background(), id, time.Now()); err != nil || h.Holder != other.AMI.Name() ||
			h.Connected.IsZero() || h.Detail != "9.0.0" {
			t.Fatalf("the connection's holder in the database %+v %v", h, err)
		}
		other.stop()
		if n := count(t, d, `SELECT count(*) FROM mailbox_lease`); n != 0 {
			t.Fatalf("%d leases left after both instances stopped", n)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
