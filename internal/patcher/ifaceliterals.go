package patcher

import (
	"bytes"
	"go/types"
	"sort"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// ifaceLiteralSymbols adds to syms, for each interface type written as a
// literal with methods that pkg's code names (info), its compiled type
// under its naming.IfaceLiteral symbol, so that interpreted code asserts
// to the compiled type: an assertion to the interface yaegi makes of the
// literal never matches a compiled value (testify's t.(tHelper), an alias
// of interface{ Helper() }; BurntSushi/toml's ErrorWithUsage). A literal
// whose methods' types cannot be named in pkg is left out.
func ifaceLiteralSymbols(pkg *types.Package, info *types.Info, imports *naming.Imports, syms *bytes.Buffer, skipped func(name, why string)) {
	if info == nil {
		return
	}
	found := map[string]types.Type{}
	for _, tv := range info.Types {
		if !tv.IsType() {
			continue
		}
		if name, ok := naming.IfaceLiteral(tv.Type); ok {
			found[name] = types.Unalias(tv.Type)
		}
	}
	names := make([]string, 0, len(found))
	for name := range found {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := found[name]
		if pkg.Scope().Lookup(name) != nil {
			skipped(name, "name taken")
			continue
		}
		if !naming.Nameable(t, pkg) {
			skipped(name, "interface literal cannot be named here")
			continue
		}
		syms.WriteString(symEntry(name, "(*"+types.TypeString(t, imports.Qualifier)+")(nil)", symValue))
	}
}
