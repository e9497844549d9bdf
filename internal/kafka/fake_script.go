package kafka

import (
	"fmt"
	"maps"
	"slices"

	"github.com/fdud/fdud/internal/cluster"
)

// The Fake's test hooks: a test scripts what a real cluster does on its own
// (reassignments finish, brokers die, ISRs shrink, a broker is unreachable)
// and reads back what it was asked.

// script is the Fake's scripting state, under Fake.mu.
type script struct {
	calls        []FakeCall
	failing      map[string]error
	hooks        map[string]func(FakeCall) error
	before       func(read int) error
	reads        int
	inFlightPeak int
}

// FakeCall is one call the Fake took, failed ones included. Arguments are
// kept as given (not copied): callers must not change them afterwards.
type FakeCall struct {
	// Method is the Cluster (or capability) method's name: "State",
	// "Reassign", "MoveLogDirs", ...
	Method string
	// Plan is Reassign's and MoveLogDirs' plan.
	Plan []cluster.PartitionAssignment
	// TPs are CancelReassignments' and ElectPreferredLeaders' partitions,
	// DescribeLogDirs' too.
	TPs []cluster.TopicPartition
	// Kind and Names are the config entities asked about or changed;
	// CreateTopic's topic is in Names.
	Kind  EntityKind
	Names []string
	// Assignment is CreateTopic's assignment.
	Assignment [][]int32
	// Brokers are DescribeLogDirs' and ReplicaSizes' brokers.
	Brokers []int32
	// Err is the error Fail or a Before hook injected, if any.
	Err error
}

// changing are the methods that change a cluster.
var changing = []string{"Reassign", "CancelReassignments", "AlterConfigs", "AlterConfigOps", "CreateTopic",
	"ElectPreferredLeaders", "MoveLogDirs"}

// fakeMethods are the methods Fail and Calls know.
var fakeMethods = append([]string{"State", "Brokers", "ClusterID", "DescribeConfigs", "DescribeLogDirs", "ReplicaSizes", "ReplicaOffsets"}, changing...)

// record runs the Before hook of a call's method, notes the call and
// returns the error injected for it.
func (f *Fake) record(c FakeCall) error {
	f.mu.Lock()
	hook := f.hooks[c.Method]
	f.mu.Unlock()
	var err error
	if hook != nil {
		err = hook(c)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		err = f.failing[c.Method]
	}
	c.Err = err
	f.calls = append(f.calls, c)
	return c.Err
}

// Calls returns the calls of the named methods the Fake took, in order;
// with no names, every call.
func (f *Fake) Calls(methods ...string) []FakeCall {
	for _, m := range methods {
		mustBeMethod(m)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FakeCall
	for _, c := range f.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Changes returns the calls that change a cluster (reassign, cancel,
// configs, topics, leaders, log directories), in order, failed ones
// included: none means the fake's clients changed nothing.
func (f *Fake) Changes() []FakeCall { return f.Calls(changing...) }

// Reassigned returns the plans of the Reassign calls, in order.
func (f *Fake) Reassigned() [][]cluster.PartitionAssignment {
	var out [][]cluster.PartitionAssignment
	for _, c := range f.Calls("Reassign") {
		out = append(out, c.Plan)
	}
	return out
}

// MaxInFlight is the most partitions ever being reassigned at once.
func (f *Fake) MaxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlightPeak
}

// Fail makes every later call of method fail with err before it does
// anything (nil: succeed again), as a broker that refuses or cannot be
// reached. The call is still recorded.
func (f *Fake) Fail(method string, err error) {
	mustBeMethod(method)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.failing, method)
		return
	}
	f.failing[method] = err
}

func mustBeMethod(m string) {
	if !slices.Contains(fakeMethods, m) {
		panic(fmt.Sprintf("kafka.Fake: no method %q", m))
	}
}

// Before sets a hook that runs at the start of every later call of method,
// with the call's arguments, before the call does anything and without
// the fake's lock held: it may change the fake, as somebody else's write
// lands between two of the client's calls. An error it returns fails the
// call (recorded with it). nil removes the hook. For State, BeforeState
// runs first.
func (f *Fake) Before(method string, hook func(FakeCall) error) {
	mustBeMethod(method)
	f.mu.Lock()
	defer f.mu.Unlock()
	if hook == nil {
		delete(f.hooks, method)
		return
	}
	f.hooks[method] = hook
}

// BeforeState sets a hook that runs at the start of every State read, read
// counting from 1 (also across earlier hooks), without the fake's lock held:
// it may change the fake, as a cluster changes between two reads. An error
// it returns fails that read. nil removes the hook.
func (f *Fake) BeforeState(hook func(read int) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.before = hook
}

// CompleteAfterFirstRead makes every State read after the next one finish
// the reassignments in flight (Complete) before it looks: a cluster that
// moves a batch between two polls. It replaces the BeforeState hook.
func (f *Fake) CompleteAfterFirstRead() {
	f.mu.Lock()
	start := f.reads
	f.mu.Unlock()
	f.BeforeState(func(read int) error {
		if read > start+1 {
			f.Complete()
		}
		return nil
	})
}

func (f *Fake) beforeState() error {
	f.mu.Lock()
	f.reads++
	hook, read := f.before, f.reads
	f.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(read)
}

// SetBrokers makes brokers the live ones, as a broker that dies or comes
// back; partitions stay as they are.
func (f *Fake) SetBrokers(brokers ...cluster.Broker) {
	bs := slices.Clone(brokers)
	slices.SortFunc(bs, func(x, y cluster.Broker) int { return int(x.ID) - int(y.ID) })
	f.mu.Lock()
	defer f.mu.Unlock()
	f.brokers = bs
}

// SetPartitions puts partitions in the given states as they are (replicas,
// ISR, leader, a reassignment's target), as failures or somebody else's
// reassignment leave them; a partition not there yet is added. Adding and
// Removing are derived from Target when not given.
func (f *Fake) SetPartitions(ps ...cluster.PartitionState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range ps {
		p.Replicas, p.ISR, p.Target = slices.Clone(p.Replicas), slices.Clone(p.ISR), slices.Clone(p.Target)
		p.Adding, p.Removing = slices.Clone(p.Adding), slices.Clone(p.Removing)
		if p.Target != nil && p.Adding == nil && p.Removing == nil {
			p.Adding, p.Removing = without(p.Target, p.Replicas), without(p.Replicas, p.Target)
		}
		f.parts[p.TP()] = &p
	}
}

// SetState makes the fake's brokers and partitions those of st (which it
// copies): the partitions not in st are gone. Configs stay.
func (f *Fake) SetState(st *cluster.State) {
	f.SetBrokers(st.Brokers...)
	f.mu.Lock()
	clear(f.parts)
	f.mu.Unlock()
	f.SetPartitions(st.Partitions...)
}

// Partitions returns the fake's partitions as they are (copies), sorted,
// without running the BeforeState hook or recording a call: for hooks and
// checks that look behind the clients' back.
func (f *Fake) Partitions() []cluster.PartitionState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.partitionsLocked()
}

func (f *Fake) partitionsLocked() []cluster.PartitionState {
	var out []cluster.PartitionState
	for _, tp := range slices.SortedFunc(maps.Keys(f.parts), cluster.TopicPartition.Compare) {
		p := *f.parts[tp]
		p.Replicas, p.ISR, p.Target = slices.Clone(p.Replicas), slices.Clone(p.ISR), slices.Clone(p.Target)
		p.Adding, p.Removing = slices.Clone(p.Adding), slices.Clone(p.Removing)
		out = append(out, p)
	}
	return out
}
