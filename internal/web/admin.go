package web

// adminRoutes registers this part's console pages. It is filled in by the part
// that owns it.
func (w *Web) adminRoutes(rt *router) {}
