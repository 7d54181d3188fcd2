package lang

import . "time"

// Names a dot import brings in, in a signature and a body
// (expr-lang/expr's checker and types packages import checker/nature
// with a dot): without the file's import, the interpreter found them
// undefined ("constant definition loop").

// Minutes returns n minutes as a Duration, and whether it is over an
// hour.
func Minutes(n int) (Duration, bool) {
	d := Duration(n) * Minute
	return d, d > Hour
}

// DayOf returns the day of the month of a date in UTC.
func DayOf(year int, month Month, day int) int {
	return Date(year, month, day, 0, 0, 0, 0, UTC).Day()
}
