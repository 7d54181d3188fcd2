// Package usermod describes the user's main module or workspace as the
// patchable build sees it: which directories and packages are the user's
// (Find, Modules.IsUserFile, Modules.IsUserPackage, Modules.PackageDirs),
// which dependency packages the root may register, and how a build makes
// the agent module resolvable without touching the user's files
// (AgentModuleDir writes the agent module, Modules.Plumb the alternate
// go.mod and go.sum, or go.work, that require it).
//
// In module mode the build uses -modfile with an alternate go.mod (the
// user's, plus require and replace of github.com/livepatch/livepatch to the
// agent module) and go.sum, and -mod=mod. In workspace mode it uses an
// alternate go.work (GOWORK) that adds the agent module. When the user's
// module is livepatch itself nothing is added. When the agent module needs
// a newer go version than the user's go.mod (or go.work) states, the
// alternate file states the agent's and keeps the program's semantics with
// a godebug default for the user's version and a -lang flag for the main
// module's packages.
//
// It knows nothing of the build's generated files, debugging or DAP; the
// builder, internal/patcher, is its one user.
package usermod
