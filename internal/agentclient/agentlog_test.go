package agentclient

import "testing"

func TestParseLogRecord(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"time":"2026-12-07T07:00:00Z","level":"WARN","msg":"replacement panicked","component":"livepatch-agent","func":"main.greet","panic":"reflect.Set: x","n":3}`,
			"replacement panicked (func: main.greet, panic: reflect.Set: x, n: 3)"},
		{`{"level":"WARN","msg":"agent socket"}`, "agent socket"},
	} {
		r, ok := parseLogRecord([]byte(tc.line))
		if !ok || r.String() != tc.want {
			t.Errorf("parseLogRecord(%s) = %q, %v; want %q", tc.line, r.String(), ok, tc.want)
		}
	}
	for _, bad := range []string{``, `level=WARN msg=x`, `{"level":"WARN"}`, `[1]`} {
		if r, ok := parseLogRecord([]byte(bad)); ok {
			t.Errorf("parseLogRecord(%q) = %+v, want no record", bad, r)
		}
	}
}
