package cluster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

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

// ReadAll reads at most MaxDocumentSize bytes from r. A regular file is
// read into one buffer of its size, not grown (and copied) as it is read.
func ReadAll(r io.Reader, what string) ([]byte, error) {
	size := int64(512)
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = min(st.Size(), MaxDocumentSize) + bytes.MinRead
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(io.LimitReader(r, MaxDocumentSize+1))
	data := buf.Bytes()
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
// the first line that starts with '{') is returned. The result shares text's
// bytes: a million-partition line is not copied.
func ExtractJSON(text []byte, heading string) []byte {
	trimmed := bytes.TrimSpace(text)
	if len(trimmed) == 0 || trimmed[0] == '{' {
		return trimmed
	}
	var first []byte
	afterHeading := false
	for rest := text; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte(heading)) {
			afterHeading = true
			continue
		}
		if len(line) > 0 && line[0] == '{' {
			if afterHeading {
				return line
			}
			if first == nil {
				first = line
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
// Entries are written as they are encoded, through one buffer, so a plan of
// a million partitions is never held twice in memory; the bytes are those
// encoding/json would write.
func WriteAssignment(w io.Writer, a Assignment) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 256)
	bw.WriteString(`{"version":1,"partitions":[`)
	for i, p := range a.Partitions {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendPartition(buf, p)
		bw.Write(buf)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write reassignment JSON: %w", err)
	}
	return nil
}

// appendPartition appends one entry of Kafka's reassignment JSON.
func appendPartition(b []byte, p PartitionAssignment) []byte {
	b = append(b, `{"topic":`...)
	b = appendString(b, p.Topic)
	b = append(b, `,"partition":`...)
	b = strconv.AppendInt(b, int64(p.Partition), 10)
	b = append(b, `,"replicas":[`...)
	for i, r := range p.Replicas {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(r), 10)
	}
	b = append(b, ']')
	if len(p.Replicas) > 0 {
		b = append(b, `,"log_dirs":[`...)
		for i := range p.Replicas {
			if i > 0 {
				b = append(b, ',')
			}
			if len(p.LogDirs) == len(p.Replicas) && p.LogDirs[i] != AnyLogDir {
				b = appendString(b, p.LogDirs[i])
			} else {
				b = append(b, `"`+AnyLogDir+`"`...)
			}
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendString appends s as a JSON string, escaped as encoding/json does
// without HTML escaping. Topic names and log dirs are plain ASCII but for
// the odd exception, which encoding/json itself quotes.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			var q bytes.Buffer
			enc := json.NewEncoder(&q)
			enc.SetEscapeHTML(false)
			enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(q.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
	d, err := DecodeDomains(data)
	if err != nil {
		return Domains{}, Invalid(err)
	}
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
