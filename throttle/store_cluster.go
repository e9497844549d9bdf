package throttle

import (
	"context"
	"log/slog"
	"strings"

	"github.com/fdud/fdud/clusterstate"
)

// ClusterKeyPrefix is the prefix of throttle records' keys in the cluster
// state topic: throttle/<planID>.
const ClusterKeyPrefix = "throttle/"

// clusterStore keeps records in the Kafka cluster's state topic (package
// clusterstate), where fdud runs on any host find them: the Admin API
// path's equivalent of ZooKeeper's ZNode.
type clusterStore struct {
	s   *clusterstate.Store
	log *slog.Logger
}

// NewClusterStore returns a Store over the cluster state store s.
func NewClusterStore(s *clusterstate.Store, log *slog.Logger) Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &clusterStore{s: s, log: log}
}

func (c *clusterStore) Load(ctx context.Context, id string) (*Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	var r Record
	found, err := c.s.Get(ctx, ClusterKeyPrefix+id, &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

func (c *clusterStore) Save(ctx context.Context, rec *Record) error {
	if err := checkID(rec.PlanID); err != nil {
		return err
	}
	return c.s.Put(ctx, ClusterKeyPrefix+rec.PlanID, rec)
}

func (c *clusterStore) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return c.s.Delete(ctx, ClusterKeyPrefix+id)
}

func (c *clusterStore) List(ctx context.Context) ([]string, error) {
	keys, err := c.s.List(ctx, ClusterKeyPrefix)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = strings.TrimPrefix(k, ClusterKeyPrefix)
	}
	return validIDs(ids), nil
}
