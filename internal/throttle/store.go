package throttle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/fdud/fdud/internal/atomicfile"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
	"github.com/fdud/fdud/internal/zookeeper"
)

// Store keeps throttle records, one per plan.
type Store interface {
	// Load returns the plan's record, or nil and no error when there is none.
	Load(ctx context.Context, planID string) (*Record, error)
	// Save creates or replaces the record of rec.PlanID.
	Save(ctx context.Context, rec *Record) error
	// Delete removes the plan's record; deleting a missing record is not an error.
	Delete(ctx context.Context, planID string) error
	// List returns the plan ids of every record, sorted.
	List(ctx context.Context) ([]string, error)
}

// ZNode is the parent of the records kept in ZooKeeper.
const ZNode = "/fdud/throttles"

// StoreOptions says where records are kept.
type StoreOptions struct {
	// ZooKeeper, when set, keeps records in ZNode/<planID>, where any machine
	// running fdud against the cluster finds them.
	ZooKeeper *zookeeper.Conn
	// StateDir holds records as JSON files when there is no ZooKeeper; ""
	// means DefaultStateDir(). Such records are only found by fdud runs on
	// the same machine (and user), so run verify where execute ran.
	StateDir string
	// Kafka, when set and ZooKeeper is not, keeps records in the cluster's
	// state topic (NewClusterStore), where any machine finds them: the
	// Admin API path (kafka.StateTopicOf of the connection). Records an
	// earlier fdud left in StateDir are still found and cleaned up.
	Kafka  kafka.StateTopic
	Logger *slog.Logger
}

// DefaultStateDir is $XDG_STATE_HOME/fdud, or ~/.local/state/fdud.
func DefaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "fdud"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state directory: %w (set XDG_STATE_HOME or --state-dir)", err)
	}
	return filepath.Join(home, ".local", "state", "fdud"), nil
}

// OpenStore returns the ZooKeeper store when o.ZooKeeper is set, else the
// cluster's state topic when o.Kafka is set (its first write creates the
// topic when it is missing; reading a missing one finds no record), else
// the file store in the state directory.
func OpenStore(ctx context.Context, o StoreOptions) (Store, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.ZooKeeper != nil {
		return &zkStore{zk: o.ZooKeeper, log: log}, nil
	}
	dir := o.StateDir
	if dir == "" {
		var err error
		if dir, err = DefaultStateDir(); err != nil && o.Kafka == nil {
			return nil, err
		}
	}
	dir = filepath.Join(dir, "throttles")
	if o.Kafka != nil {
		cs, err := clusterstate.Open(ctx, o.Kafka, clusterstate.Options{})
		if err != nil {
			return nil, fmt.Errorf("throttle records: %w", err)
		}
		s := NewClusterStore(cs, log)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() && filepath.IsAbs(dir) {
			return &withLocal{Store: s, local: &fileStore{dir: dir, log: log}, log: log}, nil
		}
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("throttle records: %w", err)
	}
	return &fileStore{dir: dir, log: log}, nil
}

// loggerOf returns the logger of fdud's own stores.
func loggerOf(s Store) *slog.Logger {
	switch s := s.(type) {
	case *zkStore:
		return s.log
	case *fileStore:
		return s.log
	case *clusterStore:
		return s.log
	case *withLocal:
		return s.log
	}
	return slog.New(slog.DiscardHandler)
}

var planIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

func checkID(id string) error {
	if !planIDPattern.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("throttle record: bad plan id %q", id)
	}
	return nil
}

func decode(data []byte, where string) (*Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("throttle record %s: %w", where, err)
	}
	return &r, nil
}

type zkStore struct {
	zk  *zookeeper.Conn
	log *slog.Logger
}

func (s *zkStore) node(id string) string { return ZNode + "/" + id }

func (s *zkStore) Load(ctx context.Context, id string) (*Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	data, _, err := s.zk.Get(ctx, s.node(id))
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decode(data, s.node(id))
}

func (s *zkStore) Save(ctx context.Context, rec *Record) error {
	if err := checkID(rec.PlanID); err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	err = s.zk.Set(ctx, s.node(rec.PlanID), data, -1)
	if errors.Is(err, zk.ErrNoNode) {
		_, err = s.zk.Create(ctx, s.node(rec.PlanID), data, 0)
	}
	return err
}

func (s *zkStore) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := s.zk.Delete(ctx, s.node(id), -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
		return err
	}
	return nil
}

func (s *zkStore) List(ctx context.Context) ([]string, error) {
	ids, err := s.zk.Children(ctx, ZNode)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return validIDs(ids), nil
}

// validIDs keeps the names that are plan ids, sorted.
func validIDs(names []string) []string {
	var ids []string
	for _, n := range names {
		if checkID(n) == nil {
			ids = append(ids, n)
		}
	}
	slices.Sort(ids)
	return ids
}

type fileStore struct {
	dir string
	log *slog.Logger
}

func (s *fileStore) file(id string) string { return filepath.Join(s.dir, id+".json") }

func (s *fileStore) Load(ctx context.Context, id string) (*Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.file(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("throttle record: %w", err)
	}
	return decode(data, s.file(id))
}

// Save writes the record atomically and durably (see atomicfile), so a
// crash never leaves a half-written record.
func (s *fileStore) Save(ctx context.Context, rec *Record) error {
	if err := checkID(rec.PlanID); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	err = atomicfile.Write(s.file(rec.PlanID), 0o600, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("throttle record: %w", err)
	}
	return nil
}

func (s *fileStore) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := os.Remove(s.file(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("throttle record: %w", err)
	}
	return nil
}

func (s *fileStore) List(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("throttle records: %w", err)
	}
	var names []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && e.Type().IsRegular() {
			names = append(names, id)
		}
	}
	return validIDs(names), nil
}
