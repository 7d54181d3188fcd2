package main

import (
	"testing"
	"time"
)

func TestPhaseClock(t *testing.T) {
	c := newPhaseClock()
	base := c.start
	c.Write([]byte("loading packages\n"))
	c.Write([]byte("instrum"))
	c.Write([]byte("enting 3 packages\ngo: downloading nothing\nbuil"))
	c.Write([]byte("ding /tmp/x\n"))
	load, instrument, build := c.durations(base.Add(time.Hour))
	if load < 0 || instrument < 0 || build <= 0 {
		t.Errorf("durations = %v, %v, %v; want all set", load, instrument, build)
	}
	if total := load + instrument + build; total != time.Hour {
		t.Errorf("phases add up to %v, want 1h", total)
	}
	if l, i, b := newPhaseClock().durations(time.Now()); l != 0 || i != 0 || b != 0 {
		t.Errorf("durations without phase lines = %v, %v, %v; want zeros", l, i, b)
	}
}
