package change

// The plan tests' helpers, for the tests of package change_test, which
// reach package change/frame (it imports change).
var (
	PlanChecker = planChecker
	PlanSave    = planSave
	PlanFiles   = planFiles
)
