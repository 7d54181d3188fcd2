package lang

import (
	"reflect"
	"testing"
)

func TestLocalStructFields(t *testing.T) {
	if v, j := LocalFields(); v != "{X:1 y:2}" || j != `{"X":1}` {
		t.Errorf("LocalFields: got %q, %q; want {X:1 y:2}, {\"X\":1}", v, j)
	}
	if got := LocalFieldsPlain(); got != "{1 2} &{3 4}" {
		t.Errorf("LocalFieldsPlain: got %q, want {1 2} &{3 4}", got)
	}
}

func TestDeferredCallPanics(t *testing.T) {
	if got, want := DeferredPanics(), []string{"first", "second", "recovered boom"}; !reflect.DeepEqual(got, want) {
		t.Errorf("DeferredPanics: got %q, want %q", got, want)
	}
}

func TestAssertToInterfaceLiteral(t *testing.T) {
	if got := UsageOf(usageError{}); got != "use it well" {
		t.Errorf("UsageOf: got %q, want \"use it well\"", got)
	}
}

func TestPackageNamedLikeStd(t *testing.T) {
	if eq, c := Compared([]int{1, 2}, []int{1, 2, 3}); eq || c != -1 {
		t.Errorf("Compared: got %t %d, want false -1", eq, c)
	}
}
