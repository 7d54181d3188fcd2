package lang

// A func value returned by a compiled call, stored in an unexported field
// (x/net/html's resetInsertionMode: p.im = p.templateStack.top()).

type pmode func(*pparser) string

type pmodeStack []pmode

func (s *pmodeStack) top() pmode {
	if i := len(*s); i > 0 {
		return (*s)[i-1]
	}
	return nil
}

type pparser struct {
	stack []int
	im    pmode
	modes pmodeStack
	ctx   *int
}

func modeA(*pparser) string { return "A" }
func modeB(*pparser) string { return "B" }
func modeT(*pparser) string { return "T" }

// ResetMode sets p.im as x/net/html's resetInsertionMode does.
func (p *pparser) ResetMode() {
	for i := len(p.stack) - 1; i >= 0; i-- {
		n := p.stack[i]
		last := i == 0
		if last && p.ctx != nil {
			n = *p.ctx
		}
		switch n {
		case 1, 2:
			p.im = modeA
		case 3:
			if n < 0 {
				continue
			}
			p.im = p.modes.top()
		default:
			if last {
				p.im = modeB
				return
			}
			continue
		}
		return
	}
}

// AssignVariants stores the top mode in three ways.
func (p *pparser) AssignVariants() (a, b, c bool) {
	x := p.modes.top()
	p.im = x
	a = p.im != nil
	p.im = nil
	p.im = pmode(p.modes.top())
	b = p.im != nil
	p.im = nil
	var q pparser
	q.im = p.modes.top()
	c = q.im != nil
	return
}
