package domainsrc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/zookeeper"
)

// BrokerLister reads the live brokers (id, host, broker.rack) of a cluster.
type BrokerLister interface {
	Brokers(ctx context.Context) ([]cluster.Broker, error)
}

// Deps is what sources may need from their surroundings. The zero value
// reads files and stdin-less specs; every field is optional.
type Deps struct {
	Stdin  io.Reader
	Stderr io.Writer    // where exec sources' stderr goes; nil discards it
	Logger *slog.Logger // nil discards

	// Brokers lists the live brokers: rack and hdinsight need it, and when
	// it is set the domains are checked against it (see AllowMissing).
	Brokers BrokerLister
	// AllowMissing reports live brokers without a domain and leaves them out
	// (not eligible for replicas) instead of failing.
	AllowMissing bool
	// AllowSingleFaultDomain accepts domains that put every broker in one
	// fault domain (and one zone). Without it that is an error: it is what a
	// scale set with max spreading reports, and no spread can be derived.
	AllowSingleFaultDomain bool

	// ZooKeeper (zk: sources).
	ZooKeeperDigest  zookeeper.Secret
	ZooKeeperTimeout time.Duration // bound on a whole read or publish; 0 means 30 s
	// ZooKeeperSessionTimeout is the session timeout asked for; 0 means 10 s.
	ZooKeeperSessionTimeout time.Duration

	// ClusterState opens the cluster's state topic (kafka: sources); nil
	// when no cluster was given.
	ClusterState func(context.Context) (*clusterstate.Store, error)

	// This broker's id (imds, and --publish): BrokerID when set, else read
	// from MetaProperties, else from ServerProperties (broker.id or node.id,
	// or meta.properties in its log.dirs).
	BrokerID         *int32
	ServerProperties string
	MetaProperties   string

	IMDS        IMDSOptions
	RackPattern string        // rack: sources without their own pattern; "" is DefaultRackPattern
	ExecTimeout time.Duration // exec: sources; 0 means 60 s
}

func (d Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d Deps) zkTimeout() time.Duration {
	if d.ZooKeeperTimeout <= 0 {
		return 30 * time.Second
	}
	return d.ZooKeeperTimeout
}

// Result is what Gather found.
type Result struct {
	Domains  cluster.Domains
	Sources  []string // names of the sources read, in order
	Warnings []string // for people: conflicts between sources, unknown brokers, unmatched hosts
	// Excluded lists live brokers without a domain, left out under
	// AllowMissing. Without AllowMissing they are an error.
	Excluded []int32
	// Live is the live broker list, nil when Deps.Brokers is nil.
	Live []cluster.Broker
}

// env is what a source is opened with: the caller's Deps plus the run's
// warning collector and a broker list read at most once.
type env struct {
	Deps
	warnings *[]string
	live     []cluster.Broker
	liveErr  error
	liveRead bool
}

func (e *env) warnf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	*e.warnings = append(*e.warnings, msg)
	e.logger().Debug("domains warning", "msg", msg)
}

// brokers returns the live brokers, reading them once per run. ok is false
// when no lister was given.
func (e *env) brokers(ctx context.Context) (bs []cluster.Broker, ok bool, err error) {
	if e.Brokers == nil {
		return nil, false, nil
	}
	if !e.liveRead {
		e.live, e.liveErr = e.Brokers.Brokers(ctx)
		if e.liveErr != nil {
			e.liveErr = fmt.Errorf("list live brokers: %w", e.liveErr)
		}
		e.liveRead = e.liveErr == nil // a failure may be a cancelled context: do not cache it
	}
	return e.live, true, e.liveErr
}

// Resolve turns a --domains value into domains: a file path, "-" for stdin,
// or a source spec such as "zk:HOST:PORT[/chroot]", "rack", "imds" (see
// SpecHelp). When deps.Brokers is set the result is checked against the
// live brokers; warnings go to deps.Logger.
func Resolve(ctx context.Context, spec string, deps Deps) (cluster.Domains, error) {
	res, err := Gather(ctx, []string{spec}, deps)
	if err != nil {
		return cluster.Domains{}, err
	}
	for _, w := range res.Warnings {
		deps.logger().Warn(w)
	}
	if len(res.Excluded) > 0 {
		deps.logger().Warn("brokers without a domain are not eligible", "brokers", res.Excluded)
	}
	return res.Domains, nil
}

