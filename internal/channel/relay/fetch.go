package relay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// fetchArgs is the job of copying one file a citizen sent from the
// platform into the blob store. The platform's URL is kept in the job
// only until it runs.
type fetchArgs struct {
	AccountID int64  `json:"account_id"`
	MessageID int64  `json:"message_id"`
	URL       string `json:"url"`
	Name      string `json:"name,omitempty"`
}

func (fetchArgs) Kind() string { return "channel_fetch" }

type fetchWorker struct {
	river.WorkerDefaults[fetchArgs]
	r *Relay
}

// Work fetches the file. A platform that is down or slow is retried with
// backoff; a file that is gone (4xx), too large or of a type hotline does
// not take is given up at once, and the message keeps its placeholder.
func (w *fetchWorker) Work(ctx context.Context, job *river.Job[fetchArgs]) error {
	r, a := w.r, job.Args
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return river.JobCancel(fmt.Errorf("fetch: not an http(s) URL"))
	}
	req, err := http.NewRequestWithContext(ctx, "GET", a.URL, nil)
	if err != nil {
		return river.JobCancel(err)
	}
	res, err := r.client().Do(req)
	if err != nil {
		return fmt.Errorf("fetch: %w", err) // retried
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("fetch: platform answered %d", res.StatusCode)
	case res.StatusCode != http.StatusOK:
		return river.JobCancel(fmt.Errorf("fetch: platform answered %d", res.StatusCode))
	case res.ContentLength > blob.MaxSize:
		return river.JobCancel(fmt.Errorf("fetch: %d bytes is over the limit", res.ContentLength))
	}
	info, err := r.Blobs.Put(res.Body)
	if err != nil {
		if errors.Is(err, blob.ErrNoStore) {
			return err
		}
		r.Log.Warn("attachment refused", "message_id", a.MessageID, "account_id", a.AccountID, "error", err.Error())
		return river.JobCancel(err)
	}
	name := blob.SafeName(a.Name, info.MIME)
	return r.Tickets.AttachInbound(context.WithoutCancel(ctx), queueActor, a.MessageID,
		ticket.NewAttachment{SHA256: info.SHA256, Name: name, MIME: info.MIME, Size: info.Size})
}

func (r *Relay) client() *http.Client {
	if r.HTTP != nil {
		return r.HTTP
	}
	return http.DefaultClient
}

// fetchable are the attachments worth a copy: stickers are the
// platform's artwork, not the citizen's evidence.
func fetchable(a channel.Attachment) bool {
	return a.URL != "" && a.Kind != channel.Sticker && (a.Size == 0 || a.Size <= blob.MaxSize)
}
