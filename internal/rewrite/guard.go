package rewrite

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent"
)

// guardDecls starts the body of every function and method the input
// declares with the agent's depth guard (target/agent/guard.go), on the
// line of its `{`: a runaway recursion then panics with a clear error
// instead of overflowing the goroutine's stack, which would kill the
// program. Functions of saved changes are not guarded.
func (r *rewriter) guardDecls() {
	if !r.in.Decls {
		return
	}
	const prefix = "package p\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+r.in.Src, parser.SkipObjectResolution)
	if err != nil {
		return
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		name := strconv.Quote(guardName(fd))
		at := fset.Position(fd.Body.Lbrace).Offset - len(prefix)
		guard := "{" + agent.GuardPackage + "." + agent.GuardEnter + "(" + name + "); defer " +
			agent.GuardPackage + "." + agent.GuardLeave + "(" + name + ");"
		r.cands = append(r.cands, &candidate{node: fd.Body, from: at, to: at + 1, gen: func() string { return guard }})
	}
	r.imports[strconv.Quote(agent.GuardPackage)] = true
}

// guardName names a declared function as the guard counts it: f, or T.m for
// a method.
func guardName(fd *ast.FuncDecl) string {
	recv, _, _, ok := patcher.ReceiverBase(fd)
	if !ok || recv == "?" {
		return fd.Name.Name
	}
	return recv + "." + fd.Name.Name
}
