package livepatch

import (
	"reflect"
	"testing"
)

func TestParseLogPoint(t *testing.T) {
	for _, tc := range []struct {
		msg   string
		parts []logPart
		err   bool
	}{
		{msg: "", parts: nil},
		{msg: "plain", parts: []logPart{{text: "plain"}}},
		{msg: "n={ c.n } d={d}!", parts: []logPart{{text: "n="}, {text: "c.n", expr: true}, {text: " d="}, {text: "d", expr: true}, {text: "!"}}},
		{msg: "{T{1}.x}", parts: []logPart{{text: "T{1}.x", expr: true}}},
		{msg: "a {b", err: true},
		{msg: "a} b", err: true},
	} {
		lp, err := parseLogPoint("f.go", 3, tc.msg)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v, want one: %v", tc.msg, err, tc.err)
			continue
		}
		if !tc.err && !reflect.DeepEqual(lp.parts, tc.parts) {
			t.Errorf("%q: parts %+v, want %+v", tc.msg, lp.parts, tc.parts)
		}
	}
}
