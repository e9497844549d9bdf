package domainsrc

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

func TestConformanceFileJSON(t *testing.T) {
	testConformance(t, harness{
		zones: true, hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			return writeFile(t, "domains.json", domainsJSON(t, want)), Deps{}
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return "file:" + writeFile(t, "bad.json", `{"version":1,"brokers":[{"id":1,"fault_domain":"x"}]}`), Deps{}, true
		},
	})
}

func TestConformanceFileCSV(t *testing.T) {
	testConformance(t, harness{
		zones: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			return "file:" + writeFile(t, "domains.csv", csvOf(want, true)), Deps{}
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return writeFile(t, "bad.csv", "1,0,0\n2,FD1,0\n"), Deps{}, true
		},
	})
}

func TestConformanceStdin(t *testing.T) {
	testConformance(t, harness{
		zones: true, hosts: true, once: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			return "-", Deps{Stdin: strings.NewReader(domainsJSON(t, want))}
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return "-", Deps{Stdin: strings.NewReader("")}, true
		},
	})
}

func TestConformanceExec(t *testing.T) {
	testConformance(t, harness{
		zones: true, hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			return "exec:cat " + writeFile(t, "inventory.json", domainsJSON(t, want)), Deps{}
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return "exec:echo inventory down >&2; exit 3", Deps{Stderr: &bytes.Buffer{}}, false
		},
	})
}

func TestConformanceRack(t *testing.T) {
	testConformance(t, harness{
		hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			return "rack", Deps{Brokers: &fakeLister{brokers: brokersOf(want)}}
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return "rack", Deps{Brokers: &fakeLister{err: errors.New("metadata request timed out")}}, false
		},
	})
}

func TestConformanceHDInsight(t *testing.T) {
	testConformance(t, harness{
		hosts: true,
		serve: func(t *testing.T, want cluster.Domains) (string, Deps) {
			return "hdinsight:" + writeFile(t, "topology.json", topologyOf(want, true)),
				Deps{Brokers: &fakeLister{brokers: brokersOf(want)}}
		},
		broken: func(t *testing.T) (string, Deps, bool) {
			return "hdinsight:" + writeFile(t, "topology.json", `{"hostGroups":{"headnode":[]}}`),
				Deps{Brokers: &fakeLister{}}, true
		},
	})
}

// topologyOf writes HDInsight's topology JSON for d, with short host names
// when short is set (as HDInsight does, while brokers register FQDNs).
func topologyOf(d cluster.Domains, short bool) string {
	var nodes []string
	for i, b := range d.Brokers {
		h := b.Host
		if short {
			h, _, _ = strings.Cut(h, ".")
		}
		// HDInsight writes numbers; older clusters strings. Mix both.
		fd := fmt.Sprint(b.FaultDomain)
		if i%2 == 1 {
			fd = `"` + fd + `"`
		}
		nodes = append(nodes, fmt.Sprintf(`{"vmId":%d,"fqdn":%q,"faultDomain":%s,"updateDomain":%d,"state":"Running"}`,
			i, h, fd, b.UpdateDomain))
	}
	return `{"hostGroups":{"headnode":[{"vmId":100,"fqdn":"hn0-kafka","faultDomain":0,"updateDomain":0}],` +
		`"workernode":[` + strings.Join(nodes, ",") + `],` +
		`"zookeepernode":[{"vmId":200,"fqdn":"zk0-kafka","faultDomain":1,"updateDomain":1}]}}`
}
