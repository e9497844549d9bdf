package cluster

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// A cell of more than MaxListed brokers turns the grid into counts, marks
// tallied; up to MaxListed, ids are listed as before.
func TestGridCrowdedShowsCounts(t *testing.T) {
	var d Domains
	id := int32(1)
	for fd := range 3 {
		for ud := range 20 {
			for range 17 - fd {
				d.Brokers = append(d.Brokers, BrokerDomain{ID: id, FaultDomain: fd, UpdateDomain: ud})
				id++
			}
		}
	}
	g := NewGrid(d)
	if !g.Crowded() {
		t.Fatal("17 brokers a cell: want Crowded")
	}
	var buf bytes.Buffer
	if err := g.Write(&buf, func(id int32) string {
		switch id {
		case 1, 2:
			return strconv.Itoa(int(id)) + "!"
		case 3:
			return "3x"
		}
		return strconv.Itoa(int(id))
	}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and 3 FD rows, got:\n%s", buf.String())
	}
	for _, l := range lines {
		if len(l) > 140 {
			t.Errorf("line of %d characters:\n%s", len(l), l)
		}
	}
	if !strings.HasPrefix(lines[1], "FD0  17 (2! 1x)  17   17") || !strings.HasPrefix(lines[3], "FD2  15          15   15") {
		t.Errorf("cells are not counts:\n%s", buf.String())
	}

	d.Brokers = d.Brokers[:4] // 4 brokers in FD0 UD0: still listed
	buf.Reset()
	NewGrid(d).Write(&buf, nil)
	if want := "     UD0\nFD0  1,2,3,4\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}
