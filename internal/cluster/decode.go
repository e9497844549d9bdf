package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fdud/fdud/schemas"
)

// DecodeReassignment decodes Kafka's reassignment JSON, checked against
// schemas/reassignment.schema.json. A document the schema rejects gets the
// validator's error (a *schemas.Error naming the entry and the rule).
//
// The schema stays the contract, but validating a large plan with it is
// slow (it works on a generic tree with exact rational numbers), so a fast
// path decodes the typed entries straight from the text and checks the
// schema's rules in Go; the validator only explains what the fast path
// rejects, entry by entry when only entries are wrong. Tests prove that the
// fast path accepts exactly what the schema accepts and pin the schema's
// rules, so a change to the schema fails them until the fast path follows it.
func DecodeReassignment(doc []byte) (Assignment, error) {
	a, ok, bad := decodeReassignmentDetail(doc)
	if ok {
		return a, nil
	}
	if err := explainEntries(doc, bad); err != nil {
		return Assignment{}, err
	}
	if err := schemas.Validate(schemas.Reassignment, doc); err != nil {
		return Assignment{}, err
	}
	// Only reached if the fast path wrongly rejected doc.
	a = Assignment{}
	if err := json.Unmarshal(doc, &a); err != nil {
		return Assignment{}, fmt.Errorf("reassignment JSON: %w", err)
	}
	a.Version = 1
	return a, nil
}

// decodeReassignment is the fast path: ok is false unless doc is JSON
// (as encoding/json reads it) that the reassignment schema accepts. Where a
// member name repeats, the last one counts, as it does for the validator.
func decodeReassignment(doc []byte) (a Assignment, ok bool) {
	a, ok, _ = decodeReassignmentDetail(doc)
	return a, ok
}

// span is an entry of the partitions array: its index and its text.
type span struct{ index, start, end int }

// explainEntries returns the validator's error for a document that is
// valid but for the entries in bad, validating each of them on its own
// instead of the whole document: the whole of a large plan takes the
// validator seconds and gigabytes, an entry microseconds. Its error is the
// one the validator gives for the whole document. It returns nil when bad
// is empty, or should the validator accept one of the entries.
func explainEntries(doc []byte, bad []span) error {
	if len(bad) == 0 {
		return nil
	}
	all := &schemas.Error{Document: schemas.Reassignment}
	for _, b := range bad {
		one := make([]byte, 0, b.end-b.start+17)
		one = append(append(append(one, `{"partitions":[`...), doc[b.start:b.end]...), "]}"...)
		err := schemas.Validate(schemas.Reassignment, one)
		var se *schemas.Error
		if !errors.As(err, &se) {
			return nil
		}
		at := fmt.Sprintf("partitions[%d]", b.index)
		for _, p := range se.Problems {
			all.Problems = append(all.Problems, at+strings.TrimPrefix(p, "partitions[0]"))
		}
	}
	return all
}

// decodeReassignmentDetail is decodeReassignment, and when it rejects a
// document only because of some entries of its partitions array, it says
// which in bad.
func decodeReassignmentDetail(doc []byte) (a Assignment, ok bool, bad []span) {
	d := reassignmentDecoder{
		s:      scanner{data: doc},
		topics: make(map[string]string),
	}
	s := &d.s
	if !s.open('{') {
		return a, false, nil
	}
	var parts []PartitionAssignment
	partitionsSeen, partitionsOK, versionOK := 0, false, true
	for more := s.first('}'); more; {
		raw, plain, ok := s.key()
		if !ok {
			return a, false, nil
		}
		switch {
		case isKey(raw, plain, "version"):
			versionOK, ok = d.version()
		case isKey(raw, plain, "partitions"):
			partitionsSeen++
			parts, partitionsOK, ok = d.partitions()
		default:
			ok = s.skip()
		}
		if !ok {
			return a, false, nil
		}
		if more, ok = s.next('}'); !ok {
			return a, false, nil
		}
	}
	switch {
	case !s.end():
		return a, false, nil
	case partitionsSeen == 1 && versionOK && !partitionsOK && d.isArray:
		return a, false, d.bad
	case partitionsSeen == 0 || !partitionsOK || !versionOK:
		return a, false, nil
	}
	return Assignment{Version: 1, Partitions: parts}, true, nil
}

