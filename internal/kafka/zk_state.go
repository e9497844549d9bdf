package kafka

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fdud/fdud/internal/cluster"
)

// Znode layouts, as Kafka writes them.
type (
	zkBroker struct {
		Version   int      `json:"version"`
		Host      string   `json:"host"`
		Port      int32    `json:"port"`
		Endpoints []string `json:"endpoints"`
		Rack      string   `json:"rack"`
	}
	zkTopic struct {
		Version    int                `json:"version"`
		Partitions map[string][]int32 `json:"partitions"`
		// Kafka 2.4+ in ZooKeeper mode records in-flight reassignments here.
		Adding   map[string][]int32 `json:"adding_replicas,omitempty"`
		Removing map[string][]int32 `json:"removing_replicas,omitempty"`
	}
	zkPartitionState struct {
		Leader int32   `json:"leader"`
		ISR    []int32 `json:"isr"`
	}
	zkReassignment struct {
		Version    int                 `json:"version"`
		Partitions []zkReassignPartion `json:"partitions"`
	}
	zkReassignPartion struct {
		Topic     string  `json:"topic"`
		Partition int32   `json:"partition"`
		Replicas  []int32 `json:"replicas"`
	}
	zkController struct {
		BrokerID int32 `json:"brokerid"`
	}
)

const zkReadWorkers = 16

