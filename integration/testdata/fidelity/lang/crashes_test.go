package lang

import (
	"errors"
	"io"
	"reflect"
	"testing"
)

func TestNilAsInterface(t *testing.T) {
	if s, err := LargestShape(nil); s != nil || !errors.Is(err, ErrNoShape) {
		t.Errorf("LargestShape(nil): got %v, %v; want nil, ErrNoShape", s, err)
	}
	if s, err := LargestShape([]Shape{Square{2}, Square{3}}); err != nil || s.Area() != 9 {
		t.Errorf("LargestShape: got %v, %v; want area 9", s, err)
	}
	if sc := Scaled(nil, 2); sc != nil {
		t.Errorf("Scaled(nil): got %v, want nil", sc)
	}
	if sc := Scaled(Square{2}, 1); sc != nil {
		t.Errorf("Scaled(k=1): got %v, want nil", sc)
	}
	if sc := Scaled(Square{2}, 3); sc == nil || sc.scale(1).Area() != 36 {
		t.Errorf("Scaled(k=3): got %v, want a shaper of area 36", sc)
	}
	if got := AreaOrZero(nil); got != 0 {
		t.Errorf("AreaOrZero(nil): got %d, want 0", got)
	}
	if r := ReaderOf(""); r != nil {
		t.Errorf("ReaderOf(\"\"): got %v, want nil", r)
	}
	if b, err := io.ReadAll(ReaderOf("abc")); err != nil || string(b) != "abc" {
		t.Errorf("ReaderOf(abc): read %q, %v", b, err)
	}
}

func TestSendOnCompiledChannels(t *testing.T) {
	m := NewMailbox()
	m.Post("hi", 7, Square{1})
	text, n, err := m.Take()
	if text != "hi" || n != 7 || err != nil {
		t.Errorf("Take: got %q, %d, %v; want hi, 7, nil", text, n, err)
	}
	// The slice's channel is send-only; Post sent s on it.
	if got := cap(m.queues[0]); got != 1 {
		t.Fatalf("queue capacity: got %d, want 1", got)
	}
	if got := len(m.queues[0]); got != 1 {
		t.Errorf("queue length after Post: got %d, want 1", got)
	}
}

func TestReceiveIntoDestinations(t *testing.T) {
	texts, nums := make(chan string, 5), make(chan int, 1)
	for _, s := range []string{"field", "pointer", "named", "captured", "returned"} {
		texts <- s
	}
	nums <- 4
	var s Slot
	var p string
	named, captured, last := Relay(texts, nums, &s, &p)
	got := []any{s.Text, s.n, p, named, captured, last}
	if want := []any{"field", 4, "pointer", "named", "captured", "returned"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Relay: got %v, want %v", got, want)
	}
}

func TestPositionalLiteralSelectingDereference(t *testing.T) {
	ext, ns, words := Extents(NewDoc([]int{0, 3, 8}, []string{"a", "b", "c"}))
	if want := []extent{{0, 3}, {3, 8}}; !reflect.DeepEqual(ext, want) {
		t.Errorf("extents: got %v, want %v", ext, want)
	}
	if want := []int{2, 5}; !reflect.DeepEqual(ns, want) {
		t.Errorf("ints: got %v, want %v", ns, want)
	}
	if want := [][]string{{"b", "c"}, {"a"}}; !reflect.DeepEqual(words, want) {
		t.Errorf("words: got %v, want %v", words, want)
	}
}

func TestUnsafeAndArrayElementAddress(t *testing.T) {
	buf := [8]byte{0, 0x34, 0x12, 0, 0, 0, 0, 0}
	if got := Field(&buf, 1); got != 0x1234 {
		t.Errorf("Field: got %#x, want 0x1234", got)
	}
	var names [16]byte
	copy(names[4:], "abc\x00\x00")
	if got := NameAt(&names, 4, 5); got != "abc" {
		t.Errorf("NameAt: got %q, want abc", got)
	}
	a := [4]int{1, 2, 3, 4}
	if got := Bump(&a, 2); got != 4 || a[2] != 4 {
		t.Errorf("Bump: got %d and %v, want 4 and a[2] == 4", got, a)
	}
}

func TestDecodeIntoEmbeddingStruct(t *testing.T) {
	h, body, err := DecodeEnvelope([]byte(`{"seq":3,"kind":"event","body":"x"}`))
	if err != nil || h != (Header{Seq: 3, Kind: "event"}) || body != "x" {
		t.Errorf("DecodeEnvelope: got %+v, %q, %v; want {3 event}, x, nil", h, body, err)
	}
}
