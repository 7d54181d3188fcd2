package dapproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// header is the part of a DAP message the proxy routes by.
type header struct {
	Seq        int    `json:"seq"`
	Type       string `json:"type"`
	Command    string `json:"command"`
	Event      string `json:"event"`
	RequestSeq int    `json:"request_seq"`
	Success    bool   `json:"success"`
}

// message is one DAP message as it travels through the proxy: its raw JSON
// content and the decoded header.
type message struct {
	header
	raw []byte
}

// parseMessage decodes the header of one DAP message's content.
func parseMessage(raw []byte) (*message, error) {
	m := &message{raw: raw}
	if err := json.Unmarshal(raw, &m.header); err != nil {
		return nil, fmt.Errorf("invalid message: %w", err)
	}
	switch m.Type {
	case "request", "response", "event":
	default:
		return m, fmt.Errorf("invalid message: type %q is not request, response or event", m.Type)
	}
	return m, nil
}

// withSeq returns the message content with seq, and for a response
// request_seq, replaced. Messages encoded by go-dap start with
// {"seq":N,"type":"...", and responses go on with "request_seq":M; those are
// spliced in place. Anything else is re-encoded field by field, which keeps
// the meaning but may reorder keys.
func (m *message) withSeq(seq, requestSeq int) []byte {
	if out, ok := spliceSeq(m.raw, seq, requestSeq, m.Type == "response"); ok {
		return out
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m.raw, &fields); err != nil {
		return m.raw // parseMessage accepted it, so this cannot happen
	}
	fields["seq"] = json.RawMessage(strconv.Itoa(seq))
	if m.Type == "response" {
		fields["request_seq"] = json.RawMessage(strconv.Itoa(requestSeq))
	}
	out, err := json.Marshal(fields)
	if err != nil {
		return m.raw
	}
	return out
}

var (
	seqPrefix        = []byte(`{"seq":`)
	requestSeqPrefix = []byte(`"request_seq":`)
)

// spliceSeq rewrites the numbers of a message in go-dap's field order without
// decoding the rest of it. It reports false when the message has another shape.
func spliceSeq(raw []byte, seq, requestSeq int, isResponse bool) ([]byte, bool) {
	if !bytes.HasPrefix(raw, seqPrefix) {
		return nil, false
	}
	numEnd := skipDigits(raw, len(seqPrefix))
	if numEnd == len(seqPrefix) || numEnd >= len(raw) || raw[numEnd] != ',' {
		return nil, false
	}
	out := make([]byte, 0, len(raw)+16)
	out = append(out, seqPrefix...)
	out = strconv.AppendInt(out, int64(seq), 10)
	rest := raw[numEnd:]
	if !isResponse {
		return append(out, rest...), true
	}
	// ,"type":"response","request_seq":M
	const typeField = `,"type":"response",`
	if !bytes.HasPrefix(rest, []byte(typeField)) || !bytes.HasPrefix(rest[len(typeField):], requestSeqPrefix) {
		return nil, false
	}
	start := len(typeField) + len(requestSeqPrefix)
	end := skipDigits(rest, start)
	if end == start {
		return nil, false
	}
	out = append(out, rest[:start]...)
	out = strconv.AppendInt(out, int64(requestSeq), 10)
	return append(out, rest[end:]...), true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
