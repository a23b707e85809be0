package amitest

// Chan is one channel as Asterisk describes it on every channel event
// (Newchannel, DialEnd, AgentConnect, Hangup…).
type Chan struct {
	Name                  string // PJSIP/trunk-vnpt-00000012
	State, StateDesc      string // 4, Ring; 6, Up
	CallerNum, CallerName string
	Context, Exten        string
	Uniqueid, Linkedid    string
}

// Fields are the channel's fields, their keys prefixed (Dest for the
// called channel of a dial or a queue member's), as key, value pairs.
func (c Chan) Fields(prefix string) []string {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	return []string{
		prefix + "Channel", c.Name,
		prefix + "ChannelState", or(c.State, "4"),
		prefix + "ChannelStateDesc", or(c.StateDesc, "Ring"),
		prefix + "CallerIDNum", or(c.CallerNum, "<unknown>"),
		prefix + "CallerIDName", or(c.CallerName, "<unknown>"),
		prefix + "ConnectedLineNum", "<unknown>",
		prefix + "ConnectedLineName", "<unknown>",
		prefix + "Language", "vi",
		prefix + "AccountCode", "",
		prefix + "Context", c.Context,
		prefix + "Exten", c.Exten,
		prefix + "Priority", "1",
		prefix + "Uniqueid", c.Uniqueid,
		prefix + "Linkedid", or(c.Linkedid, c.Uniqueid),
	}
}

// With is fields followed by more key, value pairs.
func With(fields []string, kv ...string) []string {
	return append(append([]string(nil), fields...), kv...)
}
