package ifacewrap

import (
	"io"
	"log/slog"
	"reflect"
	"testing"
)

type (
	// bareShape is an interface that no wrapper below fits.
	bareShape interface{ Area() int }
	// walker is the interface lp_I_walker wraps.
	walker interface{ Walk(...int) (int, error) }
)

// lp_I_walker is a wrapper of walker as the builder generates it.
type lp_I_walker struct {
	IValue interface{}
	WWalk  func(...int) (int, error)
}

func (lp_w lp_I_walker) Walk(lp_a0 ...int) (int, error) { return lp_w.WWalk(lp_a0...) }

// TestMalformedWrapperLeftOut checks that a wrapper that does not fit its
// interface is left out when it is registered, without a panic: the
// interface keeps its stand-in.
func TestMalformedWrapperLeftOut(t *testing.T) {
	type notAWrapper struct{ IValue interface{} }
	pkg := reflect.TypeOf((*bareShape)(nil)).Elem().PkgPath()
	late := Register([][2]any{
		{(*bareShape)(nil), (*notAWrapper)(nil)},
		{(*bareShape)(nil), (*lp_I_walker)(nil)},
		{bareShape(nil), (*lp_I_walker)(nil)},
	}, func(string) string { return "" }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	generated.mu.Lock()
	_, ok := generated.byPkg[pkg]["_bareShape"]
	generated.mu.Unlock()
	if ok || len(late) != 0 {
		t.Errorf("a malformed wrapper of bareShape was registered")
	}
	// A wrapper that fits is registered.
	Register([][2]any{{(*walker)(nil), (*lp_I_walker)(nil)}}, func(string) string { return "" }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	generated.mu.Lock()
	_, ok = generated.byPkg[pkg]["_walker"]
	generated.mu.Unlock()
	if !ok {
		t.Errorf("the wrapper of walker was not registered")
	}
}