// reassignmentDecoder holds the state of one fast decode. Replica ids and
// log dirs of consecutive entries share backing arrays (each entry's slice
// capped at its length), and topic names are interned, which keeps a
// million-entry plan to a handful of allocations per thousand entries.
type reassignmentDecoder struct {
	s         scanner
	topics    map[string]string
	lastTopic string
	// bad lists the invalid entries of the last "partitions" value read,
	// and isArray says whether that value was an array at all.
	bad     []span
	isArray bool
	ints    []int32 // current replica chunk; the open list starts at intStart
	strs    []string
	anys    []string // "any", shared by entries whose log dirs are all "any"
	// start of the list being filled in ints and strs
	intStart, strStart int
}

// version reads the value of "version": valid when it is the number 1.
func (d *reassignmentDecoder) version() (valid, ok bool) {
	if c := d.s.peek(); c != '-' && (c < '0' || c > '9') {
		return false, d.s.skip()
	}
	lit, ok := d.s.num()
	v, isInt := int32Value(lit)
	return isInt && v == 1, ok
}

// partitions reads the value of "partitions": an array of entries.
func (d *reassignmentDecoder) partitions() (parts []PartitionAssignment, valid, ok bool) {
	s := &d.s
	d.bad, d.isArray = nil, false
	if s.peek() != '[' {
		return nil, false, s.skip()
	}
	if !s.open('[') {
		return nil, false, false
	}
	d.isArray = true
	// Size the slice once: every entry ends with a '}' and takes at least
	// 40 bytes ({"topic":"a","partition":0,"replicas":[0]}), which bounds
	// what a document of braces in strings can make us allocate.
	rest := s.data[s.pos:]
	parts = make([]PartitionAssignment, 0, min(bytes.Count(rest, []byte("}")), len(rest)/40+1))
	valid = true
	for i, more := 0, s.first(']'); more; i++ {
		start := s.pos
		if s.peek() != '{' {
			valid = false
			if !s.skip() {
				return nil, false, false
			}
			d.bad = append(d.bad, span{i, start, s.pos})
		} else if p, ok := d.canonicalEntry(); ok {
			parts = append(parts, p)
		} else {
			p, pValid, ok := d.entry()
			if !ok {
				return nil, false, false
			}
			if !pValid {
				valid = false
				d.bad = append(d.bad, span{i, start, s.pos})
			}
			parts = append(parts, p)
		}
		if more, ok = s.next(']'); !ok {
			return nil, false, false
		}
	}
	return parts, valid, true
}

// entry reads one partition object.
func (d *reassignmentDecoder) entry() (p PartitionAssignment, valid, ok bool) {
	s := &d.s
	if !s.open('{') {
		return p, false, false
	}
	var haveTopic, havePartition, haveReplicas bool
	topicOK, partitionOK, replicasOK, dirsOK := false, false, false, true
	for more := s.first('}'); more; {
		raw, plain, ok := s.key()
		if !ok {
			return p, false, false
		}
		switch {
		case plain && string(raw) == "topic", !plain && isKey(raw, plain, "topic"):
			haveTopic = true
			p.Topic, topicOK, ok = d.topic()
		case plain && string(raw) == "partition", !plain && isKey(raw, plain, "partition"):
			havePartition = true
			p.Partition, partitionOK, ok = d.id()
		case plain && string(raw) == "replicas", !plain && isKey(raw, plain, "replicas"):
			haveReplicas = true
			p.Replicas, replicasOK, ok = d.replicas()
		case plain && string(raw) == "log_dirs", !plain && isKey(raw, plain, "log_dirs"):
			p.LogDirs, dirsOK, ok = d.logDirs()
		default:
			ok = s.skip()
		}
		if !ok {
			return p, false, false
		}
		if more, ok = s.next('}'); !ok {
			return p, false, false
		}
	}
	valid = haveTopic && topicOK && havePartition && partitionOK && haveReplicas && replicasOK && dirsOK
	return p, valid, true
}

