package simulator

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(edit("agents", "agents: [{at: 0h, count: 5}, {at: 1h, count: 8}]")))
	f.Add([]byte("name: x\nseed: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidScenario) {
				t.Fatalf("error %v does not wrap ErrInvalidScenario", err)
			}
			return
		}
		if s.Duration <= 0 || len(s.Agents) == 0 || s.Tick <= 0 || s.AbandonGrace <= 0 ||
			!(s.AbandonTarget > 0 && s.AbandonTarget < 1) || s.outcomeSum(0) > 1+1e-9 {
			t.Fatalf("accepted an invalid scenario: %+v", s)
		}
	})
}
