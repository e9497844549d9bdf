package cluster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// WriteAssignment encodes by hand; these tests hold it to the bytes
// encoding/json writes for the same document.

// referenceWrite is WriteAssignment as it was, on encoding/json.
func referenceWrite(a Assignment) []byte {
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
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
	bw.Flush()
	return buf.Bytes()
}

func TestWriteAssignmentMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	strs := []string{"orders", "", "a\"b", `back\slash`, "tab\there", "nl\n", "\x00\x1f\x7f", "é", "\u2028\u2029",
		"\xff\xfe", "<html>&", "/data/1", "any", "ctl\b\f"}
	for i := range 3000 {
		var a Assignment
		for range rng.IntN(4) {
			p := PartitionAssignment{Topic: strs[rng.IntN(len(strs))], Partition: rng.Int32()}
			if rng.IntN(3) == 0 {
				p.Partition = -p.Partition
			}
			n := rng.IntN(4)
			if n > 0 || rng.IntN(2) == 0 {
				p.Replicas = make([]int32, n)
				for j := range p.Replicas {
					p.Replicas[j] = rng.Int32N(2000) - 10
				}
			}
			switch rng.IntN(3) {
			case 0:
				p.LogDirs = make([]string, len(p.Replicas))
			case 1:
				p.LogDirs = make([]string, rng.IntN(4))
			}
			for j := range p.LogDirs {
				p.LogDirs[j] = strs[rng.IntN(len(strs))]
			}
			a.Partitions = append(a.Partitions, p)
		}
		var got bytes.Buffer
		if err := WriteAssignment(&got, a); err != nil {
			t.Fatal(err)
		}
		if want := referenceWrite(a); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("case %d: %+v\n got %s\nwant %s", i, a, got.Bytes(), want)
		}
	}
}

func FuzzWriteAssignment(f *testing.F) {
	f.Add("orders", int32(0), []byte{1, 2, 3}, "any")
	f.Add("a\"\\\u2028\xff", int32(-5), []byte{}, "/x\ty")
	f.Fuzz(func(t *testing.T, topic string, part int32, reps []byte, dir string) {
		p := PartitionAssignment{Topic: topic, Partition: part}
		for _, r := range reps {
			p.Replicas = append(p.Replicas, int32(r)-3)
			p.LogDirs = append(p.LogDirs, dir)
		}
		a := Assignment{Partitions: []PartitionAssignment{p, p}}
		var got bytes.Buffer
		if err := WriteAssignment(&got, a); err != nil {
			t.Fatal(err)
		}
		if want := referenceWrite(a); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("got %s\nwant %s", got.Bytes(), want)
		}
	})
}

// referenceExtractJSON is ExtractJSON as it was, on bufio.Scanner.
func referenceExtractJSON(text []byte, heading string) []byte {
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
				return bytes.Clone(line)
			}
			if first == nil {
				first = bytes.Clone(line)
			}
		}
	}
	if first != nil {
		return first
	}
	return trimmed
}

func FuzzExtractJSON(f *testing.F) {
	f.Add([]byte("Current partition replica assignment\n\n{\"version\":1}\n\nProposed partition reassignment configuration\n{\"x\":2}\n"))
	f.Add([]byte("noise\r\n{a}\r\n{b}\n"))
	f.Add([]byte("  {plain}  "))
	f.Add([]byte("Proposed partition reassignment configuration\r\n   {p}\r\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, h := range []string{CurrentHeading, ProposedHeading} {
			if got, want := ExtractJSON(text, h), referenceExtractJSON(text, h); !bytes.Equal(got, want) {
				t.Fatalf("ExtractJSON(%q, %q) = %q, want %q", text, h, got, want)
			}
		}
	})
}