// canonicalEntry reads a valid entry written the way fdud and Kafka write
// them: {"topic":"T","partition":N,"replicas":[N,...]} and optionally
// ,"log_dirs":["any",...] before the brace, no white space, numbers as
// plain digits. Anything else leaves the scanner where it was, for entry to
// read. It is entry's fast lane for the common case, not another reading:
// what it accepts, entry reads the same way.
func (d *reassignmentDecoder) canonicalEntry() (p PartitionAssignment, ok bool) {
	data, i := d.s.data, d.s.pos
	if !hasAt(data, i, `{"topic":"`) {
		return p, false
	}
	i += len(`{"topic":"`)
	start := i
	for i < len(data) && topicByte[data[i]] {
		i++
	}
	if i == start || i-start > 249 || i >= len(data) || data[i] != '"' {
		return p, false
	}
	p.Topic = d.intern(data[start:i])
	i++
	if !hasAt(data, i, `,"partition":`) {
		return p, false
	}
	if p.Partition, i, ok = plainID(data, i+len(`,"partition":`)); !ok || !hasAt(data, i, `,"replicas":[`) {
		return p, false
	}
	i += len(`,"replicas":[`)
	d.intStart = len(d.ints)
	for {
		var r int32
		if r, i, ok = plainID(data, i); !ok || i >= len(data) {
			d.ints = d.ints[:d.intStart]
			return p, false
		}
		d.pushInt(r)
		if data[i] == ']' {
			break
		}
		if data[i] != ',' {
			d.ints = d.ints[:d.intStart]
			return p, false
		}
		i++
	}
	i++
	p.Replicas = d.ints[d.intStart:len(d.ints):len(d.ints)]
	if !distinct(p.Replicas) {
		d.ints = d.ints[:d.intStart]
		return PartitionAssignment{}, false
	}
	if hasAt(data, i, `,"log_dirs":[`) {
		i += len(`,"log_dirs":[`)
		n := 0
		for {
			if !hasAt(data, i, `"any"`) {
				d.ints = d.ints[:d.intStart]
				return PartitionAssignment{}, false
			}
			n++
			i += len(`"any"`)
			if i < len(data) && data[i] == ']' {
				break
			}
			if i >= len(data) || data[i] != ',' {
				d.ints = d.ints[:d.intStart]
				return PartitionAssignment{}, false
			}
			i++
		}
		i++
		p.LogDirs = d.anyDirs(n)
	}
	if i >= len(data) || data[i] != '}' {
		d.ints = d.ints[:d.intStart]
		return PartitionAssignment{}, false
	}
	d.s.pos = i + 1
	return p, true
}

func hasAt(data []byte, i int, lit string) bool {
	return i+len(lit) <= len(data) && string(data[i:i+len(lit)]) == lit
}

// plainID reads at i an id written as plain digits (no leading zero),
// at most 2147483647, and returns it with the position after it.
func plainID(data []byte, i int) (v int32, next int, ok bool) {
	start := i
	var x int64
	for i < len(data) && '0' <= data[i] && data[i] <= '9' && i-start < 11 {
		x = x*10 + int64(data[i]-'0')
		i++
	}
	n := i - start
	if n == 0 || n > 10 || (n > 1 && data[start] == '0') || x > 1<<31-1 {
		return 0, i, false
	}
	return int32(x), i, true
}

// topicByte is the character class of the topic pattern ^[a-zA-Z0-9._-]+$.
var topicByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	return t
}()

// intern returns the topic name raw, one string per distinct name.
func (d *reassignmentDecoder) intern(raw []byte) string {
	if string(raw) == d.lastTopic {
		return d.lastTopic
	}
	t, seen := d.topics[string(raw)]
	if !seen {
		t = string(raw)
		d.topics[t] = t
	}
	d.lastTopic = t
	return t
}

// topic reads a topic name: 1 to 249 characters of [a-zA-Z0-9._-].
func (d *reassignmentDecoder) topic() (name string, valid, ok bool) {
	if d.s.peek() != '"' {
		return "", false, d.s.skip()
	}
	raw, plain, ok := d.s.str()
	if !ok {
		return "", false, false
	}
	if !plain {
		name = text(raw, false)
		return name, validTopic(name), true
	}
	if !validTopic(string(raw)) {
		return "", false, true
	}
	return d.intern(raw), true, true
}

