package change

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/rewrite"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// LiveVar is a package variable that a save declared anew and made live:
// the agent holds it, initialized once (wire.Var).
type LiveVar struct {
	Text string // its spec as declared then
	Type string // its type, relative to its package
}

// NewVar is a package variable that a plan makes live.
type NewVar struct {
	Key  string // "path.name", the key of Save.Vars
	Name string
	LiveVar
	obj *types.Var
}

// splitVars sorts the variables a save declares anew or changes: those to
// make live (not live yet), and those whose changed declaration is judged
// once the package is checked (compiled ones, and live ones declared
// otherwise now). A live variable declared as before is left alone.
func splitVars(vcs []classify.VarChange, live map[string]LiveVar) (send []string, judge []classify.VarChange) {
	for _, vc := range vcs {
		switch vc.Kind {
		case classify.VarInit:
			judge = append(judge, vc)
			continue
		case classify.VarRemoved:
			continue
		}
		lv, ok := live[vc.Cur.PkgPath+"."+vc.Name]
		switch {
		case !ok:
			send = append(send, vc.Name)
		case classify.Squeeze(lv.Text) != classify.Squeeze(vc.Cur.Values[vc.Name].Text):
			judge = append(judge, vc)
		}
	}
	return send, judge
}

// judgeVars refuses the changed variables whose type changed and notes the
// others: they keep their value, since their initializer ran once (at
// start-up, or when a save made them live), and the note shows the prompt
// input that sets them now.
func (prog *Program) judgeVars(ch *Change, judge []classify.VarChange, live map[string]LiveVar) (notes, refusals diag.Diagnostics) {
	for _, vc := range judge {
		v := vc.Cur.Values[vc.Name]
		fresh, ok := ch.fresh.Scope().Lookup(vc.Name).(*types.Var)
		if !ok {
			continue
		}
		now := types.TypeString(fresh.Type(), types.RelativeTo(ch.fresh))
		was, when := live[vc.Cur.PkgPath+"."+vc.Name].Type, "when a save made it live"
		same := was == now
		if vc.Kind == classify.VarInit {
			when = "at start-up"
			if old, ok := prog.pkgs[vc.Cur.PkgPath].Scope().Lookup(vc.Name).(*types.Var); ok {
				was = types.TypeString(old.Type(), types.RelativeTo(old.Pkg()))
				same = identicalAcross(old.Type(), fresh.Type()) // identical.go: `any` is `interface{}`
			}
		}
		at := vc.Cur.Position(v.Pos)
		if !same {
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedRestart,
				Msg: fmt.Sprintf("type of variable %s changed (%s to %s)", vc.Name, was, now)})
			continue
		}
		msg := fmt.Sprintf("%s keeps its value: its initializer ran once, %s", vc.Name, when)
		if set := vc.Cur.Assignment(v); set != "" {
			msg += "; to set it now, evaluate: " + set
		}
		notes = append(notes, diag.Diagnostic{Pos: at, Kind: diag.Note, Msg: msg})
	}
	return notes, refusals
}

// newVars returns the variables of ch.Vars as the plan makes them live.
func newVars(ch *Change, vcs []classify.VarChange, send []string) []NewVar {
	sent := set(send)
	var out []NewVar
	for _, vc := range vcs {
		fresh, ok := ch.fresh.Scope().Lookup(vc.Name).(*types.Var)
		if !sent[vc.Name] || vc.Kind != classify.VarNew && vc.Kind != classify.VarRetyped || !ok {
			continue
		}
		out = append(out, NewVar{Key: vc.Cur.PkgPath + "." + vc.Name, Name: vc.Name, obj: fresh,
			LiveVar: LiveVar{Text: vc.Cur.Values[vc.Name].Text, Type: types.TypeString(fresh.Type(), types.RelativeTo(ch.fresh))}})
	}
	return out
}

