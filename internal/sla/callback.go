package sla

import "time"

// CallbackWithin is how soon a missed call is to be returned. The line
// runs around the clock, so it counts wall time, not office hours: a
// citizen who could not get through at night is called back that night.
const CallbackWithin = 2 * time.Hour

// CallbackDue is when a call missed at ended is to have been returned.
func CallbackDue(ended time.Time) time.Time { return ended.UTC().Add(CallbackWithin) }
