package domainsrc

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// fileSource reads the domains JSON or CSV from a file or stdin.
type fileSource struct {
	path  string    // "-" for stdin
	stdin io.Reader // used when path is "-"
}

var _ Source = (*fileSource)(nil)

func (s *fileSource) Name() string {
	if s.path == "-" {
		return "stdin"
	}
	return "file:" + s.path
}

func (s *fileSource) Domains(ctx context.Context) (cluster.Domains, error) {
	if err := ctx.Err(); err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	var r io.Reader
	if s.path == "-" {
		if s.stdin == nil {
			return cluster.Domains{}, cluster.Invalidf("stdin: no standard input to read domains from")
		}
		r = s.stdin
	} else {
		f, err := os.Open(s.path)
		if err != nil {
			return cluster.Domains{}, cluster.Invalidf("domains file: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := readLimited(r, s.Name())
	if err != nil {
		return cluster.Domains{}, err
	}
	d, err := ParseDomainsFile(data)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return d, nil
}

// readLimited reads at most MaxDocumentSize bytes; more is an input error.
func readLimited(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", what, err)
	}
	if len(data) > MaxDocumentSize {
		return nil, cluster.Invalidf("%s: larger than %d MiB; is it the right file?", what, MaxDocumentSize>>20)
	}
	return data, nil
}

// ParseDomainsFile decodes a domains file: fdud's domains JSON when it starts
// with "{", else CSV (see ParseCSV). The result is sorted and checked.
func ParseDomainsFile(data []byte) (cluster.Domains, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) // a BOM from spreadsheet exports
	if len(trimmed) == 0 {
		return cluster.Domains{}, cluster.Invalidf("empty domains file")
	}
	var d cluster.Domains
	var err error
	if trimmed[0] == '{' {
		d, err = cluster.ParseDomains(trimmed)
	} else {
		d, err = ParseCSV(trimmed)
	}
	if err != nil {
		return cluster.Domains{}, err
	}
	d.Version = 1
	d.Sort()
	return d, nil
}

// ParseCSV decodes "broker_id,fault_domain,update_domain[,zone]" lines. A
// first line naming the columns is skipped; lines starting with # are
// comments. Errors name the line.
func ParseCSV(data []byte) (cluster.Domains, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.Comment = '#'
	r.ReuseRecord = true
	out := cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{}}
	seen := map[int32]int{}
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return cluster.Domains{}, cluster.Invalidf("domains CSV: %w", err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) < 3 || len(rec) > 4 {
			return cluster.Domains{}, cluster.Invalidf("domains CSV line %d: %d fields; want broker_id,fault_domain,update_domain[,zone]",
				line, len(rec))
		}
		if first && isCSVHeader(rec) {
			continue
		}
		id, err := brokerID(rec[0])
		if err != nil {
			return cluster.Domains{}, cluster.Invalidf("domains CSV line %d: %w", line, err)
		}
		fd, err := domainNumber(strings.TrimSpace(rec[1]))
		if err != nil {
			return cluster.Domains{}, cluster.Invalidf("domains CSV line %d (broker %d): fault domain: %w", line, id, err)
		}
		ud, err := domainNumber(strings.TrimSpace(rec[2]))
		if err != nil {
			return cluster.Domains{}, cluster.Invalidf("domains CSV line %d (broker %d): update domain: %w", line, id, err)
		}
		if prev, dup := seen[id]; dup {
			return cluster.Domains{}, cluster.Invalidf("domains CSV line %d: broker %d already appears on line %d", line, id, prev)
		}
		seen[id] = line
		b := cluster.BrokerDomain{ID: id, FaultDomain: fd, UpdateDomain: ud}
		if len(rec) == 4 {
			b.Zone = strings.TrimSpace(rec[3])
		}
		out.Brokers = append(out.Brokers, b)
	}
	out.Sort()
	return out, nil
}

// isCSVHeader reports whether the first line names columns rather than
// holding data: its first field is not a number (broker_id, id, "Broker").
func isCSVHeader(rec []string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(rec[0]), 10, 64)
	return err != nil
}
