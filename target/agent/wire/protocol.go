package wire

// Request is one request to the agent. Op selects the operation; the other
// fields are its arguments.
type Request struct {
	ID            int64   `json:"id,omitempty"`
	Op            string  `json:"op"`
	Token         string  `json:"token,omitempty"`         // hello
	Patches       []Patch `json:"patches,omitempty"`       // apply
	Refs          []Ref   `json:"refs,omitempty"`          // revert, calls
	Stacks        bool    `json:"stacks,omitempty"`        // calls: count the goroutines inside each
	All           bool    `json:"all,omitempty"`           // revert
	Source        string  `json:"source,omitempty"`        // eval
	Package       string  `json:"package,omitempty"`       // eval
	TimeoutMillis int     `json:"timeoutMillis,omitempty"` // eval
	// Imports are import specs (`"strings"`, `str "strings"`) made visible
	// in the evaluation scope before Source runs (eval).
	Imports []string `json:"imports,omitempty"`
	// Frame binds frame locals for this evaluation (eval through ServeFrame).
	Frame []FrameVar `json:"frame,omitempty"`
	// Native switches live patches to their native code (native).
	Native *Native `json:"native,omitempty"`
	// Open opens the gates of Refs instead of setting them (gate).
	Open bool `json:"open,omitempty"`
	// Results, when above 1, says that Source ends with a []interface{}
	// literal holding the results of a multi-value call (eval).
	Results int `json:"results,omitempty"`
}

// Operations understood by the agent.
const (
	OpHello  = "hello"
	OpApply  = "apply"
	OpRevert = "revert"
	OpEval   = "eval"
	OpStatus = "status"
	// OpCalls answers, for each of Refs, whether the function has run and,
	// with Stacks, how many goroutines are inside a call of it now
	// (calls.go).
	OpCalls = "calls"
	// OpRelease ends the hold of a target started with EnvHold: the
	// program goes on past the init that started the agent. It does
	// nothing in a target that is not held.
	OpRelease = "release"
	// OpNative switches the interpreted patches of one change to the
	// functions of a plugin, all at once, or none (Native).
	OpNative = "native"
	// OpGate holds the calls of the interpreted patches of Refs until
	// their gates are opened (a request with Open), an apply without
	// Patch.Hold or a revert: each call waits, then runs the function's
	// patch, native once switched (see Patch.Hold).
	OpGate = "gate"
)

// Response answers the Request with the same ID. OK is false when the
// operation failed: Error says why and, for apply and revert, Failures say
// which functions failed (each names its function in Func).
type Response struct {
	ID       int64   `json:"id,omitempty"`
	OK       bool    `json:"ok"`
	Error    *Error  `json:"error,omitempty"`
	Failures []Error `json:"failures,omitempty"`
	Value    string  `json:"value,omitempty"`
	Type     string  `json:"type,omitempty"`
	Stack    string  `json:"stack,omitempty"` // eval: interpreted stack of a panic
	// Running says, for an eval still running after its time limit, where
	// it waits (the error then says so too).
	Running *RunningInput `json:"running,omitempty"`
	// Ended lists the inputs once answered with Running that have ended
	// since the previous eval (each is reported once).
	Ended   []EndedInput  `json:"ended,omitempty"`
	Patched []PatchedFunc `json:"patched,omitempty"`
	Funcs   int           `json:"funcs,omitempty"` // status: table size
	Calls   []FuncCalls   `json:"calls,omitempty"` // calls
}

// FrameVar binds one local of the paused frame for an evaluation made with
// ServeFrame.
type FrameVar struct {
	// Name is the symbol in package lp_frame.
	Name string `json:"name"`
	// Type is the variable's Go type, written as the evaluation's scope
	// names it (the frame's package unqualified).
	Type string `json:"type"`
	// Arg is the index of the variable's address among ServeFrame's
	// address arguments.
	Arg int `json:"arg"`
}

// FuncCalls is what the agent knows of the calls of one patchable
// function.
type FuncCalls struct {
	Key string `json:"key"`
	// Ran says that the function has been called since the program
	// started.
	Ran bool `json:"ran,omitempty"`
	// Running counts the goroutines inside a call of the function now
	// (the compiled function's frame is on their stack), when the
	// request asked for stacks.
	Running int `json:"running,omitempty"`
}

// RunningInput describes an input that still runs after its time limit.
type RunningInput struct {
	// ID numbers the inputs the agent gave up waiting for, from 1.
	ID int `json:"id"`
	// BlockedIn is the function the input's goroutine waits in: the
	// innermost frame outside the runtime, such as sync.(*Mutex).Lock.
	BlockedIn string `json:"blockedIn,omitempty"`
	// Called is the compiled function the interpreter called, when it is
	// not BlockedIn (which it called in turn).
	Called string `json:"called,omitempty"`
}

// EndedInput is the outcome of an input that ended after its evaluation
// was answered with a *RunningError.
type EndedInput struct {
	ID    int    `json:"id"`
	Error string `json:"error,omitempty"` // a panic of the part that ran
}
