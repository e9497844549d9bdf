package domainsrc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// ParseFDUD parses the convention shared by the ZooKeeper store and
// broker.rack: "FD<n>UD<m>" (letters in any case, surrounding space ignored).
func ParseFDUD(s string) (cluster.Domain, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(t, "FD")
	if !ok {
		return cluster.Domain{}, cluster.Invalidf("%q is not of the form FD<n>UD<m>", s)
	}
	fdText, udText, ok := strings.Cut(rest, "UD")
	if !ok {
		return cluster.Domain{}, cluster.Invalidf("%q is not of the form FD<n>UD<m>", s)
	}
	fd, err := domainNumber(fdText)
	if err != nil {
		return cluster.Domain{}, cluster.Invalidf("%q: fault domain: %w", s, err)
	}
	ud, err := domainNumber(udText)
	if err != nil {
		return cluster.Domain{}, cluster.Invalidf("%q: update domain: %w", s, err)
	}
	return cluster.Domain{FaultDomain: fd, UpdateDomain: ud}, nil
}

// domainNumber parses a fault or update domain written as decimal digits.
func domainNumber(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			if r == '-' {
				return 0, fmt.Errorf("%q is negative", s)
			}
			return 0, fmt.Errorf("%q is not a non-negative integer", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > MaxDomain {
		return 0, fmt.Errorf("%q is larger than %d", s, MaxDomain)
	}
	return n, nil
}

// brokerID parses a broker id written as decimal digits.
func brokerID(s string) (int32, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("broker id %q is not an integer", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("broker id %d is negative", n)
	}
	return int32(n), nil
}

// jsonDomainNumber reads a domain given as a JSON number or a JSON string
// holding one (HDInsight and older tools write either).
func jsonDomainNumber(raw json.RawMessage) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, fmt.Errorf("missing")
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
	} else {
		s = string(raw)
	}
	return domainNumber(s)
}

// DefaultRackPattern reads broker.rack values such as "FD0UD2".
const DefaultRackPattern = `FD(\d+)UD(\d+)`

// RackPattern extracts a domain from a broker.rack value. The fault and
// update domains are the groups named fd and ud, or else the first two
// groups; a group named zone, when present, gives the zone.
type RackPattern struct {
	re           *regexp.Regexp
	fd, ud, zone int // submatch indexes; zone 0 when absent
}

// CompileRackPattern compiles a --rack-pattern; "" means DefaultRackPattern.
func CompileRackPattern(p string) (*RackPattern, error) {
	if p == "" {
		p = DefaultRackPattern
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, cluster.Invalidf("rack pattern %q: %w", p, err)
	}
	rp := &RackPattern{re: re, fd: re.SubexpIndex("fd"), ud: re.SubexpIndex("ud")}
	if z := re.SubexpIndex("zone"); z > 0 {
		rp.zone = z
	}
	if rp.fd < 0 && rp.ud < 0 && re.NumSubexp() >= 2 {
		rp.fd, rp.ud = 1, 2
	}
	if rp.fd <= 0 || rp.ud <= 0 {
		return nil, cluster.Invalidf("rack pattern %q needs two groups, the fault domain and the update domain "+
			"(in that order, or named (?P<fd>...) and (?P<ud>...))", p)
	}
	return rp, nil
}

func (p *RackPattern) String() string { return p.re.String() }

// Parse returns the domain in rack. ok is false when rack does not match.
func (p *RackPattern) Parse(rack string) (d cluster.Domain, ok bool, err error) {
	m := p.re.FindStringSubmatch(rack)
	if m == nil {
		return cluster.Domain{}, false, nil
	}
	if d.FaultDomain, err = domainNumber(m[p.fd]); err != nil {
		return cluster.Domain{}, true, cluster.Invalidf("rack %q: fault domain: %w", rack, err)
	}
	if d.UpdateDomain, err = domainNumber(m[p.ud]); err != nil {
		return cluster.Domain{}, true, cluster.Invalidf("rack %q: update domain: %w", rack, err)
	}
	if p.zone > 0 {
		d.Zone = m[p.zone]
	}
	return d, true, nil
}
