package kafka

import (
	"fmt"
	"path"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// BrokerLogDirs is what one broker says about its log directories.
type BrokerLogDirs struct {
	// Dirs holds every log directory of the broker: nil when it is online,
	// else its error (KAFKA_STORAGE_ERROR for an offline disk).
	Dirs map[string]error
	// Replicas holds the asked partitions the broker hosts.
	Replicas map[cluster.TopicPartition]ReplicaLogDir
	// Err is set when the broker could not be asked; nothing else is then.
	Err error
}

// ReplicaLogDir is where one replica lives on its broker.
type ReplicaLogDir struct {
	Dir    string // the current replica's directory; "" when only a future replica exists
	Future string // the directory a move is copying the replica into; "" when none
}

// HasDir reports whether the broker has the log directory dir, online.
func (b BrokerLogDirs) HasDir(dir string) bool {
	for d, err := range b.Dirs {
		if err == nil && sameDir(d, dir) {
			return true
		}
	}
	return false
}

// LogDirProgress is how far a partition's planned log directories are.
// Larger values are further from done.
type LogDirProgress int

const (
	// LogDirsDone: every replica with a named directory lives there and no
	// future replica remains.
	LogDirsDone LogDirProgress = iota
	// LogDirsMoving: a future replica is being copied into the named
	// directory (or the replica is still being created by a reassignment).
	LogDirsMoving
	// LogDirsNotStarted: a replica lives elsewhere with no move towards the
	// named directory (never asked, asked for another directory, or lost).
	LogDirsNotStarted
	// LogDirsUnknown: a broker that holds a named replica could not be asked.
	LogDirsUnknown
)

var logDirProgressNames = [...]string{"done", "moving", "not started", "unknown"}

func (p LogDirProgress) String() string { return logDirProgressNames[p] }

// LogDirPlacement judges one partition of a plan against what its brokers
// said: the worst state over the replicas with a named directory, and for
// each replica not done a line for the operator ("broker 2: in /a, moving
// to /b"). reassigning says a reassignment of the partition is in flight, so
// a replica missing from its broker is being created rather than lost. It
// is pure.
func LogDirPlacement(p cluster.PartitionAssignment, dirs map[int32]BrokerLogDirs, reassigning bool) (LogDirProgress, []string) {
	worst := LogDirsDone
	var notes []string
	for i, want := range p.LogDirs {
		if want == cluster.AnyLogDir || i >= len(p.Replicas) {
			continue
		}
		b := p.Replicas[i]
		got, state, note := LogDirsUnknown, "", ""
		bd, ok := dirs[b]
		switch {
		case !ok:
			note = "not asked"
		case bd.Err != nil:
			note = fmt.Sprintf("could not be asked: %v", bd.Err)
		default:
			r, hosted := bd.Replicas[p.TP()]
			state = describeReplica(r, hosted)
			switch {
			case hosted && sameDir(r.Dir, want) && r.Future == "":
				got = LogDirsDone
			case hosted && r.Future != "" && sameDir(r.Future, want):
				got = LogDirsMoving
			case !hosted && reassigning:
				got = LogDirsMoving
				state = "replica not created yet (reassignment in flight)"
			default:
				got = LogDirsNotStarted
			}
			note = state + ", planned " + want
		}
		if got != LogDirsDone {
			notes = append(notes, fmt.Sprintf("broker %d: %s", b, note))
		}
		worst = max(worst, got)
	}
	return worst, notes
}

func describeReplica(r ReplicaLogDir, hosted bool) string {
	switch {
	case !hosted:
		return "no replica on the broker"
	case r.Dir == "":
		return "only a future replica, in " + r.Future
	case r.Future != "":
		return "in " + r.Dir + ", moving to " + r.Future
	default:
		return "in " + r.Dir
	}
}

// sameDir compares directories as paths, so that a trailing slash in a plan
// does not count as another directory.
func sameDir(a, b string) bool {
	return a != "" && b != "" && path.Clean(a) == path.Clean(b)
}

// replicaMove is one replica to put in a named log directory.
type replicaMove struct {
	TP     cluster.TopicPartition
	Broker int32
	Dir    string
}

// logDirMoves lists the replicas of plan with a named directory, by broker
// then partition. Directories are cleaned: a broker knows "/data/a", not
// "/data/a/".
func logDirMoves(plan []cluster.PartitionAssignment) []replicaMove {
	var moves []replicaMove
	for _, p := range plan {
		for i, d := range p.LogDirs {
			if d != cluster.AnyLogDir && i < len(p.Replicas) {
				moves = append(moves, replicaMove{TP: p.TP(), Broker: p.Replicas[i], Dir: path.Clean(d)})
			}
		}
	}
	slices.SortFunc(moves, func(a, b replicaMove) int {
		if a.Broker != b.Broker {
			return int(a.Broker) - int(b.Broker)
		}
		return a.TP.Compare(b.TP)
	})
	return moves
}
