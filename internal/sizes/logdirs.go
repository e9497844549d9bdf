package sizes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// LogDirsHeading is the line kafka-log-dirs.sh --describe prints before its
// JSON ("Received log directory information from brokers 1,2,3").
const LogDirsHeading = "Received log directory information"

// logDirsDoc is kafka-log-dirs.sh's document. Kafka writes it with Jackson
// from hash maps, so key order varies; totalBytes and usableBytes are not
// printed by any release yet but are read if a later one adds them.
type logDirsDoc struct {
	Version *int `json:"version"`
	Brokers []struct {
		Broker  *int32 `json:"broker"`
		LogDirs []struct {
			LogDir      string  `json:"logDir"`
			Error       *string `json:"error"`
			TotalBytes  *int64  `json:"totalBytes"`
			UsableBytes *int64  `json:"usableBytes"`
			Partitions  []struct {
				Partition string `json:"partition"`
				Size      *int64 `json:"size"`
				OffsetLag int64  `json:"offsetLag"`
				IsFuture  bool   `json:"isFuture"`
			} `json:"partitions"`
		} `json:"logDirs"`
	} `json:"brokers"`
}

// ParseLogDirs decodes what `kafka-log-dirs.sh --describe` prints: its JSON
// document, alone or with the tool's lines around it. Errors are input
// errors that name the offending entry.
func ParseLogDirs(data []byte) (LogDirs, error) {
	doc := cluster.ExtractJSON(data, LogDirsHeading)
	var d logDirsDoc
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return LogDirs{}, cluster.Invalidf("not the JSON of kafka-log-dirs.sh --describe: %w", err)
	}
	switch {
	case d.Version == nil:
		return LogDirs{}, cluster.Invalidf("no \"version\": not the JSON of kafka-log-dirs.sh --describe")
	case *d.Version != 1:
		return LogDirs{}, cluster.Invalidf("version %d: only version 1 of kafka-log-dirs.sh's document is known", *d.Version)
	}
	var l LogDirs
	for i, b := range d.Brokers {
		where := fmt.Sprintf("brokers[%d]", i)
		if b.Broker == nil || *b.Broker < 0 {
			return LogDirs{}, cluster.Invalidf("%s: no broker id", where)
		}
		id := *b.Broker
		if l.Answered(id) {
			return LogDirs{}, cluster.Invalidf("%s: broker %d is listed twice", where, id)
		}
		if len(b.LogDirs) == 0 {
			l.Answer(id)
		}
		for j, ld := range b.LogDirs {
			where := fmt.Sprintf("%s.logDirs[%d]", where, j)
			if ld.LogDir == "" {
				return LogDirs{}, cluster.Invalidf("%s (broker %d): no logDir", where, id)
			}
			dir := Dir{Broker: id, Path: ld.LogDir, TotalBytes: Unknown, UsableBytes: Unknown}
			if ld.Error != nil {
				dir.Error = *ld.Error
			}
			if ld.TotalBytes != nil && ld.UsableBytes != nil && *ld.TotalBytes >= 0 && *ld.UsableBytes >= 0 {
				dir.TotalBytes, dir.UsableBytes = *ld.TotalBytes, *ld.UsableBytes
			}
			l.Add(dir)
			for k, p := range ld.Partitions {
				where := fmt.Sprintf("%s.partitions[%d]", where, k)
				tp, err := parseTopicPartition(p.Partition)
				if err != nil {
					return LogDirs{}, cluster.Invalidf("%s (broker %d, %s): %w", where, id, ld.LogDir, err)
				}
				if p.Size == nil || *p.Size < 0 {
					return LogDirs{}, cluster.Invalidf("%s (broker %d, %s): no size", where, id, tp)
				}
				l.AddReplica(tp, Replica{Broker: id, Dir: ld.LogDir, Size: *p.Size, OffsetLag: p.OffsetLag, Future: p.IsFuture})
			}
		}
	}
	if err := l.checkDuplicates(); err != nil {
		return LogDirs{}, err
	}
	return l, nil
}

// parseTopicPartition reads Kafka's "topic-0"; a topic may itself hold '-'.
func parseTopicPartition(s string) (cluster.TopicPartition, error) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return cluster.TopicPartition{}, fmt.Errorf("partition %q is not TOPIC-NUMBER", s)
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 32)
	if err != nil || n < 0 {
		return cluster.TopicPartition{}, fmt.Errorf("partition %q is not TOPIC-NUMBER", s)
	}
	return cluster.TopicPartition{Topic: s[:i], Partition: int32(n)}, nil
}

// checkDuplicates refuses a broker reporting two current (or two future)
// replicas of one partition.
func (l LogDirs) checkDuplicates() error {
	type key struct {
		b      int32
		future bool
	}
	for tp, rs := range l.Replicas {
		if len(rs) < 2 {
			continue
		}
		seen := map[key]string{}
		for _, r := range rs {
			k := key{r.Broker, r.Future}
			if prev, dup := seen[k]; dup {
				return cluster.Invalidf("broker %d reports %s twice (in %s and %s)", r.Broker, tp, prev, r.Dir)
			}
			seen[k] = r.Dir
		}
	}
	return nil
}