// validTopic is the schema's topic rule: minLength 1, maxLength 249 (in
// characters), pattern ^[a-zA-Z0-9._-]+$.
func validTopic(t string) bool {
	if len(t) == 0 || utf8.RuneCountInString(t) > 249 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !topicByte[t[i]] {
			return false
		}
	}
	return true
}

// id reads an integer between 0 and 2147483647.
func (d *reassignmentDecoder) id() (v int32, valid, ok bool) {
	if c := d.s.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, false, d.s.skip()
	}
	lit, ok := d.s.num()
	if !ok {
		return 0, false, false
	}
	v, valid = int32Value(lit)
	return v, valid, true
}

// replicas reads a non-empty array of distinct ids.
func (d *reassignmentDecoder) replicas() (reps []int32, valid, ok bool) {
	s := &d.s
	if s.peek() != '[' {
		return nil, false, s.skip()
	}
	if !s.open('[') {
		return nil, false, false
	}
	valid = true
	d.intStart = len(d.ints)
	for more := s.first(']'); more; {
		v, vValid, ok := d.id()
		if !ok {
			return nil, false, false
		}
		valid = valid && vValid
		d.pushInt(v)
		if more, ok = s.next(']'); !ok {
			return nil, false, false
		}
	}
	reps = d.ints[d.intStart:len(d.ints):len(d.ints)]
	return reps, valid && len(reps) > 0 && distinct(reps), true
}

func (d *reassignmentDecoder) pushInt(v int32) {
	if len(d.ints) == cap(d.ints) {
		open := d.ints[d.intStart:]
		grown := make([]int32, len(open), max(1<<14, 2*len(open)))
		copy(grown, open)
		d.ints, d.intStart = grown, 0
	}
	d.ints = append(d.ints, v)
}

// distinct is the schema's uniqueItems.
func distinct(xs []int32) bool {
	if len(xs) <= 16 {
		for i := 1; i < len(xs); i++ {
			if slices.Contains(xs[:i], xs[i]) {
				return false
			}
		}
		return true
	}
	sorted := slices.Sorted(slices.Values(xs))
	return len(slices.Compact(sorted)) == len(xs)
}

// logDirs reads an array of log dirs, each "any" or an absolute path.
func (d *reassignmentDecoder) logDirs() (dirs []string, valid, ok bool) {
	s := &d.s
	if s.peek() != '[' {
		return nil, false, s.skip()
	}
	if !s.open('[') {
		return nil, false, false
	}
	valid = true
	d.strStart = len(d.strs)
	for more := s.first(']'); more; {
		var dir string
		if s.peek() != '"' {
			valid = false
			if !s.skip() {
				return nil, false, false
			}
		} else {
			raw, plain, ok := s.str()
			if !ok {
				return nil, false, false
			}
			switch {
			case plain && string(raw) == AnyLogDir:
				dir = AnyLogDir
			default:
				dir = text(raw, plain)
			}
			valid = valid && (dir == AnyLogDir || strings.HasPrefix(dir, "/"))
		}
		d.pushString(dir)
		if more, ok = s.next(']'); !ok {
			return nil, false, false
		}
	}
	dirs = d.strs[d.strStart:len(d.strs):len(d.strs)]
	if dirs == nil {
		dirs = []string{} // present but empty: not the same as absent
	}
	return dirs, valid, true
}

// anyDirs returns n log dirs "any". Entries share one slice, capped at
// its length, as nothing changes a decoded assignment's log dirs in place:
// a million entries of ["any","any","any"] would otherwise take 48 MB.
func (d *reassignmentDecoder) anyDirs(n int) []string {
	for len(d.anys) < n {
		d.anys = append(d.anys, AnyLogDir)
	}
	return d.anys[:n:n]
}

func (d *reassignmentDecoder) pushString(v string) {
	if len(d.strs) == cap(d.strs) {
		open := d.strs[d.strStart:]
		grown := make([]string, len(open), max(1<<12, 2*len(open)))
		copy(grown, open)
		d.strs, d.strStart = grown, 0
	}
	d.strs = append(d.strs, v)
}
