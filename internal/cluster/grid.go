package cluster

import (
	"cmp"
	"fmt"
	"io"
	"maps"
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

// MaxListed is the most brokers a grid cell lists by id. A cell that holds
// more (1,000 brokers on 3 x 20 domains is 17 a cell) makes Write show how
// many brokers each cell holds instead, so that a row fits on a screen.
const MaxListed = 4

// Crowded reports whether a cell holds more than MaxListed brokers.
func (g Grid) Crowded() bool {
	for _, c := range g.Cells {
		if len(c.Brokers) > MaxListed {
			return true
		}
	}
	return false
}

// Write renders the grid as text tables: rows FD, columns UD, each cell the
// broker ids (comma-separated, "." when empty), or, when the grid is
// Crowded, their number. label, when not nil, renders a broker id, so
// callers can mark dead or excluded brokers; a count tallies the marks:
// "17 (2!)".
func (g Grid) Write(w io.Writer, label func(id int32) string) error {
	if label == nil {
		label = func(id int32) string { return strconv.Itoa(int(id)) }
	}
	cell := ListCell(label)
	if g.Crowded() {
		cell = CountCell(label)
	}
	return g.WriteCells(w, cell)
}

// ListCell renders a cell as its broker ids, each rendered by label.
func ListCell(label func(id int32) string) func(GridCell) string {
	return func(c GridCell) string {
		var b strings.Builder
		for i, id := range c.Brokers {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(label(id))
		}
		return b.String()
	}
}

// CountCell renders a cell as its number of brokers, followed by how many
// carry each mark label adds to an id: "17 (2! 1x)".
func CountCell(label func(id int32) string) func(GridCell) string {
	return func(c GridCell) string {
		marks := map[string]int{}
		for _, id := range c.Brokers {
			if m := strings.TrimPrefix(label(id), strconv.Itoa(int(id))); m != "" {
				marks[m]++
			}
		}
		s := strconv.Itoa(len(c.Brokers))
		if len(marks) == 0 {
			return s
		}
		var ms []string
		for _, m := range slices.Sorted(maps.Keys(marks)) {
			ms = append(ms, fmt.Sprintf("%d%s", marks[m], m))
		}
		return s + " (" + strings.Join(ms, " ") + ")"
	}
}

// WriteCells renders the grid, one table per zone (see Zones), rows fault
// domains and columns update domains, each non-empty cell rendered by cell
// ("." for an empty one).
func (g Grid) WriteCells(w io.Writer, cell func(GridCell) string) error {
	zones := g.Zones()
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
		if err := g.writeZone(w, z, cell); err != nil {
			return err
		}
	}
	return nil
}

// Zones lists the zones of the grid's cells, sorted.
func (g Grid) Zones() []string {
	var zones []string
	for _, c := range g.Cells {
		zones = append(zones, c.Zone)
	}
	return slices.Compact(zones) // cells are sorted by zone
}

// Zone returns the cells of one zone by fault domain and update domain,
// and the fault and update domains that have cells there, sorted.
func (g Grid) Zone(zone string) (cells map[[2]int]GridCell, fds, uds []int) {
	cells = map[[2]int]GridCell{}
	for _, c := range g.Cells {
		if c.Zone != zone {
			continue
		}
		fds = append(fds, c.FaultDomain)
		uds = append(uds, c.UpdateDomain)
		cells[[2]int{c.FaultDomain, c.UpdateDomain}] = c
	}
	slices.Sort(fds)
	slices.Sort(uds)
	return cells, slices.Compact(fds), slices.Compact(uds)
}

func (g Grid) writeZone(w io.Writer, zone string, cell func(GridCell) string) error {
	cells, rows, cols := g.Zone(zone)
	rowName, colName := "FD", "UD"
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var b strings.Builder
	b.WriteString("\t")
	for _, k := range cols {
		fmt.Fprintf(&b, "%s%d\t", colName, k)
	}
	fmt.Fprintln(tw, strings.TrimRight(b.String(), "\t"))
	for _, r := range rows {
		b.Reset()
		fmt.Fprintf(&b, "%s%d\t", rowName, r)
		for _, k := range cols {
			c, ok := cells[[2]int{r, k}]
			if !ok || len(c.Brokers) == 0 {
				b.WriteString(".\t")
				continue
			}
			b.WriteString(cell(c))
			b.WriteString("\t")
		}
		fmt.Fprintln(tw, strings.TrimRight(b.String(), "\t"))
	}
	return tw.Flush()
}
