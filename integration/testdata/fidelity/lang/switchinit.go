package lang

import "strings"

// A switch with an init statement whose tag uses the init statement's
// variable, assigning an outer variable in a clause
// (x/net/html's inBodyIM: switch n := p.oe.top(); n.DataAtom { case
// a.Pre, a.Listing: ... d = d[1:] }).

type elemKind uint32

const (
	kindPre     elemKind = 0x10
	kindListing elemKind = 0x20
)

type elem struct {
	Kind       elemKind
	FirstChild *elem
}

type elemStack []*elem

func (s *elemStack) top() *elem {
	if i := len(*s); i > 0 {
		return (*s)[i-1]
	}
	return nil
}

type textParser struct {
	open elemStack
	out  string
}

// AddText adds d to p, less the newline that starts a pre or listing
// block.
func AddText(p *textParser, d string) {
	switch n := p.open.top(); n.Kind {
	case kindPre, kindListing:
		if n.FirstChild == nil {
			if d != "" && d[0] == '\r' {
				d = d[1:]
			}
			if d != "" && d[0] == '\n' {
				d = d[1:]
			}
		}
	}
	p.out += strings.Replace(d, "\x00", "", -1)
}

// TrimIfLong trims s when the init statement's pointer says it is long.
func TrimIfLong(s string) string {
	d := s
	switch q := &s; len(*q) {
	case 5:
		d = d[1:]
	}
	return d
}
