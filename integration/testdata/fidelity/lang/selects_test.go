package lang

import (
	"reflect"
	"testing"
	"time"
)

func TestSelectOnFieldChannels(t *testing.T) {
	m := NewPostbox()
	if !m.Offer(3) || m.Offer(4) {
		t.Fatalf("Offer: the first offer must be taken and the second refused")
	}
	if got := m.Take(time.Second); got != 3 {
		t.Errorf("Take: got %d, want 3", got)
	}
	if got := m.Take(time.Millisecond); got != -1 {
		t.Errorf("Take from an empty channel: got %d, want -1", got)
	}
	m.Queue <- "hi"
	if s, ok := m.Next(); s != "hi" || !ok {
		t.Errorf("Next: got %q %v, want hi true", s, ok)
	}
	if s, ok := m.Next(); s != "none" || ok {
		t.Errorf("Next on an empty channel: got %q %v, want none false", s, ok)
	}
	m.Offer(1)
	m.Queue <- "x"
	if n := m.Drain(); n != 2 {
		t.Errorf("Drain: got %d, want 2", n)
	}
	close(m.Queue)
	if s, ok := m.Next(); s != "closed" || ok {
		t.Errorf("Next on a closed channel: got %q %v, want closed false", s, ok)
	}
}

func TestSelectOperandOrder(t *testing.T) {
	if got, want := SelectOrder(), []string{"b", "v", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SelectOrder: got %v, want %v", got, want)
	}
}
