package change

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// statementsSrc is a package with what statements.go rewrites: the fixture
// integration/testdata/fidelity/lang/statements.go (which runs it natively and
// repatched), read as package wa.
var statementsSrc = fixtureSource("statements.go")

// TestRewriteStatements checks the forms that statements take which yaegi
// would run wrongly, and that what it runs right stays as it is.
func TestRewriteStatements(t *testing.T) {
	prog, file := loadProgram(t, statementsSrc)
	tests := map[string]struct{ want, not []string }{
		"WalkOrder": {want: []string{"case nil: {}\n", "case *Leaf: {}\n"}, not: []string{"case *Group: {}"}},
		"KindOf":    {want: []string{"default: {}\n"}, not: []string{"case string: {}"}},
		"Classify":  {want: []string{"case r == 0 || r == '|' || r == ' ':", "case r == '\\\\' ||\n\t\t// an escape\n\t\tr == '^':"}},
		"AssignPairs": {want: []string{"n, parts = (len(s)), (strings.Split(s, \",\"))", "first, rest := 1, ([]string{parts[0]})",
			"var count, total = 2, (len(parts))", "n, rest = n+first+count+total, (append(rest, parts[len(parts)-1]))",
			"return n, (append(rest, \"end\")), (strings.Join(rest, \"+\"))"}},
		"ClearBoth":        {want: []string{"p, err, s = (*Leaf)(nil), e, ([]int)(nil)"}},
		"ZoneAndRate":      {want: []string{"time.Unix(sec, 0).In((*&time.Local)).Zone()", "return name, (*&runtime.MemProfileRate) * 2"}},
		"HandlerFor":       {want: []string{"return (Handler)(nil), false"}},
		"SetSpans":         {want: []string{"(*lpAddr_lastSpan) = (Span{From: n, To: n + 1})", "(*lpField_spanHolder_span(h)) = (Span{From: -n, To: -n - 1})"}},
		"NewHolder":        {want: []string{"(*lpField_spanHolder_span(lpV)) = (Span{From: n, To: n});"}},
		"SetBoth":          {want: []string{"(*lpField_setsHolder_count(h)) = (func() *spanHolder {"}},
		"Mask":             {want: []string{"return v & ((uint32(1) << bits) - 1)"}},
		"Has":              {want: []string{"return r&(Regs(1)<<uint(i)) != 0"}},
		"NextRegs":         {want: []string{"return (r + Regs(1))"}},
		"Flagged":          {want: []string{"if (m&0x1 == 1) && (offs == 32) {", "} else if m == 0 || (offs) == 8 {"}},
		"InsertBeforeLast": {want: []string{"return append(args[:len(args)-1], []string{mask, args[len(args)-1]}...)"}},
		"CountBefore":      {want: []string{"\t{ lpLbl_Scan:\n", "\t\t} }\n\t}\n\treturn n"}},
		"IsEnd":            {want: []string{"return r == rune(0) || r == '|'"}},
		"ArgScore":         {want: []string{"if argKind&lpSelf_wa.argKind(128) == lpSelf_wa.argKind(128) {", "if argKind&lpSelf_wa.argKind(1) == lpSelf_wa.argKind(1) {"}},
		"InRange": {want: []string{"x >= (float64(-1.7976931348623157e+308))", "x < float64(4.71238898038469)"},
			not: []string{"x <= float64("}},
		"LastAssigned": {want: []string{"for lpK, lpV := range items { i, item = lpK, lpV;", "for lpK := range map[string]bool{\"only\": true} { k = lpK;",
			"for _, lpV := range \"xyz\" { c = lpV;"}},
	}
	var keys []string
	for name := range tests {
		keys = append(keys, "example.com/wa."+name)
	}
	ch, err := prog.rewriteChange(file, []byte(statementsSrc), keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range tests {
		src := ch.Funcs["example.com/wa."+name].Source
		for _, w := range tt.want {
			if !strings.Contains(src, w) {
				t.Errorf("%s: rewritten source lacks %q:\n%s", name, w, src)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(src, n) {
				t.Errorf("%s: rewritten source has %q:\n%s", name, n, src)
			}
		}
	}
}

// TestRewriteRefusesEarlyDefaultFallthrough checks that a switch whose
// early default clause a fallthrough leads into is refused, at the default
// clause, and that one no fallthrough touches is written last.
func TestRewriteRefusesEarlyDefaultFallthrough(t *testing.T) {
	prog, file := loadProgram(t, statementsSrc)
	_, err := prog.rewriteChange(file, []byte(statementsSrc), []string{"example.com/wa.FallIntoDefault"}, nil)
	var ie diag.Diagnostics
	at := strings.Index(statementsSrc, "func FallIntoDefault")
	line := strings.Count(statementsSrc[:at+strings.Index(statementsSrc[at:], "\tdefault:")], "\n") + 1
	if !errors.As(err, &ie) || len(ie) == 0 || !strings.HasPrefix(ie[0].String(), fmt.Sprintf("wa.go:%d:2: a switch whose default clause is not the last, with a fallthrough into or out of it", line)) {
		t.Errorf("FallIntoDefault: got %v, want an input error at wa.go:%d:2 for the default clause", err, line)
	}
	ch, err := prog.rewriteChange(file, []byte(statementsSrc), []string{"example.com/wa.PrefixKind"}, nil)
	if err != nil {
		t.Fatalf("PrefixKind: %v", err)
	}
	src := ch.Funcs["example.com/wa.PrefixKind"].Source
	if d, c := strings.Index(src, "default:"), strings.Index(src, "case 0x64:"); d < 0 || c < 0 || d < c {
		t.Errorf("PrefixKind: the default clause is not written last:\n%s", src)
	}
}
