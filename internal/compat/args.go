// Package compat is Kafka's kafka-reassign-partitions.sh as data: it parses
// Kafka's command line (this file, help.go, env.go), prints what Kafka's
// tool prints (text.go), so the greps in existing runbooks keep working, and
// describes the placement Kafka's own --generate follows (domains.go). It
// is pure and imports no stage: cmd/fdud carries each action out with
// fdud's stages, through the same wiring as fdud's own commands.
package compat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fdud/fdud/internal/cluster"
)

// Action is the one thing a Kafka command line asks for.
type Action string

const (
	Generate Action = "generate"
	Execute  Action = "execute"
	Verify   Action = "verify"
	Cancel   Action = "cancel"
	List     Action = "list"
)

// Actions lists the actions in the order Kafka names them in its usage error.
var Actions = []Action{Generate, Execute, Verify, Cancel, List}

// Style says which generation of Kafka's tool the printed text imitates.
type Style string

const (
	// Modern is Kafka 2.5 and later (the Admin API tool):
	// "Reassignment of partition orders-0 is complete."
	Modern Style = "modern"
	// Legacy is the ZooKeeper-era tool (Kafka 0.8 to 2.4):
	// "Reassignment of partition [orders,0] completed successfully".
	Legacy Style = "legacy"
	// Kafka37 is Kafka 3.7 and later, whose tool (rewritten in Java) prints
	// Modern's text except "Reassignment of partition orders-0 is completed."
	Kafka37 Style = "3.7"
)

// DefaultTimeout is Kafka's --timeout default (10000 ms).
const DefaultTimeout = 10 * time.Second

// Options is a parsed Kafka command line plus fdud's few additions.
type Options struct {
	Action Action

	// Kafka's options.
	BootstrapServer      string
	CommandConfig        string
	ZooKeeper            string
	ReassignmentJSONFile string
	TopicsToMoveJSONFile string
	BrokerList           []int32
	Throttle             int64 // bytes/s; -1 when not given (Kafka's default)
	LogDirsThrottle      int64 // bytes/s; -1 when not given
	Additional           bool
	PreserveThrottles    bool
	DisableRackAware     bool
	Timeout              time.Duration

	// fdud's additions.
	Domains        string // --domains, or FDUD_DOMAINS: a file or a source spec
	KafkaExitCodes bool   // --kafka-exit-codes: exit 0 whatever --verify finds, as Kafka does
	Style          Style  // --kafka-output; "" picks one from the connection flags
	Wait           bool   // --wait: --verify polls until done, or until --timeout when given
	TimeoutSet     bool   // --timeout was given (Timeout is otherwise Kafka's default)
	Help           bool
}

// OutputStyle returns the style to print in: the one asked for, else
// Legacy when only --zookeeper names the cluster (runbooks written for the
// ZooKeeper-era tool), else Modern.
func (o Options) OutputStyle() Style {
	switch {
	case o.Style != "":
		return o.Style
	case o.ZooKeeper != "" && o.BootstrapServer == "":
		return Legacy
	}
	return Modern
}

// option describes one command-line option.
type option struct {
	name    string
	value   bool // takes a value
	actions []Action
}

// allActions: the option may be used with any action.
var allActions = Actions

// options lists every option. Which actions may use which option follows
// Kafka 2.5+'s tool, widened where fdud can honour more (--zookeeper with
// every action; --timeout with --verify for --wait).
var options = []option{
	{name: "generate", actions: allActions},
	{name: "execute", actions: allActions},
	{name: "verify", actions: allActions},
	{name: "cancel", actions: allActions},
	{name: "list", actions: allActions},
	{name: "bootstrap-server", value: true, actions: allActions},
	{name: "command-config", value: true, actions: allActions},
	{name: "zookeeper", value: true, actions: allActions},
	{name: "reassignment-json-file", value: true, actions: []Action{Execute, Verify, Cancel}},
	{name: "topics-to-move-json-file", value: true, actions: []Action{Generate}},
	{name: "broker-list", value: true, actions: []Action{Generate}},
	{name: "throttle", value: true, actions: []Action{Execute}},
	{name: "replica-alter-log-dirs-throttle", value: true, actions: []Action{Execute}},
	{name: "additional", actions: []Action{Execute}},
	{name: "preserve-throttles", actions: []Action{Verify, Cancel}},
	{name: "disable-rack-aware", actions: []Action{Generate}},
	{name: "timeout", value: true, actions: []Action{Execute, Cancel, Verify}},
	{name: "help", actions: allActions},
	// fdud's own, not Kafka's.
	{name: "domains", value: true, actions: []Action{Generate, Verify}},
	{name: "kafka-exit-codes", actions: allActions},
	{name: "kafka-output", value: true, actions: allActions},
	{name: "wait", actions: []Action{Verify}},
	// fdud execute's flag, accepted for runbooks that use it; Kafka's
	// --execute takes a replica-count change anyway, and so does compat.
	{name: "allow-replication-factor-change", actions: []Action{Execute}},
}

