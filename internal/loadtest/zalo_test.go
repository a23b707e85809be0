package loadtest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/zalo"
)

// The events verify and parse with the Zalo adapter, each with its own
// message id; returning citizens come back.
func TestZaloEventsAreSignedAsZaloSignsThem(t *testing.T) {
	z := &Zalo{Channel: 1, AppID: "4318092617320125813", OASecret: "oa-secret", Returning: 50}
	acct := channel.Account{Kind: channel.Zalo, Settings: map[string]string{"app_id": z.AppID, "oa_secret": z.OASecret}}
	ad := zalo.New(http.DefaultClient, time.Now)
	s := newZaloSender(z, time.Now(), 3)
	g := newGenerator(1, 3)
	ids, users := map[string]bool{}, map[string]int{}
	for range 200 {
		body, sig := s.next(g, time.Now())
		if err := ad.Verify(acct, http.Header{"X-Zevent-Signature": {sig}}, body); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		evs, err := ad.Parse(body)
		if err != nil || len(evs) != 1 || evs[0].Type != channel.EventMessage || evs[0].Text == "" {
			t.Fatalf("parsed %+v %v from %s", evs, err, body)
		}
		if ids[evs[0].ProviderID] {
			t.Fatalf("message id %s twice", evs[0].ProviderID)
		}
		ids[evs[0].ProviderID] = true
		users[evs[0].UserID]++
	}
	if len(users) < 60 || len(users) > 140 {
		t.Errorf("%d citizens for 200 events at 50 %% returning", len(users))
	}
	body, sig := s.next(g, time.Now())
	var tampered map[string]any
	_ = json.Unmarshal(body, &tampered)
	tampered["app_id"] = "another"
	other, _ := json.Marshal(tampered)
	if err := ad.Verify(acct, http.Header{"X-Zevent-Signature": {sig}}, other); err == nil {
		t.Error("a changed body verified")
	}
}
