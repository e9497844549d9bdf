package domainsrc

import (
	"fmt"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// kind is one kind of source: its spec prefix, its help line and how to open it.
type kind struct {
	name  string
	usage string // spec form and meaning, for --help
	// arg: whether the spec takes "name:ARG" (required), may take it
	// (optional) or takes none.
	arg  argRule
	open func(arg string, e *env) (Source, error)
}

type argRule int

const (
	argNone argRule = iota
	argOptional
	argRequired
)

// kinds is the registry: every source fdud knows, in the order --help lists
// them. It is the one place a new source is added.
func kinds() []kind {
	return []kind{
		{name: "file", arg: argRequired, open: openFile,
			usage: "file:PATH, PATH or - (stdin): domains JSON, or CSV broker_id,fault_domain,update_domain[,zone]"},
		{name: "zk", arg: argRequired, open: openZK,
			usage: "zk:HOST:PORT[,HOST:PORT][/chroot]: znodes /brokers/domains/<id> holding FD<n>UD<m> (or JSON); hosts from /brokers/ids"},
		{name: "kafka", arg: argNone, open: openKafka,
			usage: "kafka: domains published in the cluster (fdud domains --publish kafka), keys domain/<id> of topic __fdud_state; needs --bootstrap-server, works on KRaft"},
		{name: "rack", arg: argOptional, open: openRack,
			usage: "rack or rack:PATTERN: broker.rack from Kafka metadata, parsed with --rack-pattern (default " + DefaultRackPattern + ")"},
		{name: "imds", arg: argNone, open: openIMDS,
			usage: "imds: this VM's domain from Azure IMDS, for the broker named by --broker-id, --server-properties or --meta-properties"},
		{name: "hdinsight", arg: argRequired, open: openHDInsight,
			usage: "hdinsight:FILE: HDInsight cluster topology JSON (hostGroups.workernode[].fqdn/faultDomain/updateDomain), matched to brokers by host name"},
		{name: "exec", arg: argRequired, open: openExec,
			usage: "exec:COMMAND: run COMMAND with sh -c and read domains JSON (or CSV) from its stdout, within --exec-timeout"},
	}
}

// SpecHelp describes the spec strings --domains and --source accept, one per line.
func SpecHelp() string {
	var b strings.Builder
	for _, k := range kinds() {
		fmt.Fprintf(&b, "  %s\n", k.usage)
	}
	return b.String()
}

// parseSpec splits a spec into its kind and argument. Anything that does
// not start with a known kind is a file path ("-" is stdin); "file:" forces
// a path that looks like a spec.
func parseSpec(spec string) (kind, string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return kind{}, "", cluster.Invalidf("empty domain source; want a file path, - or one of:\n%s", SpecHelp())
	}
	all := kinds()
	name, arg, hasArg := strings.Cut(spec, ":")
	for _, k := range all {
		if k.name != name {
			continue
		}
		switch {
		case k.arg == argNone && hasArg:
			return kind{}, "", cluster.Invalidf("domain source %q: %s takes no argument; usage: %s", spec, k.name, k.usage)
		case k.arg == argRequired && strings.TrimSpace(arg) == "":
			return kind{}, "", cluster.Invalidf("domain source %q: missing argument; usage: %s", spec, k.usage)
		}
		return k, arg, nil
	}
	return all[0], spec, nil // a path
}

// open opens the source a spec names.
func open(spec string, e *env) (Source, error) {
	k, arg, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	return k.open(arg, e)
}

func openFile(arg string, e *env) (Source, error) {
	return &fileSource{path: arg, stdin: e.Stdin}, nil
}