// lookup finds an option by its full name or, as Kafka's option parser
// (jopt-simple) allows, by an unambiguous prefix.
func lookup(name string) (option, error) {
	var matches []option
	for _, o := range options {
		if o.name == name {
			return o, nil
		}
		if strings.HasPrefix(o.name, name) {
			matches = append(matches, o)
		}
	}
	switch len(matches) {
	case 0:
		return option{}, cluster.Invalidf("%s is not a recognized option", "--"+name)
	case 1:
		return matches[0], nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = "--" + m.name
	}
	return option{}, cluster.Invalidf("option --%s is ambiguous: %s", name, strings.Join(names, ", "))
}

// Parse reads a Kafka command line (without the program name). Values come as
// "--flag value" or "--flag=value". getenv supplies FDUD_DOMAINS; nil means
// no environment. Errors are input errors worded like Kafka's.
func Parse(args []string, getenv func(string) string) (Options, error) {
	o := Options{Throttle: -1, LogDirsThrottle: -1, Timeout: DefaultTimeout}
	seen, order, err := scan(args)
	if err != nil {
		return Options{}, err
	}
	if _, ok := seen["help"]; ok {
		o.Help = true
		return o, nil
	}
	if o.Action, err = action(seen); err != nil {
		return Options{}, err
	}
	if err := checkAllowed(order, o.Action); err != nil {
		return Options{}, err
	}
	o.setPlain(seen, getenv)
	if err := checkRequired(seen, o); err != nil {
		return Options{}, err
	}
	if err := o.setParsed(seen); err != nil {
		return Options{}, err
	}
	return o, nil
}

// scan splits the command line into options and their values. It returns
// each option's value by its full name ("" for a switch) and the options
// in the order first given.
func scan(args []string) (seen map[string]string, order []string, err error) {
	seen = map[string]string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "--") || arg == "--" {
			return nil, nil, cluster.Invalidf("unexpected argument %q: every option starts with --", arg)
		}
		name, value, hasValue := strings.Cut(arg[2:], "=")
		opt, err := lookup(name)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case opt.value && !hasValue:
			if i+1 >= len(args) {
				return nil, nil, cluster.Invalidf("option --%s requires an argument", opt.name)
			}
			i++
			value = args[i]
		case !opt.value && hasValue:
			return nil, nil, cluster.Invalidf("option --%s does not take an argument", opt.name)
		}
		if _, dup := seen[opt.name]; !dup {
			order = append(order, opt.name)
		}
		seen[opt.name] = value // the last one wins, as in jopt-simple's valueOf
	}
	return seen, order, nil
}

// action returns the one action given.
func action(seen map[string]string) (Action, error) {
	var acts []Action
	for _, a := range Actions {
		if _, ok := seen[string(a)]; ok {
			acts = append(acts, a)
		}
	}
	if len(acts) != 1 {
		names := make([]string, len(Actions))
		for i, a := range Actions {
			names[i] = "--" + string(a)
		}
		return "", cluster.Invalidf("Command must include exactly one action: %s", strings.Join(names, ", "))
	}
	return acts[0], nil
}

// checkAllowed fails on the first option, in command-line order, that the
// action may not use.
func checkAllowed(order []string, act Action) error {
	for _, name := range order {
		opt, _ := lookup(name)
		if !slices.Contains(opt.actions, act) {
			return cluster.Invalidf("Option \"[%s]\" can't be used with action \"[%s]\"", name, act)
		}
	}
	return nil
}