// State reads /brokers/ids, /controller, each topic's assignment and
// partition state, and /admin/reassign_partitions.
//
// In-flight reassignments: Kafka 2.4+ records adding_replicas and
// removing_replicas in the topic znode, which gives the original set and the
// target exactly. Older controllers (0.9 to 2.3) instead overwrite the topic
// znode with the union of old and new replicas while new replicas catch up,
// and the original set cannot always be recovered from ZooKeeper. fdud then
// takes the target from /admin/reassign_partitions and, when the topic znode
// holds a strict superset of the target (the union), rebuilds the original
// as: the brokers only the znode names (certainly original), topped up to
// the target's size with target brokers, those in the ISR first. This is
// exact when the replication factor is unchanged and the new replicas are
// still catching up (the whole time the union is visible, bar the moment
// before completion); a reassignment that changes the replication factor is
// reported with the target's replica count. Otherwise (the controller has not
// expanded the set yet) the znode holds the original set as it is.
func (z *zkCluster) State(ctx context.Context, topics []string) (*cluster.State, error) {
	st := &cluster.State{Controller: -1}
	brokers, err := z.brokers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range brokers {
		st.Brokers = append(st.Brokers, b.Broker)
	}
	var ctl zkController
	if _, found, err := z.getJSON(ctx, "/controller", &ctl); err != nil {
		return nil, err
	} else if found {
		st.Controller = ctl.BrokerID
	}
	if topics == nil {
		if topics, err = z.conn.Children(ctx, "/brokers/topics"); err != nil {
			return nil, err
		}
	}
	var reassign zkReassignment
	if _, _, err := z.getJSON(ctx, "/admin/reassign_partitions", &reassign); err != nil {
		return nil, err
	}
	targets := map[cluster.TopicPartition][]int32{}
	for _, p := range reassign.Partitions {
		targets[cluster.TopicPartition{Topic: p.Topic, Partition: p.Partition}] = p.Replicas
	}

	// Read topics, then partition states, with a few requests in flight.
	type topicResult struct {
		name  string
		topic zkTopic
		found bool
	}
	tres := make([]topicResult, len(topics))
	err = parallel(ctx, len(topics), func(i int) error {
		tres[i].name = topics[i]
		_, found, err := z.getJSON(ctx, "/brokers/topics/"+topics[i], &tres[i].topic)
		tres[i].found = found
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tres {
		if !t.found {
			continue
		}
		for ps, replicas := range t.topic.Partitions {
			p, err := strconv.ParseInt(ps, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("znode /brokers/topics/%s: partition %q is not a number", t.name, ps)
			}
			st.Partitions = append(st.Partitions, cluster.PartitionState{
				Topic: t.name, Partition: int32(p), Replicas: slices.Clone(replicas), Leader: -1,
				Adding: slices.Clone(t.topic.Adding[ps]), Removing: slices.Clone(t.topic.Removing[ps]),
			})
		}
	}
	slices.SortFunc(st.Partitions, func(x, y cluster.PartitionState) int { return x.TP().Compare(y.TP()) })
	err = parallel(ctx, len(st.Partitions), func(i int) error {
		p := &st.Partitions[i]
		var ps zkPartitionState
		_, found, err := z.getJSON(ctx, fmt.Sprintf("/brokers/topics/%s/partitions/%d/state", p.Topic, p.Partition), &ps)
		if found {
			p.Leader, p.ISR = ps.Leader, ps.ISR
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range st.Partitions {
		resolveInFlight(&st.Partitions[i], targets)
	}
	return st, nil
}

// resolveInFlight sets Replicas to the original set and Target for a
// partition being reassigned (see State).
func resolveInFlight(p *cluster.PartitionState, targets map[cluster.TopicPartition][]int32) {
	if len(p.Adding) > 0 || len(p.Removing) > 0 { // Kafka 2.4+: exact
		union := p.Replicas
		p.Replicas = without(union, p.Adding)
		p.Target = without(union, p.Removing)
		return
	}
	target, ok := targets[p.TP()]
	if !ok {
		return
	}
	p.Target = slices.Clone(target)
	z := p.Replicas
	strictSuperset := len(z) > len(target)
	for _, b := range target {
		if !slices.Contains(z, b) {
			strictSuperset = false
		}
	}
	if !strictSuperset {
		return // the znode still holds the original set
	}
	orig := without(z, target) // only the znode names them: original
	var inISR, notISR []int32
	for _, b := range target {
		if slices.Contains(p.ISR, b) {
			inISR = append(inISR, b)
		} else {
			notISR = append(notISR, b)
		}
	}
	for _, b := range append(inISR, notISR...) {
		if len(orig) >= len(target) {
			break
		}
		orig = append(orig, b)
	}
	// Keep the znode's order.
	slices.SortStableFunc(orig, func(a, b int32) int { return slices.Index(z, a) - slices.Index(z, b) })
	p.Replicas = orig
}

// Brokers reads /brokers/ids and each live broker's registration, not the
// topics.
func (z *zkCluster) Brokers(ctx context.Context) ([]cluster.Broker, error) {
	infos, err := z.brokers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]cluster.Broker, len(infos))
	for i, b := range infos {
		out[i] = b.Broker
	}
	return out, nil
}

type zkBrokerInfo struct {
	cluster.Broker
	RegistrationVersion int
}

func (z *zkCluster) brokers(ctx context.Context) ([]zkBrokerInfo, error) {
	ids, err := z.conn.Children(ctx, "/brokers/ids")
	if err != nil {
		return nil, err
	}
	out := make([]zkBrokerInfo, len(ids))
	found := make([]bool, len(ids))
	err = parallel(ctx, len(ids), func(i int) error {
		id, err := strconv.ParseInt(ids[i], 10, 32)
		if err != nil {
			return fmt.Errorf("znode /brokers/ids/%s: not a broker id", ids[i])
		}
		var b zkBroker
		_, ok, err := z.getJSON(ctx, "/brokers/ids/"+ids[i], &b)
		if err != nil || !ok { // gone since listed: not live
			return err
		}
		found[i] = true
		host, port := b.Host, b.Port
		if host == "" && len(b.Endpoints) > 0 {
			// SASL/SSL-only brokers leave host empty; take the first endpoint.
			if _, hp, ok := strings.Cut(b.Endpoints[0], "://"); ok {
				if h, ps, err := net.SplitHostPort(hp); err == nil {
					pn, _ := strconv.ParseInt(ps, 10, 32)
					host, port = h, int32(pn)
				}
			}
		}
		out[i] = zkBrokerInfo{cluster.Broker{ID: int32(id), Host: host, Port: port, Rack: b.Rack}, b.Version}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var live []zkBrokerInfo
	for i, b := range out {
		if found[i] {
			live = append(live, b)
		}
	}
	slices.SortFunc(live, func(x, y zkBrokerInfo) int { return int(x.ID) - int(y.ID) })
	return live, nil
}

// parallel runs fn(0..n-1) with a bounded number in flight and returns the
// first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, zkReadWorkers)
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			mu.Lock()
			if first == nil {
				first = err
			}
			mu.Unlock()
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// ListReassignments returns the partitions of topics (all when nil) with a
// reassignment in flight, as State reports them.
func (z *zkCluster) ListReassignments(ctx context.Context, topics []string) ([]cluster.PartitionState, error) {
	st, err := z.State(ctx, topics)
	if err != nil {
		return nil, err
	}
	return st.InFlight(), nil
}
