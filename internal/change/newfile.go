package change

import (
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// NewFile reports whether file, a Go file that is new since the build in
// the directory of one of its packages, joins that package's changes: it
// does when its package clause names the directory's package and the
// build constraints keep it (for this system, without custom tags). Then
// its declarations are planned as the same declarations in a file of the
// build would be. Otherwise the diagnostic says why not: a file that does
// not parse, or another package (the next build fails), or a file the
// constraints leave out.
func (b *Build) NewFile(file string, src []byte) (diag.Diagnostic, bool) {
	base := filepath.Base(file)
	at := token.Position{Filename: base}
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.PackageClauseOnly)
	if err != nil {
		if ds, ok := syntaxDiagnostics(err).(diag.Diagnostics); ok && len(ds) > 0 {
			return ds[0], false
		}
		return diag.Diagnostic{Pos: at, Kind: diag.Syntax, Msg: err.Error()}, false
	}
	pkg, _ := b.PackageOf(file)
	name, dirName := f.Name.Name, b.PackageName(pkg)
	if dirName != "" && name != dirName {
		return diag.Diagnostic{Pos: at, Kind: diag.Type, Msg: fmt.Sprintf("new file of package %s in the directory of package %s: a directory holds one package, so the next build fails", name, dirName)}, false
	}
	if ok, err := build.Default.MatchFile(filepath.Dir(file), base); err == nil && !ok {
		return diag.Diagnostic{Pos: at, Kind: diag.Type, Msg: "not part of this build (its build constraints leave it out)"}, false
	}
	return diag.Diagnostic{}, true
}
