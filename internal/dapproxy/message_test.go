package dapproxy

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestWithSeq(t *testing.T) {
	for _, tc := range []struct {
		name, in        string
		seq, requestSeq int
		want            string
	}{
		{"go-dap event spliced", `{"seq":0,"type":"event","event":"stopped","body":{"seq":5}}`, 7, 0,
			`{"seq":7,"type":"event","event":"stopped","body":{"seq":5}}`},
		{"go-dap response spliced", `{"seq":3,"type":"response","request_seq":12,"success":true,"command":"threads"}`, 4, 2,
			`{"seq":4,"type":"response","request_seq":2,"success":true,"command":"threads"}`},
		{"client order re-encoded", `{"command":"next","type":"request","seq":9,"arguments":{"threadId":1}}`, 1, 0,
			`{"arguments":{"threadId":1},"command":"next","seq":1,"type":"request"}`},
		{"response in another order", `{"type":"response","seq":1,"request_seq":5,"command":"x","success":false}`, 2, 3,
			`{"command":"x","request_seq":3,"seq":2,"success":false,"type":"response"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseMessage([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(m.withSeq(tc.seq, tc.requestSeq)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// FuzzWithSeq checks that renumbering changes seq and request_seq and
// nothing else, whatever the message looks like.
func FuzzWithSeq(f *testing.F) {
	f.Add(`{"seq":0,"type":"event","event":"output","body":{"output":"x"}}`, 3, 0)
	f.Add(`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"initialize","body":{}}`, 9, 4)
	f.Add(`{"type":"request","command":"launch","seq":2,"arguments":{"seq":3}}`, 1, 0)
	f.Add(`{"seq":12,"type":"response","request_seq":x}`, 1, 1)
	f.Fuzz(func(t *testing.T, in string, seq, requestSeq int) {
		m, err := parseMessage([]byte(in))
		if err != nil {
			return
		}
		var before map[string]any
		if json.Unmarshal(m.raw, &before) != nil {
			return
		}
		out := m.withSeq(seq, requestSeq)
		var after map[string]any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("renumbered message is not JSON: %v\n%s", err, out)
		}
		if after["seq"] != float64(seq) {
			t.Errorf("seq = %v, want %d", after["seq"], seq)
		}
		before["seq"] = float64(seq)
		if m.Type == "response" {
			if after["request_seq"] != float64(requestSeq) {
				t.Errorf("request_seq = %v, want %d", after["request_seq"], requestSeq)
			}
			before["request_seq"] = float64(requestSeq)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("renumbering changed more than seq:\nin:  %s\nout: %s", in, out)
		}
	})
}
