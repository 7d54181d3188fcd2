package lang

import "time"

// Postbox holds its channels in fields, one unexported, one exported, as
// servers and pools do.
type Postbox struct {
	held  chan int
	Queue chan string
	sent  int
}

// NewPostbox returns a postbox whose channels each buffer one value.
func NewPostbox() *Postbox {
	return &Postbox{held: make(chan int, 1), Queue: make(chan string, 1)}
}

// Offer puts v in the held channel unless it is full, selecting on a send
// to a field.
func (m *Postbox) Offer(v int) bool {
	select {
	case m.held <- v:
		m.sent++
		return true
	default:
		return false
	}
}

// Take receives from the unexported field's channel, or gives up after d.
func (m *Postbox) Take(d time.Duration) int {
	select {
	case v := <-m.held:
		return v
	case <-time.After(d):
		return -1
	}
}

// Next receives from the exported field's channel with the closed check,
// or says none is ready.
func (m *Postbox) Next() (string, bool) {
	select {
	case s, ok := <-m.Queue:
		if !ok {
			return "closed", false
		}
		return s, true
	default:
		return "none", false
	}
}

// Drain receives from whichever field's channel has a value until both
// are empty, counting what it got; the select is labeled and broken out of.
func (m *Postbox) Drain() (n int) {
loop:
	for {
		select {
		case <-m.held:
			n++
		case _, ok := <-m.Queue:
			if !ok {
				break loop
			}
			n++
		default:
			break loop
		}
	}
	return n
}

// order records the evaluation order of a select's operands.
var order []string

// operand returns c after recording name in order.
func operand(name string, c chan int) chan int {
	order = append(order, name)
	return c
}

// SelectOrder returns the order in which a select evaluates its channel
// and send operands: all of them, once each, in source order.
func SelectOrder() []string {
	order = nil
	a, b := make(chan int, 1), make(chan int)
	select {
	case operand("b", b) <- len(operand("v", nil)):
	case v := <-operand("a", a):
		_ = v
	default:
	}
	return order
}
