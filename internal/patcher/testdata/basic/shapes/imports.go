package shapes

import (
	"reflect"
	atomic2 "sync/atomic"
)

var calls atomic2.Int64

// KindOf uses packages the prologue also imports, under the usual names.
func KindOf(v interface{}) string {
	calls.Add(1)
	return reflect.TypeOf(v).Kind().String()
}
