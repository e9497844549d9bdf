package domainsrc

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/fdud/fdud/cluster"
)

// RenderGrid draws where the brokers sit: fault domains as rows, update
// domains as columns, broker ids in the cells; one grid per zone when the
// brokers are zonal. It is for people (stderr).
func RenderGrid(w io.Writer, d cluster.Domains) error {
	if len(d.Brokers) == 0 {
		_, err := fmt.Fprintln(w, "no brokers with a domain")
		return err
	}
	byZone := map[string][]cluster.BrokerDomain{}
	fds, uds := map[int]bool{}, map[int]bool{}
	for _, b := range d.Brokers {
		byZone[b.Zone] = append(byZone[b.Zone], b)
		fds[b.FaultDomain], uds[b.UpdateDomain] = true, true
	}
	var sb strings.Builder
	zones := slices.Sorted(maps.Keys(byZone))
	for _, z := range zones {
		if len(zones) > 1 || z != "" {
			fmt.Fprintf(&sb, "zone %s:\n", z)
		}
		writeGrid(&sb, byZone[z])
	}
	fmt.Fprintf(&sb, "%d brokers in %d fault domains and %d update domains", len(d.Brokers), len(fds), len(uds))
	if len(zones) > 1 {
		fmt.Fprintf(&sb, " across %d zones", len(zones))
	}
	sb.WriteString("\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

func writeGrid(sb *strings.Builder, brokers []cluster.BrokerDomain) {
	cells := map[[2]int][]int32{}
	fdSet, udSet := map[int]bool{}, map[int]bool{}
	for _, b := range brokers {
		k := [2]int{b.FaultDomain, b.UpdateDomain}
		cells[k] = append(cells[k], b.ID)
		fdSet[b.FaultDomain], udSet[b.UpdateDomain] = true, true
	}
	fds, uds := slices.Sorted(maps.Keys(fdSet)), slices.Sorted(maps.Keys(udSet))
	text := func(fd, ud int) string {
		ids := cells[[2]int{fd, ud}]
		if len(ids) == 0 {
			return "."
		}
		slices.Sort(ids)
		return idListCompact(ids)
	}
	width := make([]int, len(uds))
	for j, ud := range uds {
		width[j] = len(fmt.Sprintf("UD%d", ud))
		for _, fd := range fds {
			width[j] = max(width[j], len(text(fd, ud)))
		}
	}
	rowHead := 0
	for _, fd := range fds {
		rowHead = max(rowHead, len(fmt.Sprintf("FD%d", fd)))
	}
	var line strings.Builder
	endLine := func() {
		sb.WriteString(strings.TrimRight(line.String(), " "))
		sb.WriteString("\n")
		line.Reset()
	}
	fmt.Fprintf(&line, "  %*s", rowHead, "")
	for j, ud := range uds {
		fmt.Fprintf(&line, "  %-*s", width[j], fmt.Sprintf("UD%d", ud))
	}
	endLine()
	for _, fd := range fds {
		fmt.Fprintf(&line, "  %-*s", rowHead, fmt.Sprintf("FD%d", fd))
		for j, ud := range uds {
			fmt.Fprintf(&line, "  %-*s", width[j], text(fd, ud))
		}
		endLine()
	}
}

func idListCompact(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}
