package portal_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// placePhone lets the page read the phone's position and puts the phone at
// lat, lng.
func placePhone(origin string, lat, lng float64) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		info, err := cdp.Call(ctx, t, target.GetTargetInfo, target.GetTargetInfoParams{})
		if err != nil {
			return chromedp.Void{}, err
		}
		if _, err := cdp.Call(ctx, t, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted,
			Origin: origin, BrowserContextID: info.TargetInfo.BrowserContextID}); err != nil {
			return chromedp.Void{}, err
		}
		accuracy := 10.0
		_, err = cdp.Call(ctx, t, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &accuracy})
		return chromedp.Void{}, err
	}
}

// "Use my location" puts the phone's position on the report.
func TestBrowserUseMyLocation(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	b.Visit("/submit")
	b.Step("place the phone", placePhone(c.Server.URL, 10.980654, 106.674217))
	b.Click("#locate-button")
	b.WaitText("#locate-status", c.Catalog.T(i18n.VI, "portal2.location_found", "lat", "10.980654", "lng", "106.674217"))
	b.Step("describe the problem", chromedp.SendKeys(chromedp.ID("content"), "Ổ gà lớn giữa đường."))
	b.Fill("phone", "0912 345 678")
	b.Click("#consent")
	if status := b.ClickToLoad(`form[action="/submit"] button[type=submit]`); status != 200 {
		t.Fatalf("the report answered %d", status)
	}
	b.WaitText("h1", vi("portal.submitted_title"))
	var lat, lng float64
	if err := c.DB.R().QueryRowContext(t.Context(), `SELECT lat, lng FROM tickets`).Scan(&lat, &lng); err != nil || lat != 10.980654 || lng != 106.674217 {
		t.Fatalf("the ticket's point is %v, %v (%v), want the phone's", lat, lng, err)
	}
	if w := b.PageWidth(); w > 390 {
		t.Errorf("the confirmation is %d px wide: %v", w, b.WiderThan(390))
	}
}
