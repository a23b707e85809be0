package open311

import (
	"net/http"

	"github.com/hotline-1022/hotline/internal/errs"
)

func (e *endpoint) updates(*http.Request, format) (any, any, error) {
	return nil, nil, errs.E(errs.NotFound, "open311.no_method")
}

func (e *endpoint) postUpdate(*http.Request, format) (any, any, error) {
	return nil, nil, errs.E(errs.NotFound, "open311.no_method")
}