// retypedVars decides the compiled variables whose declared type the save
// changes and that are not live yet (send): each becomes a new variable of
// the patched code, its initializer run once when the change goes live,
// when every compiled function that uses it is patched (patched, as
// removedVars says); the compiled variable stays, for the compiled code
// that ran before (closures it made keep it). Otherwise it is refused.
func (b *Build) retypedVars(ctx context.Context, prog *Program, ch *Change, vcs []classify.VarChange, send []string, patched map[string]bool) (notes, refusals diag.Diagnostics) {
	sent := set(send)
	for _, vc := range vcs {
		if vc.Kind != classify.VarRetyped || !sent[vc.Name] {
			continue
		}
		at := vc.Cur.Position(vc.Cur.Values[vc.Name].Pos)
		was := ""
		if old, ok := prog.pkgs[vc.Cur.PkgPath].Scope().Lookup(vc.Name).(*types.Var); ok {
			was = types.TypeString(old.Type(), types.RelativeTo(old.Pkg()))
		}
		now := ""
		if fresh, ok := ch.fresh.Scope().Lookup(vc.Name).(*types.Var); ok {
			now = types.TypeString(fresh.Type(), types.RelativeTo(ch.fresh))
		}
		uses, elsewhere, ok := b.users(ctx, vc.Cur.PkgPath, vc.Name)
		unpatched, keys := b.unpatchedUsers(uses, patched)
		switch {
		case !ok || elsewhere:
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedRestart, Msg: fmt.Sprintf("type of variable %s changed (%s to %s)", vc.Name, was, now)})
		case len(unpatched) > 0:
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedUnpatched, Edits: b.funcsPackage(keys), Unpatched: strings.Join(keys, " "),
				Msg: fmt.Sprintf("type of variable %s changed (%s to %s) and compiled code uses it (%s)", vc.Name, was, now, strings.Join(unpatched, ", "))})
		default:
			notes = append(notes, diag.Diagnostic{Pos: at, Kind: diag.Note,
				Msg: fmt.Sprintf("type of variable %s changed (%s to %s): patched code uses a new variable, initialized now; compiled code that ran before (closures it made) keeps the old one", vc.Name, was, now)})
		}
	}
	return notes, refusals
}

// removedVars notes the compiled variables a save removes, which stay in
// the program, unused, and refuses those that compiled code the save
// leaves unpatched still uses; patched are the functions that the save
// patches or removes, or that saves made live (patchedSet).
func (b *Build) removedVars(ctx context.Context, vcs []classify.VarChange, patched map[string]bool) (notes, refusals diag.Diagnostics) {
	for _, vc := range vcs {
		if vc.Kind != classify.VarRemoved {
			continue
		}
		at := vc.Cur.Position(vc.Cur.Syntax.Name.Pos())
		uses, elsewhere, ok := b.users(ctx, vc.Cur.PkgPath, vc.Name)
		unpatched, keys := b.unpatchedUsers(uses, patched)
		switch {
		case !ok || elsewhere:
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedRestart, Msg: fmt.Sprintf("variable %s removed", vc.Name)})
		case len(unpatched) > 0:
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedUnpatched, Edits: b.funcsPackage(keys), Unpatched: strings.Join(keys, " "),
				Msg: fmt.Sprintf("variable %s removed and compiled code uses it (%s)", vc.Name, strings.Join(unpatched, ", "))})
		default:
			notes = append(notes, diag.Diagnostic{Pos: at, Kind: diag.Note, Msg: fmt.Sprintf("variable %s removed: the compiled variable stays in the program, unused", vc.Name)})
		}
	}
	return notes, refusals
}

// rewriteVars rewrites the specs that declare the variables named in send
// into the change's Vars, in the order Go initializes them, and adds the
// import specs they need to imports. A variable of a type the change
// declares is refused: the agent makes it before it compiles the change.
func (s *savedChange) rewriteVars(send map[string]bool, imports map[string]bool) error {
	order := map[*types.Var]int{}
	for i, in := range s.info.InitOrder {
		for _, v := range in.Lhs {
			order[v] = i + 1
		}
	}
	type specAt struct {
		sf   *savedFile
		spec *ast.ValueSpec
		at   int // first place in the initialization order, 0 for none
	}
	var specs []specAt
	for _, sf := range s.files {
		for _, d := range sf.f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					vs := sp.(*ast.ValueSpec)
					at, sends := 0, false
					for _, n := range vs.Names {
						sends = sends || send[n.Name]
						if v, ok := s.info.Defs[n].(*types.Var); ok && order[v] > 0 && (at == 0 || order[v] < at) {
							at = order[v]
						}
					}
					if sends {
						specs = append(specs, specAt{sf, vs, at})
					}
				}
			}
		}
	}
	sort.SliceStable(specs, func(a, b int) bool { return specs[a].at < specs[b].at })
	for _, sp := range specs {
		v, err := s.rewriteVar(sp.sf, sp.spec, imports)
		if err != nil {
			return err
		}
		s.ch.Vars = append(s.ch.Vars, v)
	}
	return nil
}

