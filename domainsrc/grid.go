package domainsrc

import (
	"fmt"
	"io"

	"github.com/fdud/fdud/internal/cluster"
)

// RenderGrid draws where the brokers sit (cluster.Grid: fault domains as
// rows, update domains as columns, one table per zone) followed by a count.
// It is for people (stderr).
func RenderGrid(w io.Writer, d cluster.Domains) error {
	if len(d.Brokers) == 0 {
		_, err := fmt.Fprintln(w, "no brokers with a domain")
		return err
	}
	if err := cluster.NewGrid(d).Write(w, nil); err != nil {
		return err
	}
	fds, uds, zones := map[int]bool{}, map[int]bool{}, map[string]bool{}
	for _, b := range d.Brokers {
		fds[b.FaultDomain], uds[b.UpdateDomain], zones[b.Zone] = true, true, true
	}
	summary := fmt.Sprintf("%d brokers in %d fault domains and %d update domains", len(d.Brokers), len(fds), len(uds))
	if len(zones) > 1 {
		summary += fmt.Sprintf(" across %d zones", len(zones))
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}
