package rewrite

import (
	"go/ast"
	"go/types"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/target/agent/fmtvalue"
)

// A value of a type that the change declares, given to fmt (or log) to
// print, reaches it without the type's methods: yaegi v0.16.1 passes it to
// a compiled parameter of type any as a value of the type it made with
// reflect. fmt would print its fields or number, not its String. Such an
// argument is given as lp_fmt.Value(x, x.String, x.Error, x.GoString,
// x.Format) instead (nil for a method the type lacks), a compiled value
// whose Format does what fmt does with those methods (package
// target/agent/fmtvalue).

// printFuncs are the packages whose functions and methods format their
// variadic arguments with fmt's rules.
var printFuncs = map[string]bool{"fmt": true, "log": true}

// fmtArgs rewrites the arguments of call, when it calls a function of
// fmt or log, whose type the change declares with methods fmt looks for.
func (r *rewriter) fmtArgs(call *ast.CallExpr) {
	if r.in.Change == nil || call.Ellipsis.IsValid() {
		return
	}
	fn := calledFunc(r.in.Info, call)
	if fn == nil || fn.Pkg() == nil || !printFuncs[fn.Pkg().Path()] {
		return
	}
	sig := fn.Type().(*types.Signature)
	if !sig.Variadic() {
		return
	}
	for i := sig.Params().Len() - 1; i < len(call.Args); i++ {
		a := call.Args[i]
		t := r.in.Info.TypeOf(a)
		methods := r.fmtMethods(t)
		if methods == nil {
			continue
		}
		r.imports[strconv.Quote(fmtvalue.Package)] = true
		r.add(a, func() string {
			args := []string{"lpV"}
			for k, has := range methods {
				if has {
					args = append(args, "lpV."+fmtMethodNames[k])
				} else {
					args = append(args, "nil")
				}
			}
			return "func(lpV " + r.typeText(t) + ") any { return " + fmtvalue.Package + "." + fmtvalue.ValueName + "(" +
				strings.Join(args, ", ") + ") }(" + r.renderNode(a) + ")"
		})
	}
}

// fmtMethodNames are the methods fmt looks for, in lp_fmt.Value's order.
var fmtMethodNames = [...]string{"String", "Error", "GoString", "Format"}

// fmtMethods reports, for t, the type of an argument, which of
// fmtMethodNames its method set has, when t is a type the change declares
// (or a pointer to one) that has one of them; nil otherwise.
func (r *rewriter) fmtMethods(t types.Type) []bool {
	named, _ := types.Unalias(t).(*types.Named)
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		named, _ = types.Unalias(p.Elem()).(*types.Named)
	}
	if named == nil || r.compiled(named) || named.Obj().Pkg() != r.in.Change.Pkg {
		return nil
	}
	ms := types.NewMethodSet(t)
	out := make([]bool, len(fmtMethodNames))
	found := false
	for i, name := range fmtMethodNames {
		if sel := ms.Lookup(r.in.Change.Pkg, name); sel != nil {
			out[i], found = true, true
		}
	}
	if !found {
		return nil
	}
	return out
}