// rewriteVar rewrites one spec of new variables of sf.
func (s *savedChange) rewriteVar(sf *savedFile, spec *ast.ValueSpec, imports map[string]bool) (wire.Var, error) {
	d := &ast.GenDecl{Tok: token.VAR, TokPos: spec.Pos(), Specs: []ast.Spec{spec}}
	in := declInput(sf.ref(s), s.info, sf.src, d, s.fresh, s.prog.importNames(sf.f), s.ci)
	rw, err := s.prog.Rewrite(in, false)
	if err != nil {
		return wire.Var{}, positioned(err, sf.base, s.prog.fset.Position(d.Pos()).Line-1)
	}
	v := wire.Var{Spec: rw.Src}
	qualify := func(p *types.Package) string {
		if p.Path() == s.fresh.Path() {
			return "" // the patches' own package, imported with a dot
		}
		imports[s.prog.spec(p.Path(), p.Name())] = true
		return p.Name()
	}
	for _, n := range spec.Names {
		v.Names = append(v.Names, n.Name)
		obj, _ := s.info.Defs[n].(*types.Var)
		if n.Name == "_" || obj == nil {
			v.Types, v.Keys = append(v.Types, ""), append(v.Keys, "")
			continue
		}
		if name := s.declaredType(obj.Type()); name != "" {
			p := s.prog.fset.Position(n.Pos())
			return wire.Var{}, diag.Diagnostics{{Pos: token.Position{Filename: sf.base, Line: p.Line, Column: p.Column}, Kind: diag.RefusedRestart,
				Msg: fmt.Sprintf("new variable %s has type %s, which this change declares", n.Name, name)}}
		}
		v.Types = append(v.Types, types.TypeString(obj.Type(), qualify))
		v.Keys = append(v.Keys, rewrite.VarKey(obj))
	}
	for _, spec := range rw.Imports {
		imports[spec] = true
	}
	return v, nil
}

// declaredType returns the name of a type that the change declares anew
// (the build has none of that name) which t is made of, or "".
func (s *savedChange) declaredType(t types.Type) string {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) string
	walk = func(t types.Type) string {
		t = types.Unalias(t)
		if seen[t] {
			return ""
		}
		seen[t] = true
		var parts []types.Type
		switch t := t.(type) {
		case *types.Named:
			if t.Obj().Pkg() == s.fresh && !s.ci.CompiledType(t.Obj().Name()) {
				return t.Obj().Name()
			}
			for i := 0; i < t.TypeArgs().Len(); i++ {
				parts = append(parts, t.TypeArgs().At(i))
			}
		case *types.Pointer:
			parts = append(parts, t.Elem())
		case *types.Slice:
			parts = append(parts, t.Elem())
		case *types.Array:
			parts = append(parts, t.Elem())
		case *types.Chan:
			parts = append(parts, t.Elem())
		case *types.Map:
			parts = append(parts, t.Key(), t.Elem())
		case *types.Struct:
			for i := 0; i < t.NumFields(); i++ {
				parts = append(parts, t.Field(i).Type())
			}
		case *types.Signature:
			for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
				for i := 0; i < tu.Len(); i++ {
					parts = append(parts, tu.At(i).Type())
				}
			}
		}
		for _, p := range parts {
			if name := walk(p); name != "" {
				return name
			}
		}
		return ""
	}
	return walk(t)
}

// VarsLive records the package variables a plan made live, so that the
// prompt's inputs see them as variables of their package.
func (p *Program) VarsLive(vars []NewVar) {
	p.liveMu.Lock()
	defer p.liveMu.Unlock()
	if p.liveVars == nil {
		p.liveVars = map[string]*types.Var{}
	}
	for _, v := range vars {
		if _, ok := p.liveVars[v.Key]; !ok {
			p.liveVars[v.Key] = v.obj
		}
	}
}

// ForgetVars forgets the variables saves made live: the program they
// lived in is gone.
func (p *Program) ForgetVars() {
	p.liveMu.Lock()
	defer p.liveMu.Unlock()
	clear(p.liveVars)
}

// AddLiveVars adds the live variables of pkg's package to its scope,
// those it does not declare.
func (p *Program) AddLiveVars(pkg *types.Package) {
	p.liveMu.Lock()
	defer p.liveMu.Unlock()
	for key, v := range p.liveVars {
		if key == pkg.Path()+"."+v.Name() && pkg.Scope().Lookup(v.Name()) == nil {
			pkg.Scope().Insert(v)
		}
	}
}