// Gather reads every spec in order and merges them, later sources replacing
// earlier ones per broker (differences are reported as warnings). With a
// broker lister, a live broker without a domain is an error naming them
// (or, with AllowMissing, is reported in Excluded), and domains of brokers
// that are not live are warned about. Nothing is returned on error.
func Gather(ctx context.Context, specs []string, deps Deps) (Result, error) {
	if len(specs) == 0 {
		return Result{}, cluster.Invalidf("no domain source given; want a file path, - or one of:\n%s", SpecHelp())
	}
	var res Result
	e := &env{Deps: deps, warnings: &res.Warnings}
	sources := make([]Source, 0, len(specs))
	for _, spec := range specs {
		s, err := open(spec, e)
		if err != nil {
			return Result{}, err
		}
		sources = append(sources, s)
		res.Sources = append(res.Sources, s.Name())
	}
	var merged cluster.Domains
	from := map[int32]string{}
	for i, s := range sources {
		d, err := s.Domains(ctx)
		if err != nil {
			return Result{}, err
		}
		if err := d.Check(); err != nil { // the contract says sources check; a broken one must not slip through
			return Result{}, fmt.Errorf("%s: %w", s.Name(), err)
		}
		if i == 0 {
			merged = d
		} else {
			merged = mergeDomains(merged, d, from, s.Name(), e)
		}
		for _, b := range d.Brokers {
			from[b.ID] = s.Name()
		}
	}
	merged.Version = 1
	if merged.Brokers == nil {
		merged.Brokers = []cluster.BrokerDomain{}
	}
	live, ok, err := e.brokers(ctx)
	if err != nil {
		return Result{}, err
	}
	if ok {
		res.Live = live
		if merged, res.Excluded, err = checkLive(merged, live, deps.AllowMissing, e); err != nil {
			return Result{}, err
		}
	}
	if !deps.AllowSingleFaultDomain {
		if err := checkSpread(merged); err != nil {
			return Result{}, err
		}
	}
	res.Domains = merged
	return res, nil
}

// mergeDomains overlays later onto d, warning where they disagree. A host
// known to either is kept.
func mergeDomains(d, later cluster.Domains, from map[int32]string, name string, e *env) cluster.Domains {
	for _, b := range later.Brokers {
		prev, ok := d.Lookup(b.ID)
		if !ok {
			continue
		}
		if prev.Domain() != b.Domain() {
			e.warnf("broker %d: %s says %s, %s says %s; using %s", b.ID, from[b.ID], prev.Domain(), name, b.Domain(), name)
		}
	}
	hosts := map[int32]string{}
	for _, b := range d.Brokers {
		hosts[b.ID] = b.Host
	}
	out := d.Merge(later)
	for i, b := range out.Brokers {
		if b.Host == "" {
			out.Brokers[i].Host = hosts[b.ID]
		}
	}
	return out
}

// checkLive compares the domains with the live brokers.
func checkLive(d cluster.Domains, live []cluster.Broker, allowMissing bool, e *env) (cluster.Domains, []int32, error) {
	have := d.Map()
	var missing []int32
	liveIDs := map[int32]cluster.Broker{}
	for _, b := range live {
		liveIDs[b.ID] = b
		if _, ok := have[b.ID]; !ok {
			missing = append(missing, b.ID)
		}
	}
	slices.Sort(missing)
	var unknown []int32
	for i, b := range d.Brokers {
		lb, ok := liveIDs[b.ID]
		if !ok {
			unknown = append(unknown, b.ID)
			continue
		}
		if b.Host == "" {
			d.Brokers[i].Host = lb.Host
		}
	}
	if len(unknown) > 0 {
		e.warnf("domains name brokers that are not live in the cluster: %s (down, or decommissioned?)", idList(unknown))
	}
	if len(missing) > 0 {
		if !allowMissing {
			return cluster.Domains{}, nil, cluster.Invalidf("%d live broker(s) have no domain: %s "+
				"(add them to a source, or pass --allow-missing to leave them out of placement)", len(missing), idList(missing))
		}
		e.warnf("live brokers without a domain, left out of placement: %s", idList(missing))
	}
	return d, missing, nil
}

// checkSpread rejects domains from which no fault-domain spread can be
// derived: several brokers, all in one fault domain and one zone.
func checkSpread(d cluster.Domains) error {
	if len(d.Brokers) < 2 {
		return nil
	}
	first := d.Brokers[0]
	for _, b := range d.Brokers[1:] {
		if b.FaultDomain != first.FaultDomain || b.Zone != first.Zone {
			return nil
		}
	}
	return cluster.Invalidf("all %d brokers report fault domain %d: no fault-domain spread can be derived "+
		"(a scale set with max spreading, platformFaultDomainCount=1, reports one fault domain for every VM; "+
		"spread such VMs with zones, or pass --allow-single-fault-domain if the cluster really has one)",
		len(d.Brokers), first.FaultDomain)
}

func idList(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}
