package agent

import (
	"encoding/json"
	"strings"
	"testing"
	"unsafe"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// frameSink makes TestServeFrame's variables escape to the heap.
var frameSink []any

// TestServeFrame binds locals by address, as the host does through an
// injected call, and checks that writes reach them and that results of a
// multi-value call and imports come back as asked.
func TestServeFrame(t *testing.T) {
	resetPatches(t)
	// On the heap: a test goroutine's stack may move during the call,
	// unlike the stack of a goroutine parked by the debugger.
	px, pc := new(int), new(*counter)
	*px, *pc = 3, &counter{n: 1}
	frameSink = []any{px, pc}
	call := func(req wire.Request, addrs ...uintptr) wire.Response {
		t.Helper()
		b, _ := json.Marshal(req)
		n := copy(Inbox[:], b)
		var a [MaxFrameArgs]uintptr
		copy(a[:], addrs)
		m := ServeFrame(n, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15])
		var resp wire.Response
		if err := json.Unmarshal(Outbox[:m], &resp); err != nil {
			t.Fatalf("ServeFrame response %q: %v", Outbox[:m], err)
		}
		return resp
	}
	frame := []wire.FrameVar{{Name: "x", Type: "int", Arg: 0}, {Name: "c", Type: "*counter", Arg: 1}}
	addrs := []uintptr{uintptr(unsafe.Pointer(px)), uintptr(unsafe.Pointer(pc))}
	resp := call(wire.Request{Op: wire.OpEval, Package: testPkg, Frame: frame, Source: "*lp_frame.x = *lp_frame.x * 10"}, addrs...)
	if !resp.OK {
		t.Fatalf("eval: got %+v", resp)
	}
	resp = call(wire.Request{Op: wire.OpEval, Package: testPkg, Frame: frame, Source: "*lpField_counter_n(*lp_frame.c) += *lp_frame.x\n*lp_frame.x + 1"}, addrs...)
	if !resp.OK || resp.Value != "31" {
		t.Fatalf("eval: got %+v, want 31 (x=%d at %x, addrs %x)", resp, *px, px, addrs)
	}
	if *px != 30 || (*pc).n != 31 {
		t.Errorf("writes: x=%d c.n=%d, want 30 and 31", *px, (*pc).n)
	}
	resp = call(wire.Request{Op: wire.OpEval, Imports: []string{`up "strings"`}, Results: 2,
		Source: `lp_r0, lp_r1 := up.ToUpper("a"), error(nil); []interface{}{lp_r0, lp_r1}`})
	if !resp.OK || resp.Value != `"A", nil` {
		t.Errorf("results: got %+v, want \"A\", nil", resp)
	}
	resp = call(wire.Request{Op: wire.OpEval, Imports: []string{`up "errors"`}, Source: "1"})
	if resp.OK || !strings.Contains(errText(resp.Error), "already names") {
		t.Errorf("rebinding an import name: got %+v, want an error", resp)
	}
	resp = call(wire.Request{Op: wire.OpEval, Frame: frame, Source: "*lp_frame.x"})
	if resp.OK || !strings.Contains(errText(resp.Error), "no address") {
		t.Errorf("missing address: got %+v, want an error", resp)
	}
}
