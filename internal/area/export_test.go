package area

import "time"

// SetClock lets the external tests decide which day is "today".
func SetClock(s *Store, now func() time.Time) { s.now = now }
