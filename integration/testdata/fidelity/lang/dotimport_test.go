package lang

import (
	"testing"
	"time"
)

func TestDotImport(t *testing.T) {
	if d, over := Minutes(90); d != 90*time.Minute || !over {
		t.Errorf("Minutes(90) = %v, %v", d, over)
	}
	if got := DayOf(2024, time.February, 30); got != 1 {
		t.Errorf("DayOf(2024, February, 30) = %d, want 1", got)
	}
}
