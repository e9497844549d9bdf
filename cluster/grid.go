package cluster

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// GridCell is one cell of the FD x UD grid: the brokers of one zone, fault
// domain and update domain.
type GridCell struct {
	Zone         string  `json:"zone"`
	FaultDomain  int     `json:"fault_domain"`
	UpdateDomain int     `json:"update_domain"`
	Brokers      []int32 `json:"brokers"`
}

// Grid lays brokers out by fault domain (rows) and update domain (columns),
// one table per zone. It is how an operator sees at a glance which brokers
// share a rack or a maintenance window; generate, verify and domains print it.
type Grid struct {
	Cells []GridCell // sorted by zone, fault domain, update domain; brokers sorted
}

// NewGrid builds the grid of every broker in d.
func NewGrid(d Domains) Grid {
	type key struct {
		zone   string
		fd, ud int
	}
	byCell := map[key][]int32{}
	for _, b := range d.Brokers {
		k := key{b.Zone, b.FaultDomain, b.UpdateDomain}
		byCell[k] = append(byCell[k], b.ID)
	}
	var g Grid
	for k, ids := range byCell {
		slices.Sort(ids)
		g.Cells = append(g.Cells, GridCell{Zone: k.zone, FaultDomain: k.fd, UpdateDomain: k.ud, Brokers: ids})
	}
	slices.SortFunc(g.Cells, func(a, b GridCell) int {
		return cmp.Or(cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.FaultDomain, b.FaultDomain),
			cmp.Compare(a.UpdateDomain, b.UpdateDomain))
	})
	return g
}

// Write renders the grid as text tables: rows FD, columns UD, each cell the
// broker ids (comma-separated, "." when empty). label, when not nil, renders
// a broker id, so callers can mark dead or excluded brokers.
func (g Grid) Write(w io.Writer, label func(id int32) string) error {
	if label == nil {
		label = func(id int32) string { return strconv.Itoa(int(id)) }
	}
	var zones []string
	for _, c := range g.Cells {
		zones = append(zones, c.Zone)
	}
	zones = slices.Compact(zones) // cells are sorted by zone
	if len(zones) == 0 {
		_, err := fmt.Fprintln(w, "(no brokers)")
		return err
	}
	for i, z := range zones {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if len(zones) > 1 || z != "" {
			if _, err := fmt.Fprintf(w, "zone %q:\n", z); err != nil {
				return err
			}
		}
		if err := g.writeZone(w, z, label); err != nil {
			return err
		}
	}
	return nil
}

func (g Grid) writeZone(w io.Writer, zone string, label func(int32) string) error {
	var fds, uds []int
	cells := map[[2]int][]int32{}
	for _, c := range g.Cells {
		if c.Zone != zone {
			continue
		}
		fds = append(fds, c.FaultDomain)
		uds = append(uds, c.UpdateDomain)
		cells[[2]int{c.FaultDomain, c.UpdateDomain}] = c.Brokers
	}
	slices.Sort(fds)
	slices.Sort(uds)
	fds, uds = slices.Compact(fds), slices.Compact(uds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var b strings.Builder
	b.WriteString("\t")
	for _, u := range uds {
		fmt.Fprintf(&b, "UD%d\t", u)
	}
	fmt.Fprintln(tw, strings.TrimRight(b.String(), "\t"))
	for _, f := range fds {
		b.Reset()
		fmt.Fprintf(&b, "FD%d\t", f)
		for _, u := range uds {
			ids := cells[[2]int{f, u}]
			if len(ids) == 0 {
				b.WriteString(".\t")
				continue
			}
			for i, id := range ids {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(label(id))
			}
			b.WriteString("\t")
		}
		fmt.Fprintln(tw, strings.TrimRight(b.String(), "\t"))
	}
	return tw.Flush()
}
