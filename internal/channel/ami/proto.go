// Package ami is the Asterisk Manager Interface connector, a channel kind
// (channels.md §4b): hotline logs in to the PBX's AMI port over TCP, reads
// its call events and turns them into the same three events the CTI
// endpoint takes (newCall, answer, hangup), recorded through the same path
// (cti.Handler.Record: the call log, the call-back list, the screen pop).
//
// The protocol is plain text: the server greets with a banner line
// ("Asterisk Call Manager/5.0.3"), then each packet is "Key: Value" lines
// ended by an empty line, CRLF; the client's packets start with Action,
// the server's with Response or Event. This package speaks it itself.
package ami

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// Bounds on what the server may send, so a broken or hostile peer cannot
// make the reader hold unbounded memory.
const (
	MaxLine   = 8 << 10 // one line, in bytes
	MaxFields = 256     // fields in one packet
)

// ErrMalformed is a packet the reader refuses: a line over MaxLine, more
// than MaxFields fields, or a banner that is not Asterisk's.
var ErrMalformed = errors.New("ami: malformed packet")

// Field is one "Key: Value" line.
type Field struct{ Key, Value string }

// Message is one packet, its fields in the order they came.
type Message []Field

// Get returns the value of the first field named key (AMI keys are read
// without regard to case), or "".
func (m Message) Get(key string) string {
	for _, f := range m {
		if strings.EqualFold(f.Key, key) {
			return f.Value
		}
	}
	return ""
}

// Encode is the packet on the wire. Keys and values must hold no CR or
// LF (Action refuses them), keys no colon.
func (m Message) Encode() []byte {
	var b bytes.Buffer
	for _, f := range m {
		b.WriteString(f.Key)
		b.WriteString(": ")
		b.WriteString(f.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// ErrField is an action field that cannot be sent: a CR or LF would end
// the line (or the packet) early and let the value write other fields.
var ErrField = errors.New("ami: a field holds a line break")

// Action builds an action packet: Action first, then fields as key,
// value pairs.
func Action(name string, kv ...string) (Message, error) {
	m := Message{{"Action", name}}
	for i := 0; i+1 < len(kv); i += 2 {
		m = append(m, Field{kv[i], kv[i+1]})
	}
	for _, f := range m {
		if strings.ContainsAny(f.Key, "\r\n:") || strings.ContainsAny(f.Value, "\r\n") {
			return nil, ErrField
		}
	}
	return m, nil
}

// readLine reads one line without its CRLF (or bare LF), at most MaxLine
// bytes.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLine+2 {
			return "", ErrMalformed
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
		return string(line), nil
	}
}

// ReadBanner reads the server's greeting and returns its version
// ("5.0.3"): ErrMalformed when it is not an Asterisk Call Manager.
func ReadBanner(r *bufio.Reader) (string, error) {
	line, err := readLine(r)
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(line, "Asterisk Call Manager/")
	if !ok {
		return "", ErrMalformed
	}
	return v, nil
}

// ReadMessage reads the next packet. Empty lines between packets are
// skipped; a line without a colon (the text of a command's output) is
// kept as a field with an empty key. A packet cut by the end of the
// stream is io.ErrUnexpectedEOF.
func ReadMessage(r *bufio.Reader) (Message, error) {
	var m Message
	for {
		line, err := readLine(r)
		if err != nil {
			if err == io.EOF && len(m) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line == "" {
			if len(m) == 0 {
				continue
			}
			return m, nil
		}
		if len(m) == MaxFields {
			return nil, ErrMalformed
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			k, v = "", line
		}
		m = append(m, Field{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
}
