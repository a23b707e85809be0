package api

import (
	_ "embed"
	"net/http"
)

// The OpenAPI 3.1 document is written by hand, next to the code it
// describes; a test checks that every route is in it.
//
//go:embed openapi.json
var openAPIDoc []byte

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openAPIDoc)
	return err
}
