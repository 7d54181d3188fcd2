package lang

import (
	"reflect"
	"testing"
)

func TestInterfacesWithWrappers(t *testing.T) {
	got := LabelAll([]Labeled{Triangle{"a"}, nil, Triangle{"b"}}, "L", "x", "y")
	want := []string{"L:a,x,y triangle a/3", "none", "L:b,x,y triangle b/3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LabelAll: got %q, want %q", got, want)
	}
	if got := LabelAll([]Labeled{Triangle{"c"}}, ""); !reflect.DeepEqual(got, []string{"error: no prefix triangle c/3"}) {
		t.Errorf("LabelAll without prefix: got %q", got)
	}
	if l, err := FindLabeled(nil); l != nil || err == nil {
		t.Errorf("FindLabeled(nil): got %v, %v; want nil and an error", l, err)
	}
	if l, err := FindLabeled([]Polygon{Triangle{"d"}}); err != nil || l.Name() != "triangle d" {
		t.Errorf("FindLabeled: got %v, %v; want triangle d", l, err)
	}
	if n, err := MeasureOrZero(nil, 2); n != 0 || err != nil {
		t.Errorf("MeasureOrZero(nil): got %d, %v; want 0, nil", n, err)
	}
	if n, err := MeasureOrZero(Triangle{}, 2); n != 9 || err != nil {
		t.Errorf("MeasureOrZero: got %d, %v; want 9, nil", n, err)
	}
}

func TestEmbeddingAsInterface(t *testing.T) {
	if got, want := DescribeShell("s"), "triangle s/3"; got != want {
		t.Errorf("DescribeShell: got %q, want %q", got, want)
	}
	if got, want := DescribeBoxed(Triangle{"p"}), "triangle p/3"; got != want {
		t.Errorf("DescribeBoxed: got %q, want %q", got, want)
	}
	if n, err := MeasureEmbedded(Triangle{}, 2); n != 9 || err != nil {
		t.Errorf("MeasureEmbedded: got %d, %v; want 9, nil", n, err)
	}
	if s, err := ReadHidden("hidden"); s != "hidden" || err != nil {
		t.Errorf("ReadHidden: got %q, %v; want hidden, nil", s, err)
	}
	if got, want := SortDescending([]int{2, 3, 1}), []int{3, 2, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("SortDescending: got %v, want %v", got, want)
	}
}
