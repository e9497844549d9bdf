package cluster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fdud/fdud/schemas"
)

// Headings Kafka's kafka-reassign-partitions.sh prints around its JSON. A file
// holding the tool's output verbatim is accepted: the JSON under the first
// heading found is used.
const (
	CurrentHeading  = "Current partition replica assignment"
	ProposedHeading = "Proposed partition reassignment configuration"
)

// MaxDocumentSize bounds the documents fdud reads, so a wrong file (a log, a
// heap dump) fails fast instead of exhausting memory. 1M partitions in
// Kafka's format is about 80 MB.
const MaxDocumentSize = 512 << 20

// ReadAll reads at most MaxDocumentSize bytes from r.
func ReadAll(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(data) > MaxDocumentSize {
		return nil, Invalidf("%s is larger than %d MiB; is it the right file?", what, MaxDocumentSize>>20)
	}
	return data, nil
}

// ParseAssignment decodes Kafka's reassignment JSON (or the text Kafka's tool
// prints with --generate or --execute, headings included), validates it
// against the schema and checks what a schema cannot say: log_dirs has one
// entry per replica and no partition appears twice. Errors are input errors.
func ParseAssignment(data []byte) (Assignment, error) {
	a, err := DecodeReassignment(ExtractJSON(data, CurrentHeading))
	if err != nil {
		return Assignment{}, Invalid(err)
	}
	for i, p := range a.Partitions {
		if p.LogDirs != nil && len(p.LogDirs) != len(p.Replicas) {
			return Assignment{}, Invalidf("partitions[%d] (%s): log_dirs has %d entries for %d replicas",
				i, p.TP(), len(p.LogDirs), len(p.Replicas))
		}
	}
	if i, j := a.FirstDuplicate(); i >= 0 {
		return Assignment{}, Invalidf("partitions[%d] (%s): partition already listed at partitions[%d]",
			i, a.Partitions[i].TP(), j)
	}
	return a, nil
}

// ExtractJSON returns the JSON document in text. Plain JSON is returned as
// is; in the output of Kafka's tool, the line after heading (or, failing that,
// the first line that starts with '{') is returned.
func ExtractJSON(text []byte, heading string) []byte {
	trimmed := bytes.TrimSpace(text)
	if len(trimmed) == 0 || trimmed[0] == '{' {
		return trimmed
	}
	var first []byte
	afterHeading := false
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, MaxDocumentSize)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if strings.HasPrefix(string(line), heading) {
			afterHeading = true
			continue
		}
		if len(line) > 0 && line[0] == '{' {
			if afterHeading {
				return slices.Clone(line)
			}
			if first == nil {
				first = slices.Clone(line)
			}
		}
	}
	if first != nil {
		return first
	}
	return trimmed
}

// WriteAssignment writes a in Kafka's format on one line, keys in Kafka's
// order, every replica's log dir present ("any" unless set), followed by a
// newline. It is the form kafka-reassign-partitions.sh writes and accepts.
func WriteAssignment(w io.Writer, a Assignment) error {
	out := Assignment{Version: 1, Partitions: make([]PartitionAssignment, len(a.Partitions))}
	for i, p := range a.Partitions {
		p = p.Clone()
		if p.Replicas == nil {
			p.Replicas = []int32{}
		}
		if len(p.LogDirs) != len(p.Replicas) {
			p.LogDirs = make([]string, len(p.Replicas))
			for j := range p.LogDirs {
				p.LogDirs[j] = AnyLogDir
			}
		}
		out.Partitions[i] = p
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write reassignment JSON: %w", err)
	}
	return bw.Flush()
}

// TopicsToMove is Kafka's --topics-to-move-json-file document.
type TopicsToMove struct {
	Version int `json:"version"`
	Topics  []struct {
		Topic string `json:"topic"`
	} `json:"topics"`
}

// ParseTopicsToMove decodes and validates Kafka's topics-to-move JSON and
// returns the topic names in file order, without duplicates.
func ParseTopicsToMove(data []byte) ([]string, error) {
	data = bytes.TrimSpace(data)
	if err := schemas.Validate(schemas.TopicsToMove, data); err != nil {
		return nil, Invalid(err)
	}
	var doc TopicsToMove
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, Invalidf("topics-to-move JSON: %w", err)
	}
	var names []string
	for _, t := range doc.Topics {
		if !slices.Contains(names, t.Topic) {
			names = append(names, t.Topic)
		}
	}
	return names, nil
}

// ParseDomains decodes and validates fdud's domains JSON.
func ParseDomains(data []byte) (Domains, error) {
	data = bytes.TrimSpace(data)
	if err := schemas.Validate(schemas.Domains, data); err != nil {
		return Domains{}, Invalid(err)
	}
	var d Domains
	if err := json.Unmarshal(data, &d); err != nil {
		return Domains{}, Invalidf("domains JSON: %w", err)
	}
	d.Version = 1
	if err := d.Check(); err != nil {
		return Domains{}, err
	}
	return d, nil
}

// WriteDomains writes d as indented JSON, sorted by broker id.
func WriteDomains(w io.Writer, d Domains) error {
	d.Version = 1
	d.Brokers = slices.Clone(d.Brokers)
	if d.Brokers == nil {
		d.Brokers = []BrokerDomain{}
	}
	d.Sort()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("write domains JSON: %w", err)
	}
	return nil
}