// setPlain sets the options taken as given: names, files and switches.
// --domains falls back to FDUD_DOMAINS.
func (o *Options) setPlain(seen map[string]string, getenv func(string) string) {
	o.BootstrapServer = seen["bootstrap-server"]
	o.CommandConfig = seen["command-config"]
	o.ZooKeeper = seen["zookeeper"]
	o.ReassignmentJSONFile = seen["reassignment-json-file"]
	o.TopicsToMoveJSONFile = seen["topics-to-move-json-file"]
	_, o.Additional = seen["additional"]
	_, o.PreserveThrottles = seen["preserve-throttles"]
	_, o.DisableRackAware = seen["disable-rack-aware"]
	_, o.KafkaExitCodes = seen["kafka-exit-codes"]
	_, o.Wait = seen["wait"]
	o.Domains = seen["domains"]
	if o.Domains == "" && getenv != nil {
		o.Domains = getenv("FDUD_DOMAINS")
	}
}

// checkRequired fails when no cluster is named or when an option the
// action needs is missing or empty.
func checkRequired(seen map[string]string, o Options) error {
	if o.BootstrapServer == "" && o.ZooKeeper == "" {
		return cluster.Invalidf("Please specify --bootstrap-server (or --zookeeper for a ZooKeeper-mode cluster)")
	}
	var missing []string
	need := map[Action][]string{
		Generate: {"topics-to-move-json-file", "broker-list"},
		Execute:  {"reassignment-json-file"},
		Verify:   {"reassignment-json-file"},
		Cancel:   {"reassignment-json-file"},
	}
	for _, n := range need[o.Action] {
		if seen[n] == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return cluster.Invalidf("Missing required argument \"[%s]\"", strings.Join(missing, ", "))
	}
	return nil
}

// setParsed sets the options whose values must be parsed: the broker list,
// the throttles, the timeout and the output style.
func (o *Options) setParsed(seen map[string]string) error {
	var err error
	if v, ok := seen["broker-list"]; ok {
		if o.BrokerList, err = parseBrokerList(v); err != nil {
			return err
		}
	}
	if v, ok := seen["throttle"]; ok {
		if o.Throttle, err = parseRate("throttle", v); err != nil {
			return err
		}
	}
	if v, ok := seen["replica-alter-log-dirs-throttle"]; ok {
		if o.LogDirsThrottle, err = parseRate("replica-alter-log-dirs-throttle", v); err != nil {
			return err
		}
	}
	if v, ok := seen["timeout"]; ok {
		if o.Timeout, err = parseTimeout(v); err != nil {
			return err
		}
		o.TimeoutSet = true
	}
	if v, ok := seen["kafka-output"]; ok {
		switch Style(v) {
		case Modern, Legacy, Kafka37:
			o.Style = Style(v)
		default:
			return cluster.Invalidf("--kafka-output must be %q, %q or %q, not %q", Modern, Kafka37, Legacy, v)
		}
	}
	return nil
}

// parseBrokerList reads Kafka's "1,2,3".
func parseBrokerList(v string) ([]int32, error) {
	var ids []int32
	for _, f := range strings.Split(v, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil || id < 0 {
			return nil, cluster.Invalidf("--broker-list: %q is not a broker id (want a list like 1,2,3)", f)
		}
		if slices.Contains(ids, int32(id)) {
			return nil, cluster.Invalidf("Broker list contains duplicate entries: %d", id)
		}
		ids = append(ids, int32(id))
	}
	return ids, nil
}

// parseRate reads a throttle in bytes per second, as Kafka does (a long).
func parseRate(name, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, cluster.Invalidf("--%s: %q is not a rate in bytes/s (a whole number, 0 or more)", name, v)
	}
	return n, nil
}

// parseTimeout reads Kafka's --timeout in milliseconds; a Go duration
// ("90s", "10m") is accepted too.
func parseTimeout(v string) (time.Duration, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, nil
	}
	return 0, cluster.Invalidf("--timeout: %q is not a time in milliseconds (or a duration such as 10m)", v)
}

// Usage is the help text, laid out like Kafka's.
func Usage() string {
	var b strings.Builder
	b.WriteString(usageText)
	fmt.Fprintf(&b, "\n%s\n", ExitCodesHelp)
	return b.String()
}
