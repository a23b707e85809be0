package app_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/api"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// POST /api/v1/tickets records a report and the desk's handling of it in
// one request, and a step refused at the end leaves nothing recorded.
func TestCreateAndHandleThroughTheAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ta := newTestApp(t, d)
		report := func(fields map[string]any) map[string]any {
			m := newReport()
			for k, v := range fields {
				m[k] = v
			}
			return m
		}
		ok := []struct {
			name   string
			body   map[string]any
			state  string
			agency string
		}{
			{"classified and forwarded", report(map[string]any{"classify": true, "category": "ha_tang_giao_thong", "area": "25747",
				"forward": map[string]any{"agency": "SXD", "note": "Nhờ kiểm tra"}}), "forwarded", "SXD"},
			{"answered directly", report(map[string]any{"reply": "Cảm ơn chị, đã ghi nhận."}), "replied", ""},
		}
		for _, tt := range ok {
			got := ta.must(t, "operator", "POST", "/api/v1/tickets", tt.body, 201)
			ag, _ := got["agency"].(map[string]any)
			if got["state"] != tt.state || tt.agency != "" && (ag == nil || ag["code"] != tt.agency) {
				t.Errorf("%s: state %v, agency %v; want %s, %s", tt.name, got["state"], got["agency"], tt.state, tt.agency)
			}
		}

		if _, err := d.W().ExecContext(ctx, `UPDATE agencies SET valid_to = '2025-08-01' WHERE code = 'UBND.TDM'`); err != nil {
			t.Fatal(err)
		}
		tables := []string{"tickets", "contacts", "messages", "assignments", "audit_events"}
		counts := func() []int {
			var out []int
			for _, tb := range tables {
				var n int
				if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
					t.Fatal(err)
				}
				out = append(out, n)
			}
			return out
		}
		refused := []struct {
			name, who string
			body      map[string]any
			status    int
			field     string
		}{
			{"unknown agency", "operator", report(map[string]any{"classify": true, "category": "ha_tang_giao_thong",
				"forward": map[string]any{"agency": "NOPE"}}), 400, "forward.agency"},
			{"retired agency", "operator", report(map[string]any{"forward": map[string]any{"agency": "UBND.TDM"}}), 400, "forward.agency"},
			{"forward and reply", "operator", report(map[string]any{"forward": map[string]any{"agency": "SXD"}, "reply": "x"}), 400, "reply"},
			{"unknown field in forward", "operator", report(map[string]any{"forward": map[string]any{"agency": "SXD", "urgent": true}}), 400, "urgent"},
			{"a viewer", "viewer", report(map[string]any{"forward": map[string]any{"agency": "SXD"}}), 403, ""},
		}
		for _, tt := range refused {
			before := counts()
			status, out := ta.call(t, tt.who, "POST", "/api/v1/tickets", tt.body)
			if status != tt.status || errField(out) != tt.field {
				t.Errorf("%s: %d %v; want %d in %q", tt.name, status, out, tt.status, tt.field)
			}
			if after := counts(); !slices.Equal(after, before) {
				t.Errorf("%s: rows of %v went from %v to %v", tt.name, tables, before, after)
			}
		}
	})
}

// The NewTicket and Action schemas list exactly the fields the API reads,
// so the document cannot fall behind the code.
func TestOpenAPISchemasMatchTheAPI(t *testing.T) {
	raw, err := os.ReadFile("../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"NewTicket": api.NewTicketJSON{}, "Action": api.ActionJSON{}} {
		s := doc.Components.Schemas[name]
		if want, got := jsonFields(reflect.TypeOf(v), name), s.fields(name); !slices.Equal(got, want) {
			t.Errorf("schema %s has %v; the API reads %v", name, got, want)
		}
	}
}

type schema struct {
	Ref        string            `json:"$ref"`
	Properties map[string]schema `json:"properties"`
}

// fields lists the schema's properties, nested ones as "parent.child";
// references to other schemas are not followed.
func (s schema) fields(prefix string) []string {
	var out []string
	for name, p := range s.Properties {
		out = append(out, prefix+"."+name)
		out = append(out, p.fields(prefix+"."+name)...)
	}
	slices.Sort(out)
	return out
}

// jsonFields lists a struct's JSON fields the same way; named struct types
// (a $ref in the document) are not followed.
func jsonFields(t reflect.Type, prefix string) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, prefix+"."+name)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.Name() == "" {
			out = append(out, jsonFields(ft, prefix+"."+name)...)
		}
	}
	slices.Sort(out)
	return out
}
