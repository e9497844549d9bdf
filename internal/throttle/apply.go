package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/fdud/fdud/internal/kafka"
)

// Describe reads the dynamic configuration of the entities.
func Describe(ctx context.Context, cl Cluster, entities []Entity) (map[Entity]map[string]string, error) {
	names := map[kafka.EntityKind][]string{}
	for _, e := range entities {
		names[e.Kind] = append(names[e.Kind], e.Name)
	}
	out := make(map[Entity]map[string]string, len(entities))
	for _, kind := range []kafka.EntityKind{kafka.BrokerEntity, kafka.TopicEntity} {
		if len(names[kind]) == 0 {
			continue
		}
		got, err := cl.DescribeConfigs(ctx, kind, names[kind])
		if err != nil {
			return nil, fmt.Errorf("describe %s configs: %w", entityNoun(kind), err)
		}
		for name, cfg := range got {
			out[Entity{kind, name}] = cfg
		}
	}
	return out, nil
}

// Apply sets the throttles req asks for, merged with those present and with
// the plan's earlier record. The record is saved before any config changes,
// so an interrupted run leaves a trace that Remove can clean up. Then it
// waits, within req.Settle, until DescribeConfigs shows the changes. It
// returns the saved record (nil when nothing is throttled for the plan).
func Apply(ctx context.Context, cl Cluster, store Store, req Request, log *slog.Logger) (*Record, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	prev, err := store.Load(ctx, req.PlanID)
	if err != nil {
		return nil, err
	}
	id, err := clusterID(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("set throttles: %w", err)
	}
	if err := checkCluster(prev, id); err != nil {
		return nil, fmt.Errorf("set throttles: %w", err)
	}
	entities := Wanted(req, prev)
	if len(entities) == 0 {
		return prev, nil
	}
	current, err := Describe(ctx, cl, entities)
	if err != nil {
		return nil, fmt.Errorf("set throttles: %w", err)
	}
	if err := knownFromRecords(ctx, store, req.PlanID, id, current, log); err != nil {
		return nil, fmt.Errorf("set throttles: %w", err)
	}
	m := Merge(req, current, prev)
	for _, w := range m.Warnings {
		log.Warn("throttle: " + w)
	}
	if m.Record == nil {
		return nil, nil
	}
	m.Record.Host, _ = os.Hostname()
	m.Record.PID = os.Getpid()
	m.Record.Updated = time.Now().UTC().Truncate(time.Second)
	m.Record.Cluster = id
	if len(m.Changes) > 0 || prev == nil || prev.Cluster != id || !equalUses(prev.Uses, m.Record.Uses) {
		if err := store.Save(ctx, m.Record); err != nil {
			return nil, fmt.Errorf("set throttles: record them first: %w", err)
		}
	}
	if n, err := applyN(ctx, cl, m.Changes, log, "throttle"); err != nil {
		// The record describes only what exists: what was not set (the
		// changes after the failing one, and the failing one when the
		// cluster refused it outright, as Kafka 0.9 refuses broker
		// configs) leaves it, and an empty one goes.
		if errors.Is(err, errors.ErrUnsupported) {
			n-- // the failing change was not made
		}
		rec, kept := recordOf(m.Record, prev, m.Changes[:max(n+1, 0)])
		if perr := keepRecord(ctx, store, rec, kept); perr != nil {
			return nil, fmt.Errorf("set throttles: %w; and correcting the record of what was set failed (run fdud verify with the plan): %w", err, perr)
		}
		if !kept {
			return nil, fmt.Errorf("set throttles: nothing was set: %w", err)
		}
		return rec, fmt.Errorf("set throttles (record %s kept of what was set; fdud verify or execute --cancel removes it): %w", req.PlanID, err)
	}
	if err := settle(ctx, cl, m.Changes, req.Settle, log, "throttle"); err != nil {
		return m.Record, fmt.Errorf("set throttles (record %s kept; fdud verify or execute --cancel removes what was set): %w", req.PlanID, err)
	}
	return m.Record, nil
}

func apply(ctx context.Context, cl Cluster, changes []Change, log *slog.Logger, what string) error {
	_, err := applyN(ctx, cl, changes, log, what)
	return err
}

// applyN makes the changes in order and returns, on a failure, the index of
// the failing change (those before it were made).
func applyN(ctx context.Context, cl Cluster, changes []Change, log *slog.Logger, what string) (int, error) {
	for i, c := range changes {
		if err := alter(ctx, cl, c); err != nil {
			return i, fmt.Errorf("%s %s: %w", entityNoun(c.Kind), c.Name, err)
		}
		log.Info(what + ": " + c.String())
	}
	return len(changes), nil
}

// recordOf returns rec cut down to the configs that exist: those of the
// earlier record, and those on entities of the changes made. kept is false
// when nothing is left.
func recordOf(rec, prev *Record, made []Change) (out *Record, kept bool) {
	touched := map[Entity]bool{}
	for _, c := range made {
		touched[c.Entity] = true
	}
	cp := *rec
	cp.Configs = nil
	for _, c := range rec.Configs {
		if touched[c.entity()] || prev != nil && prev.find(c.entity(), c.Key) != nil {
			cp.Configs = append(cp.Configs, c)
		}
	}
	return &cp, len(cp.Configs) > 0
}

// keepRecord saves rec, or deletes the plan's record when kept is false.
func keepRecord(ctx context.Context, store Store, rec *Record, kept bool) error {
	if kept {
		return store.Save(ctx, rec)
	}
	return store.Delete(ctx, rec.PlanID)
}

// alter makes one change. List edits go through AlterConfigOps, so that
// the cluster applies them to the lists as they are when written.
func alter(ctx context.Context, cl Cluster, c Change) error {
	if len(c.Append) == 0 && len(c.Subtract) == 0 {
		return cl.AlterConfigs(ctx, c.Kind, c.Name, c.Set, c.Delete)
	}
	return cl.AlterConfigOps(ctx, c.Kind, c.Name, c.ops())
}

// knownFromRecords fills in rates the brokers do not report
// (kafka.Unreported) that another fdud plan of the same cluster set: its
// record says what they are. Otherwise a second plan run beside the first
// would take the first plan's lower rate for unknown and raise it.
func knownFromRecords(ctx context.Context, store Store, planID, clusterID string, current map[Entity]map[string]string, log *slog.Logger) error {
	unknown := false
	for _, kv := range current {
		for _, v := range kv {
			unknown = unknown || v == kafka.Unreported
		}
	}
	if !unknown || clusterID == "" {
		return nil
	}
	ids, err := store.List(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == planID {
			continue
		}
		o, err := store.Load(ctx, id)
		if err != nil || o == nil || o.Cluster != clusterID {
			if err != nil {
				log.Warn("throttle: skipping an unreadable throttle record", "plan", id, "err", err)
			}
			continue
		}
		for _, c := range o.Configs {
			if kv := current[c.entity()]; kv != nil && kv[c.Key] == kafka.Unreported {
				kv[c.Key] = c.Set
			}
		}
	}
	return nil
}
