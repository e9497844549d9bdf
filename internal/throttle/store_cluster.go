package throttle

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/fdud/fdud/internal/clusterstate"
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

// withLocal keeps records in the cluster and still finds those an fdud
// that kept them in the state directory (before the cluster store) left
// there, so that a plan executed by it is cleaned up by this one: Load
// falls back to the local record, List gives both, Save moves a record to
// the cluster, and Delete removes both copies.
type withLocal struct {
	Store // the cluster's
	local Store
	log   *slog.Logger
}

func (w *withLocal) Load(ctx context.Context, id string) (*Record, error) {
	rec, err := w.Store.Load(ctx, id)
	if rec != nil || err != nil {
		return rec, err
	}
	rec, err = w.local.Load(ctx, id)
	if rec != nil {
		w.log.Info("throttle record found in the state directory, where an earlier fdud kept it", "plan", id)
	}
	return rec, err
}

func (w *withLocal) Save(ctx context.Context, rec *Record) error {
	if err := w.Store.Save(ctx, rec); err != nil {
		return err
	}
	return w.local.Delete(ctx, rec.PlanID)
}

func (w *withLocal) Delete(ctx context.Context, id string) error {
	if err := w.Store.Delete(ctx, id); err != nil {
		return err
	}
	return w.local.Delete(ctx, id)
}

func (w *withLocal) List(ctx context.Context) ([]string, error) {
	ids, err := w.Store.List(ctx)
	if err != nil {
		return nil, err
	}
	local, err := w.local.List(ctx)
	if err != nil {
		return nil, err
	}
	return validIDs(slices.Compact(slices.Sorted(slices.Values(append(ids, local...))))), nil
}
