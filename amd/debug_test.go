package amd

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugTrace(t *testing.T) {
	path := os.Getenv("AMD_TRACE")
	if path == "" {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	d := New(Config{})
	d.trace = func(blk int, db, floor, hz, purity float64, speech, tonal bool) {
		fmt.Printf("%5d %6.1f %6.1f %7.1f %5.2f %v %v\n", blk*10, db, floor, hz, purity, speech, tonal)
	}
	for _, v := range Classify(d, s, 0) {
		fmt.Printf("%+v\n", v)
	}
}
