package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits on what is read from a response. Successful bodies are read to
// the end so that the connection is reused; error bodies only far enough to
// find the error code.
const (
	maxBody      = 1 << 20
	maxErrorBody = 16 << 10
)

// areaQueries are the searches that find wards to report from: the unit
// words and common name fragments, folded as the API accepts them, then the
// biggest provinces. Together they return wards of many provinces.
var areaQueries = []string{"phuong", "xa", "an", "binh", "tan", "thu dau mot", "ha noi", "ho chi minh"}

// api is the part of the hotline JSON API that the load test calls.
type api struct {
	http  *http.Client
	base  string // the target without a trailing slash
	token string
}

// newClient returns a client tuned for one host and many workers: one idle
// connection kept per worker, short dial timeouts so that a wrong target
// fails fast, and no redirects, which from a ticket endpoint mean a wrong
// target and must show as errors.
func newClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	t.MaxIdleConns = max(100, concurrency)
	t.MaxIdleConnsPerHost = concurrency
	return &http.Client{
		Transport: t,
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// statusError is an answer outside 2xx, described for people.
type statusError struct {
	status int
	text   string
}

func (e *statusError) Error() string { return e.text }

// describe sums up an error answer: the status and the API's error code and
// message, or the start of the body when it is not the API's JSON.
func describe(status int, body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
		s := fmt.Sprintf("%d %s: %s", status, e.Error.Code, e.Error.Message)
		if e.Error.Field != "" {
			s += " (field " + e.Error.Field + ")"
		}
		return s
	}
	s := strconv.Itoa(status) + " " + http.StatusText(status)
	if b := strings.Join(strings.Fields(string(body)), " "); b != "" {
		if r := []rune(b); len(r) > 80 {
			b = string(r[:80]) + "…"
		}
		s += ": " + b
	}
	return s
}

// transportMessage returns err without the method and URL that net/http
// puts in front of every error, so that the same failure reads the same.
func transportMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "transport error: " + err.Error()
}

// errText describes an error of getJSON.
func errText(err error) string {
	var se *statusError
	if errors.As(err, &se) {
		return se.Error()
	}
	return transportMessage(err)
}

func (a *api) newRequest(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hotline-loadtest")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// getJSON decodes the answer to GET path into v. It returns a *statusError
// for an answer outside 2xx and the client's error when there was no answer.
func (a *api) getJSON(ctx context.Context, path string, v any) error {
	req, err := a.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return &statusError{resp.StatusCode, describe(resp.StatusCode, b)}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(v); err != nil {
		return &statusError{resp.StatusCode, fmt.Sprintf("%d with a body that is not the expected JSON: %v", resp.StatusCode, err)}
	}
	return nil
}

// postTicket submits one report. It returns the status (0 when there was no
// answer), a description of the failure for anything but 2xx, and for
// 2xx the body when keep is set.
func (a *api) postTicket(ctx context.Context, body []byte, keep bool) (status int, problem string, created []byte) {
	req, err := a.newRequest(ctx, http.MethodPost, "/api/v1/tickets", body)
	if err != nil {
		return 0, transportMessage(err), nil
	}
	return a.do(req, keep)
}

// do sends a POST and reads its answer as postTicket describes.
func (a *api) do(req *http.Request, keep bool) (status int, problem string, created []byte) {
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, transportMessage(err), nil
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return resp.StatusCode, describe(resp.StatusCode, b), nil
	}
	if keep {
		created, _ = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	}
	return resp.StatusCode, "", created
}

// reachable checks that the target answers at all (GET /healthz), for a
// run that needs nothing from its API.
func (a *api) reachable(ctx context.Context) error {
	var health struct {
		Status string `json:"status"`
	}
	err := a.getJSON(ctx, "/healthz", &health)
	var se *statusError
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("loadtest: %w", ctx.Err())
	case err != nil && !errors.As(err, &se):
		return fmt.Errorf("loadtest: cannot reach %s: %s", a.base, strings.TrimPrefix(transportMessage(err), "transport error: "))
	}
	return nil // an answer, even an error page: the run will show what it is
}

// discover asks the target for category and ward codes to put in the
// reports. Only a target that cannot be reached at all is an error; any
// other failure leaves the codes out and is explained in notes.
func (a *api) discover(ctx context.Context) (categories, areas, notes []string, err error) {
	var cats struct {
		Categories []struct {
			Code string `json:"code"`
		} `json:"categories"`
	}
	err = a.getJSON(ctx, "/api/v1/categories", &cats)
	var se *statusError
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, nil, nil, fmt.Errorf("loadtest: %w", ctx.Err())
	case err != nil && !errors.As(err, &se):
		return nil, nil, nil, fmt.Errorf("loadtest: cannot reach %s: %s", a.base, strings.TrimPrefix(transportMessage(err), "transport error: "))
	case err != nil:
		notes = append(notes, "categories unavailable ("+se.Error()+"): reports are sent without a category")
	default:
		for _, c := range cats.Categories {
			if c.Code != "" {
				categories = append(categories, c.Code)
			}
		}
		if len(categories) == 0 {
			notes = append(notes, "the target has no categories: reports are sent without a category")
		}
	}

	var areaErr error
	for _, q := range areaQueries {
		var res struct {
			Areas []struct {
				Code  string `json:"code"`
				Level string `json:"level"`
			} `json:"areas"`
		}
		if areaErr = a.getJSON(ctx, "/api/v1/areas?"+url.Values{"q": {q}, "limit": {"50"}}.Encode(), &res); areaErr != nil {
			break
		}
		for _, ar := range res.Areas {
			if ar.Code != "" && (ar.Level == "ward" || ar.Level == "") {
				areas = append(areas, ar.Code)
			}
		}
	}
	switch {
	case len(areas) == 0 && areaErr != nil:
		notes = append(notes, "areas unavailable ("+errText(areaErr)+"): reports are sent without an area")
	case len(areas) == 0:
		notes = append(notes, "no wards found on the target: reports are sent without an area")
	}
	// Sorted, so that a seed gives the same reports whatever order the
	// server lists them in.
	slices.Sort(categories)
	slices.Sort(areas)
	return slices.Compact(categories), slices.Compact(areas), notes, nil
}
